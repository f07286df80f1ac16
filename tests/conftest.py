"""Fixtures: a pinned clock, settings on a temporary data dir, a migrated database per test, app, client.

The engine is SQLite unless ``RELIEF_LEDGER_TEST_DATABASE_URL`` names a PostgreSQL database (``make
test-postgres``). SQLite tests copy a database migrated once per session; PostgreSQL tests migrate
once and empty every table between tests.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")

from ledger import db
from ledger.app import create_app
from ledger.config import Settings
from ledger.core import clock
from ledger.platform.service import UserService
from tests.pinned_clock import PINNED_AT, PinnedClock

PG_URL = os.environ.get("RELIEF_LEDGER_TEST_DATABASE_URL", "")
PASSWORD = "correct-horse-battery"
ROLES = ("adjuster", "approver", "accountant", "auditor", "admin")


def pytest_report_header() -> str:
    return f"database: {PG_URL or 'SQLite (set RELIEF_LEDGER_TEST_DATABASE_URL for PostgreSQL)'}"


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> None:
    """argon2's production cost (~0.3 s a hash here) would dominate the suite; tests use the minimum."""
    from argon2 import PasswordHasher

    from ledger.platform import domain

    domain._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True, scope="session")
def sleep_under_faketime() -> Iterator[None]:
    """Under ``make test-faketime`` sleep on an event: libfaketime 0.9.10 with FAKETIME_DONT_FAKE_MONOTONIC=1
    turns the absolute monotonic sleep of Python 3.11's ``time.sleep`` (and so ``Popen.wait(timeout)``)
    into EINVAL (wolfcw/libfaketime#426); event waits are not affected."""
    if "faketime" not in os.environ.get("LD_PRELOAD", ""):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "sleep", lambda seconds: threading.Event().wait(seconds))
        yield


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[PinnedClock]:
    """Stop the service's clock at ``PINNED_AT`` (2026-12-01 10:00 Shanghai) for every test.

    A test that needs another moment moves this clock (``pinned_clock.set(...)``,
    ``pinned_clock.advance(...)``); processes it starts inherit the moment through the environment.
    """
    pinned = PinnedClock(monkeypatch)
    pinned.set(PINNED_AT)
    yield pinned
    clock.configure(clock.DEFAULT_ZONE, {})


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """A SQLite file with every migration applied, made once per session."""
    if PG_URL:
        return None
    import asyncio

    data_dir = tmp_path_factory.mktemp("template")
    settings = Settings(data_dir=data_dir, secret_key="template")

    async def migrate() -> None:
        async with db.connected(settings):
            await db.upgrade()

    asyncio.run(migrate())
    return data_dir / "relief-ledger.sqlite"


@pytest.fixture(scope="session")
def pg_migrated() -> bool:
    """Reset the PostgreSQL test database's schema and migrate it, once per session."""
    if not PG_URL:
        return False
    import asyncio

    settings = Settings(database_url=PG_URL, secret_key="template")

    async def migrate() -> None:
        async with db.connected(settings) as engine:
            await engine.run_ddl("DROP SCHEMA IF EXISTS public CASCADE")
            await engine.run_ddl("CREATE SCHEMA public")
            await db.upgrade()

    asyncio.run(migrate())
    return True


@pytest.fixture
def settings(tmp_path: Path, sqlite_template: Path | None, pg_migrated: bool) -> Settings:
    """Settings on a fresh data dir and an empty, migrated database."""
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    if sqlite_template is not None:
        shutil.copy(sqlite_template, data_dir / "relief-ledger.sqlite")
        return Settings(data_dir=data_dir, secret_key="test-secret-key-0123456789abcdef")
    assert pg_migrated
    return Settings(data_dir=data_dir, database_url=PG_URL, secret_key="test-secret-key-0123456789abcdef")


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Any]:
    """The configured engine for service-level tests (no HTTP), emptied first on PostgreSQL."""
    async with db.connected(settings) as engine:
        if settings.is_postgres:
            await _truncate_all(engine)
        yield engine


async def _truncate_all(engine: Any) -> None:
    names = [table._meta.tablename for config in db.app_configs() for table in config.table_classes]
    if names:
        await engine.run_ddl(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")


@pytest.fixture
async def client(database: Any, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a fresh app, in the test's own event loop.

    Litestar's ``AsyncTestClient`` runs the lifespan in a portal thread with another event loop; a
    PostgreSQL pool opened there cannot be used by requests in the test's loop, so the database is
    connected by the ``database`` fixture instead and the lifespan is tested on its own.
    """
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def make_user(client: httpx.AsyncClient) -> Callable[..., Awaitable[int]]:
    """Create a user directly through the service (the app's engine is configured by then)."""

    async def make(username: str, role: str, password: str = PASSWORD) -> int:
        return await UserService().add_user(username=username, role=role, password=password)

    return make


@pytest.fixture
def login(
    client: httpx.AsyncClient, make_user: Callable[..., Awaitable[int]]
) -> Callable[..., Awaitable[dict[str, str]]]:
    """Create a user of a role (once) and return the Authorization header of a fresh token."""
    made: set[str] = set()

    async def headers_for(role: str, username: str | None = None) -> dict[str, str]:
        name = username or role
        if name not in made:
            await make_user(name, role)
            made.add(name)
        response = await client.post("/api/auth/token", json={"username": name, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return headers_for


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (``RELIEF_LEDGER_NO_SKIPS=1``) a skipped test fails the run: nothing may skip silently."""
    if not os.environ.get("RELIEF_LEDGER_NO_SKIPS"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        print(f"\n{skipped} test(s) skipped, which CI does not allow (RELIEF_LEDGER_NO_SKIPS=1)")
        session.exitstatus = 1
