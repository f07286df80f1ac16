"""Real server processes for the crash tests of keyed payments and job runs, and the checks after a crash.

As a uvicorn factory (``tests.faults.leases_worker:create_app``) it serves the real app and, when
``LEASES_FAULT`` says so, kills itself with SIGKILL at one point of a keyed request:

- ``in-effect``: inside the payment's transaction, right after its journal entry was written;
- ``after-commit``: after the request's transaction committed, before the response is sent.

It prints ``request METHOD PATH`` (flushed) when a request arrives, so a test knows the server has it,
and ``killed at FAULT`` just before it kills itself.

As a script, ``python -m tests.faults.leases_worker hang-job NAME PERIOD`` claims the run of the real
job NAME for PERIOD, prints ``job started`` and then works forever (until it is killed).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ledger.claims.tables import PaymentRow, PremiumReceipt
from ledger.config import Settings
from ledger.funds.tables import FundReceipt
from ledger.journal.service import Ledger
from ledger.journal.tables import JournalEntryRow, JournalPostingRow

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 30.0
POLL = 0.05


def _kill_self(fault: str) -> None:
    print(f"killed at {fault}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def _install_fault(fault: str) -> None:
    """Patch the one seam where ``fault`` kills the process."""
    if fault == "in-effect":
        from ledger.journal import service as journal

        real_post = journal.post

        async def post_then_die(**kwargs: Any) -> Any:
            await real_post(**kwargs)
            _kill_self(fault)

        journal.post = post_then_die  # type: ignore[assignment]
    elif fault == "after-commit":
        from ledger.web import middleware

        real_unit = middleware.unit_of_work

        @contextlib.asynccontextmanager
        async def unit_then_die() -> AsyncIterator[Any]:
            async with real_unit() as unit:
                yield unit
            _kill_self(fault)

        middleware.unit_of_work = unit_then_die  # type: ignore[assignment]
    elif fault:
        msg = f"unknown LEASES_FAULT {fault!r}"
        raise ValueError(msg)


def create_app() -> Any:
    """The real app (settings from ``LEDGER_*``), announcing each request and dying where told."""
    from ledger.app import create_app as real_create_app

    _install_fault(os.environ.get("LEASES_FAULT", ""))
    app = real_create_app()

    async def announced(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            print(f"request {scope['method']} {scope['path']}", flush=True)
        await app(scope, receive, send)

    return announced


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a server or CLI process on the test's database and data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(
        {
            "LEDGER_DATA_DIR": str(settings.data_dir),
            "LEDGER_DATABASE_URL": settings.database_url,
            "LEDGER_SECRET_KEY": settings.secret_key,
            "LEDGER_LOG_LEVEL": "WARNING",
            "BEANCOUNT_DISABLE_LOAD_CACHE": "1",
            **extra,
        }
    )
    return env


@dataclass
class Worker:
    """A Python process of the project (``python -m ...``) on the test's database, its output kept.

    Args:
        settings: the test's settings (database and data directory).
        env: extra environment variables (``LEASES_FAULT``, ``LEDGER_SCHEDULER_*`` ...).
    """

    settings: Settings
    env: Mapping[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    lines: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    async def spawn(self, *args: str) -> None:
        """Start ``python -m ARGS``, reading its output (stdout and stderr) line by line."""
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            *args,
            cwd=ROOT,
            env=server_env(self.settings, **self.env),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    @property
    def pid(self) -> int:
        """The process id."""
        assert self.process is not None
        return self.process.pid

    def saw(self, text: str) -> bool:
        """Whether the process printed a line containing ``text``."""
        return any(text in line for line in self.lines)

    async def printed(self, text: str) -> None:
        """Wait until the process prints a line containing ``text``; fail if it exits first."""

        async def seen() -> bool:
            if self.saw(text):
                return True
            assert self.process is not None
            if self.process.returncode is not None:
                raise AssertionError(f"process exited before printing {text!r}:\n" + "\n".join(self.lines))
            return False

        await until(seen, f"the process prints {text!r}")

    async def killed(self) -> None:
        """SIGKILL the process (if it is still alive) and return once it is gone and its output read."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), DEADLINE)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, DEADLINE)

    async def stop(self) -> None:
        """Stop the process gracefully (SIGTERM), or kill it when it does not stop in time."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), DEADLINE)
        except TimeoutError:
            await self.killed()


@dataclass
class Server(Worker):
    """The app served by uvicorn on a free port of 127.0.0.1 (see ``create_app`` above)."""

    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        """Where the server listens."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Server:
        """Start the process and return once ``/health`` answers."""
        await self.spawn(
            "uvicorn",
            "--factory",
            "tests.faults.leases_worker:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
        )
        async with httpx.AsyncClient(base_url=self.url) as client:
            await until(lambda: self._healthy(client), "the server answers /health")
        return self

    async def _healthy(self, client: httpx.AsyncClient) -> bool:
        if self.process is None or self.process.returncode is not None:
            raise AssertionError("server exited:\n" + "\n".join(self.lines))
        try:
            return (await client.get("/health")).status_code == 200
        except httpx.TransportError:
            return False


