"""How long each workbench page takes on the demo data (target: under 300 ms), printed, not asserted.

Loads the demo into a temporary data directory (or uses ``--data-dir`` where ``relief-ledger demo
load`` already ran), signs each demo user in through the sign-in form and requests each main page of
their desk ``--repeat`` times in process (httpx on the ASGI app: the app's own time, no network).

    .venv/bin/python bench/pages_bench.py
    .venv/bin/python bench/pages_bench.py --data-dir var --repeat 20
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from ledger import db
from ledger.app import create_app
from ledger.config import Settings
from ledger.relief.service import ReliefService

BIN = Path(sys.executable).parent / "relief-ledger"
TARGET_MS = 300.0


def _load_demo(data_dir: Path) -> None:
    env = {"LEDGER_DATA_DIR": str(data_dir), "PATH": str(BIN.parent)}
    subprocess.run([str(BIN), "db", "upgrade"], check=True, env=env, capture_output=True)
    subprocess.run([str(BIN), "demo", "load"], check=True, env=env, capture_output=True)


def _passwords(data_dir: Path) -> dict[str, str]:
    lines = (data_dir / "demo-credentials.txt").read_text(encoding="utf-8").splitlines()
    return {line.split()[0]: line.split()[-1] for line in lines if line.strip()}


async def _pages(settings: Settings, claim_no: str) -> dict[str, list[str]]:
    relief = ReliefService(settings)
    cycle = (await relief.cycle_list())[0]
    cycle_path = f"/relief/cycles/{cycle.programme}/{cycle.month}"
    bank_file = (await relief.bank_files())[0].file_no
    return {
        "adjuster": [
            "/claims/inbox",
            "/claims/new",
            f"/claims/{claim_no}/documents",
            f"/claims/{claim_no}/assess",
            f"/claims/{claim_no}",
            "/claims/search?status=paid",
        ],
        "approver": ["/approvals", f"/claims/{claim_no}"],
        "accountant": [
            "/payments",
            "/payments/daily",
            "/payments/daily/xlsx",
            "/fund",
            "/fund/receipts",
            "/fund/grantees",
            "/fund/calls",
            "/fund/applications",
            "/fund/applications/1",
            "/fund/grants",
            "/fund/grants/1",
            "/fund/close",
            "/relief/bank",
            f"/relief/bank/{bank_file}",
            f"/relief/bank/{bank_file}/download/xlsx",
            "/relief/reconciliation",
        ],
        "auditor": [
            "/claims/search",
            "/claims/search?q=CL-2026-000001",
            f"/claims/{claim_no}/case-file.pdf",
            "/audit",
            "/audit/statements",
            "/audit/statements?report=trial-balance&book=charity",
            "/audit/statements?report=balance-sheet&book=charity",
            "/audit/statements?report=vouchers&book=all",
            "/audit/trail",
            "/audit/trail?object_type=claim&from=2026-01-01",
            "/audit/trail/csv",
        ],
        "caseworker": [
            "/relief/households",
            "/relief/households?street=城阳街道",
            "/relief/households/HH000003",
            "/relief/cycles",
            cycle_path,
            f"{cycle_path}/roster.pdf?street=城阳街道",
        ],
        "officer": ["/relief/applications", "/relief/cycles", cycle_path],
    }


async def run(data_dir: Path, repeat: int) -> None:
    settings = Settings(data_dir=data_dir).with_secret()
    passwords = _passwords(data_dir)
    app = create_app(settings)
    rows: list[tuple[str, str, float, float]] = []
    async with db.connected(settings):
        pages = await _pages(settings, "CL-2026-000008")
        transport = httpx.ASGITransport(app=app)
        for user, paths in pages.items():
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
                form = await client.get("/login")
                token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
                assert token, "no CSRF token on the sign-in page"
                signed = await client.post(
                    "/login",
                    data={"username": user, "password": passwords[user], "csrf_token": token.group(1)},
                )
                assert signed.status_code == 303, signed.text[:500]
                for path in paths:
                    timings = []
                    for _ in range(repeat):
                        start = time.perf_counter()
                        answer = await client.get(path)
                        timings.append((time.perf_counter() - start) * 1000)
                        assert answer.status_code == 200, (path, answer.status_code)
                    rows.append((user, path, statistics.median(timings), max(timings)))
    print(f"{'user':<11} {'page':<56} {'median ms':>10} {'max ms':>8}")
    for user, path, median, worst in rows:
        flag = "" if median < TARGET_MS else f"  over {TARGET_MS:.0f} ms"
        print(f"{user:<11} {path:<56} {median:>10.1f} {worst:>8.1f}{flag}")
    slowest = max(rows, key=lambda r: r[2])
    print(f"slowest median: {slowest[1]} {slowest[2]:.1f} ms (target < {TARGET_MS:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", type=Path, help="a data dir with the demo loaded (default: a fresh one)"
    )
    parser.add_argument("--repeat", type=int, default=10, help="requests per page")
    args = parser.parse_args()
    if args.data_dir:
        asyncio.run(run(args.data_dir, args.repeat))
        return
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "var"
        print("loading the demo data (about a minute) ...")
        _load_demo(data_dir)
        asyncio.run(run(data_dir, args.repeat))


if __name__ == "__main__":
    main()
