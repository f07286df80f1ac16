"""Claims throughput through the real HTTP API against a real server.

Starts ``relief-ledger serve`` on 127.0.0.1 with a temporary data directory (and, for PostgreSQL, a
database created for the run and dropped after it), then:

1. runs N claims through register -> assess -> approve -> pay (4 requests each, by four users);
2. sends 4 x N ``POST /api/events`` requests: the smallest real write route (one event row and its
   audit row in one transaction, behind the same authentication and middleware);

with the same number of concurrent clients, and prints claims per second and the ratio of the
lifecycle's time to the baseline's.

    .venv/bin/python bench/claims_bench.py --engine sqlite --claims 2000
    .venv/bin/python bench/claims_bench.py --engine postgres --claims 2000 --pg postgresql://postgres@127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from stdnum.cn import ric

BIN = Path(sys.executable).parent / "relief-ledger"
PASSWORD = secrets.token_urlsafe(16)  # a throwaway password per run
USERS = (
    ("adjuster", "adjuster"),
    ("adjuster2", "adjuster"),
    ("approver", "approver"),
    ("accountant", "accountant"),
)
DOCUMENTS = ["claim_form", "claimant_id", "bank_card", "authority_certificate"]
DOCUMENTS += ["medical_invoices", "itemised_costs", "medical_insurance_settlement"]
DOCUMENTS += ["heroic_act_certification", "no_liable_party_proof"]


def resident_id(n: int) -> str:
    """A distinct valid Chengyang resident ID for each ``n``."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=n // 500)
    body = f"370214{birth:%Y%m%d}{n % 500 * 2 + 1:03d}"
    return body + ric.calc_check_digit(body + "0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run([str(BIN), *args], env=env, input=stdin, text=True, check=True, capture_output=True)


@contextlib.asynccontextmanager
async def database(engine: str, pg: str) -> AsyncIterator[str]:
    """The database URL for the run; a PostgreSQL database is created and dropped around it."""
    if engine == "sqlite":
        yield ""
        return
    name = f"claims_bench_{os.getpid()}"
    admin = await asyncpg.connect(f"{pg}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{pg}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextlib.contextmanager
def server(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """``relief-ledger serve`` in the background until the block ends."""
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def workers(count: int, concurrency: int, job: Callable[[int], Awaitable[None]]) -> float:
    """Run ``job(0..count-1)`` on ``concurrency`` workers; return the elapsed seconds."""
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            await job(i)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start


def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        )
    return dict(response.json())


async def bench(base: str, claims: int, concurrency: int) -> tuple[float, float]:
    limits = httpx.Limits(max_connections=concurrency + 2)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        headers = {}
        for name, _role in USERS:
            token = expect(
                await client.post("/api/auth/token", json={"username": name, "password": PASSWORD}), 200
            )
            headers[name] = {"Authorization": f"Bearer {token['access_token']}"}
        perils = ["fire_explosion", "natural_disaster", "traffic_accident", "falling_object", "heroic_act"]
        events = []
        for i in range(max(1, claims // 100)):
            body = event_body(i, perils[i % len(perils)])
            events.append(
                expect(await client.post("/api/events", json=body, headers=headers["adjuster"]), 201)
            )

        async def lifecycle(i: int) -> None:
            event = events[i % len(events)]
            victim = resident_id(i)
            body = {
                "event_no": event["event_no"],
                "claimant_name": "张三",
                "claimant_relation": "self",
                "claimant_id": victim,
                "victim_name": "张三",
                "victim_id": victim,
                "bank_name": "青岛农商银行",
                "bank_account": "6228480000000000001",
                "documents": DOCUMENTS,
                "lines": [{"head": "medical", "claimed": "1000.00"}],
            }
            claim = expect(await client.post("/api/claims", json=body, headers=headers["adjuster"]), 201)
            path = f"/api/claims/{claim['claim_no']}"
            expect(await client.post(f"{path}/assess", json={}, headers=headers["adjuster2"]), 200)
            expect(
                await client.post(f"{path}/approve", json={"reason": "ok"}, headers=headers["approver"]), 200
            )
            paid = expect(
                await client.post(f"{path}/payments", json={"kind": "final"}, headers=headers["accountant"]),
                201,
            )
            assert paid["amount"] == "900.00", paid

        async def insert(i: int) -> None:
            body = event_body(100_000 + i, perils[i % len(perils)])
            expect(await client.post("/api/events", json=body, headers=headers["adjuster"]), 201)

        lifecycle_seconds = await workers(claims, concurrency, lifecycle)
        baseline_seconds = await workers(4 * claims, concurrency, insert)
    return lifecycle_seconds, baseline_seconds


def event_body(i: int, peril: str) -> dict[str, str]:
    return {
        "incident_date": "2026-06-01",
        "street": "城阳街道",
        "place": f"正阳路 {i} 号",
        "peril": peril,
        "authority": "城阳区应急管理局",
        "certificate_no": f"B-{i}",
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="claims-bench-") as tmp:
        async with database(args.engine, args.pg) as url:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")},
                "LEDGER_DATA_DIR": tmp,
                "LEDGER_LOG_LEVEL": "WARNING",
                "LEDGER_TOKEN_TTL_SECONDS": "86400",
            }
            if url:
                env["LEDGER_DATABASE_URL"] = url
            run(env, "db", "upgrade")
            for name, role in USERS:
                run(env, "users", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
            with server(env, free_port(), Path(tmp) / "server.log") as base:
                lifecycle, baseline = await bench(base, args.claims, args.concurrency)
    n = args.claims
    print(f"engine {args.engine}, {n} claims, {args.concurrency} concurrent clients")
    print(
        f"lifecycle (register, assess, approve, pay): {lifecycle:.1f} s = {n / lifecycle:.1f} claims/s "
        f"({4 * n / lifecycle:.0f} requests/s)"
    )
    print(
        f"baseline {4 * n} x POST /api/events (one row + audit): {baseline:.1f} s = "
        f"{4 * n / baseline:.0f} requests/s"
    )
    print(f"ratio lifecycle / baseline time for the same number of requests: {lifecycle / baseline:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