class Fleet:
    """The processes a test starts, all stopped at its end (``await fleet.stop()``).

    Args:
        settings: the test's settings, which every process shares.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.started: list[Worker] = []

    async def server(self, **env: str) -> Server:
        """A server with the extra environment ``env``, answering ``/health``."""
        server = Server(self.settings, env)
        self.started.append(server)
        return await server.start()

    async def worker(self, *args: str, **env: str) -> Worker:
        """``python -m ARGS`` with the extra environment ``env``."""
        worker = Worker(self.settings, env)
        self.started.append(worker)
        await worker.spawn(*args)
        return worker

    async def stop(self) -> None:
        """Stop every process still running."""
        for process in self.started:
            await process.stop()


async def until(condition: Any, what: str, deadline: float = DEADLINE) -> None:
    """Poll the async ``condition`` until it is true; fail naming ``what`` after ``deadline`` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not await condition():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(POLL)


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``relief-ledger ARGS`` on the test's database and return what it printed."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("relief-ledger")), *args],
        env=server_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Domain rows that cause a journal entry, by the prefix of the entry's ``cause``.
BOOKED = {"claim-payment": PaymentRow, "fund-receipt": FundReceipt, "premium": PremiumReceipt}


async def assert_books_agree(settings: Settings) -> None:
    """The journal, the Beancount files and the domain tables tell the same story.

    The files are brought up to date first (as the next start-up would), then ``ledger check``
    must pass, and every payment, receipt and premium must have exactly one journal entry with its
    amount, and every entry caused by one must point back to its row.
    """
    ledger = Ledger.of(settings)
    await ledger.export()
    report = await ledger.check()
    assert report.ok, report.summary_lines()
    entries = await JournalEntryRow.select(JournalEntryRow.seq, JournalEntryRow.cause)
    assert report.chain.count == len(entries)
    debits: dict[int, int] = {}
    for posting in await JournalPostingRow.select(JournalPostingRow.seq, JournalPostingRow.fen):
        if posting["fen"] > 0:
            debits[posting["seq"]] = debits.get(posting["seq"], 0) + int(posting["fen"])
    booked = {e["cause"]: e["seq"] for e in entries if e["cause"].split(":")[0] in BOOKED}
    assert len(booked) == len([e for e in entries if e["cause"].split(":")[0] in BOOKED])
    rows = 0
    for prefix, table in BOOKED.items():
        for row in await table.select(table.id, table.fen, table.journal_seq):  # type: ignore[attr-defined]
            rows += 1
            seq = booked.get(f"{prefix}:{row['id']}")
            assert seq == row["journal_seq"], f"{prefix} {row['id']} has no journal entry of its own"
            assert debits[seq] == row["fen"], f"{prefix} {row['id']}: {row['fen']} fen, entry {debits[seq]}"
    assert rows == len(booked)


async def hang_job(name: str, period: str) -> None:
    """Run job ``name`` for ``period`` with a body that never ends (settings from ``LEDGER_*``)."""
    import dataclasses
    import datetime as dt

    from ledger import db
    from ledger.config import get_settings
    from ledger.platform.jobs import run_job
    from ledger.scheduler import job_specs

    settings = get_settings().with_secret()
    async with db.connected(settings):
        spec = next(spec for spec in job_specs(settings) if spec.name == name)

        async def forever(period: str) -> str:
            print("job started", flush=True)
            await asyncio.Event().wait()
            return period

        lease = dt.timedelta(seconds=settings.job_lease_seconds)
        await run_job(dataclasses.replace(spec, body=forever), period, lease=lease)


if __name__ == "__main__":
    if sys.argv[1:2] != ["hang-job"] or len(sys.argv) != 4:
        sys.exit("usage: python -m tests.faults.leases_worker hang-job NAME PERIOD")
    asyncio.run(hang_job(sys.argv[2], sys.argv[3]))
