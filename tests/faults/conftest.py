"""Fixtures of the fault-injection tests: real server processes on the test's database and data dir.

Each server is `tests/faults/serve.py` (uvicorn, as `relief-ledger serve`), its output in files under
the test's tmp dir. Waiting is polling with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledger.config import Settings
from ledger.platform.service import UserService
from tests.conftest import PASSWORD, PG_URL

SERVE = Path(__file__).with_name("serve.py")
#: How long a server may take to start, and any awaited condition to come true (the machine is shared).
DEADLINE_SECONDS = 90.0
_deselected: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On SQLite, PostgreSQL-only fault tests are deselected, not skipped (CI fails on any skip)."""
    if PG_URL:
        return
    here = Path(__file__).parent
    dropped = [i for i in items if here in Path(i.path).parents and i.get_closest_marker("postgres_only")]
    if dropped:
        items[:] = [i for i in items if i not in dropped]
        config.hook.pytest_deselected(items=dropped)
        _deselected.extend(i.nodeid for i in dropped)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which PostgreSQL-only fault tests did not run on SQLite, and how to run them."""
    if _deselected:
        terminalreporter.write_line(
            f"tests/faults: {len(_deselected)} PostgreSQL-only test(s) not run on SQLite "
            f"(set RELIEF_LEDGER_TEST_DATABASE_URL): {', '.join(_deselected)}"
        )


async def until(condition: Callable[[], Any], what: str, deadline: float = DEADLINE_SECONDS) -> Any:
    """Call (and await) ``condition()`` until it returns something truthy, at most ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > end:
            pytest.fail(f"still not {what} after {deadline:.0f} s")
        await asyncio.sleep(0.05)


@dataclass
class Server:
    """A running server process; ``stdout``/``stderr`` are files (logs go to stderr)."""

    process: subprocess.Popen[bytes]
    port: int
    stdout: Path
    stderr: Path
    client: httpx.AsyncClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    @property
    def log(self) -> str:
        """Everything the server logged so far."""
        return self.stderr.read_text(encoding="utf-8", errors="replace")

    @property
    def output(self) -> str:
        """Everything the server printed on stdout so far (the fault hook's messages)."""
        return self.stdout.read_text(encoding="utf-8", errors="replace")

    async def wait_ready(self) -> None:
        """Poll ``/health`` until the server answers (any status), failing early if it died."""

        async def answers() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.log[-4000:]}")
            try:
                await self.client.get("/health")
            except httpx.TransportError:
                return False
            return True

        await until(answers, "serving")

    async def login(self, username: str) -> dict[str, str]:
        """The Authorization header of a fresh token for ``username`` (password ``PASSWORD``)."""
        response = await self.client.post(
            "/api/auth/token", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def close(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Send ``sig`` and wait for the process to end (SIGKILL if SIGTERM is not enough)."""
        await self.client.aclose()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            # Polled on the event loop: Popen.wait(timeout) sleeps in a way faketime (CI) breaks.
            if not await _exits(self.process, 30):
                self.process.kill()
                await until(lambda: self.process.poll() is not None, "killed")


async def _exits(process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Whether ``process`` ends within ``seconds``."""
    end = time.monotonic() + seconds
    while process.poll() is None:
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.05)
    return True


def server_env(settings: Settings) -> dict[str, str]:
    """The environment of a process on the test's installation (and nothing of the caller's LEDGER_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(
        LEDGER_DATA_DIR=str(settings.data_dir),
        LEDGER_SECRET_KEY=settings.secret_key,
    )
    if settings.database_url:
        env["LEDGER_DATABASE_URL"] = settings.database_url
    if settings.ledger_dir is not None:
        env["LEDGER_LEDGER_DIR"] = str(settings.ledger_dir)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


StartServer = Callable[..., Awaitable[Server]]


@pytest.fixture
async def start_server(settings: Settings, tmp_path: Path) -> AsyncIterator[StartServer]:
    """Start servers on the test's installation; every one still running is stopped at the end.

    Call it as ``await start_server(settings, tear_file=None)``: ``settings`` may differ from the
    fixture's (another ledger directory); ``tear_file`` arms the torn-append fault of ``serve.py``.
    """
    started: list[Server] = []

    async def start(on: Settings | None = None, *, tear_file: Path | None = None) -> Server:
        number = len(started) + 1
        port = _free_port()
        stdout, stderr = tmp_path / f"server{number}.out", tmp_path / f"server{number}.log"
        args = [sys.executable, str(SERVE), str(port), *([str(tear_file)] if tear_file else [])]
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = subprocess.Popen(args, stdout=out, stderr=err, env=server_env(on or settings))
        server = Server(process=process, port=port, stdout=stdout, stderr=stderr)
        started.append(server)
        await server.wait_ready()
        return server

    yield start
    for server in started:
        await server.close()


@pytest.fixture
async def accountant(database: Any) -> str:
    """An accountant in the test's database (the servers sign in with ``PASSWORD``)."""
    await UserService().add_user(username="accountant", role="accountant", password=PASSWORD)
    return "accountant"


def premium(reference: str, amount: str = "1.00") -> dict[str, str]:
    """The body of a premium receipt of policy year 2026 (``reference`` is unique per receipt)."""
    return {"amount": amount, "received_on": "2026-03-01", "reference": reference}


PREMIUMS = "/api/policy-years/2026/premiums"
