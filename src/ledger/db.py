"""The database engine: SQLite by default, PostgreSQL by one setting; binding, transactions, migrations.

Piccolo finds its engine through ``PICCOLO_CONF``; ours (``ledger.config.piccolo_conf``) answers with
the engine configured here, so the app, the CLI, the tests and Piccolo's own migration runner all use
one engine chosen from ``Settings``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppConfig, AppRegistry
from piccolo.engine.base import Engine as _Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from ledger.config.settings import Settings
from ledger.core.errors import Conflict

APP_MODULES = (
    "ledger.platform.piccolo_app",
    "ledger.journal.piccolo_app",
    "ledger.claims.piccolo_app",
    "ledger.funds.piccolo_app",
    "ledger.relief.piccolo_app",
)
PICCOLO_CONF = "ledger.config.piccolo_conf"

# What the columns hold on both engines. A larger number sent in a request reaches the driver and fails
# there (SQLite: OverflowError; asyncpg: value out of range), so requests are bounded by these first.
MAX_INTEGER = 2**31 - 1  # ``Serial`` ids and ``Integer`` columns are 4-byte ``integer``s on PostgreSQL
MAX_BIGINT = 2**63 - 1  # ``BigInt``, and LIMIT / OFFSET

Engine = _Engine[Any]
"""Either engine; Piccolo's ``Engine`` is generic in its transaction class, which callers never name."""

_engine: Engine | None = None


def app_registry() -> AppRegistry:
    """The Piccolo apps of Relief Ledger, one per domain."""
    return AppRegistry(apps=list(APP_MODULES))


def app_configs() -> list[AppConfig]:
    """Each domain's Piccolo ``AppConfig``."""
    return [importlib.import_module(name).APP_CONFIG for name in APP_MODULES]


def make_engine(settings: Settings) -> Engine:
    """Return the engine that ``settings.database_url`` names (not yet connected)."""
    url = settings.resolved_database_url
    if settings.is_postgres:
        parsed = urlparse(url)
        return PostgresEngine(
            config={
                "host": parsed.hostname or "127.0.0.1",
                "port": parsed.port or 5432,
                "user": parsed.username or "postgres",
                "password": parsed.password or "",
                "database": parsed.path.lstrip("/") or "postgres",
            },
            log_queries=False,
        )
    if not url.startswith("sqlite:///"):
        msg = f"LEDGER_DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}"
        raise ValueError(msg)
    path = Path(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    # The busy timeout lets writers queue instead of failing with "database is locked".
    return SQLiteEngine(path=str(path), timeout=30)


def configure(settings: Settings) -> Engine:
    """Make the engine of ``settings`` the one every table and Piccolo itself use, and return it."""
    global _engine  # noqa: PLW0603 - the one engine of the process, as Piccolo expects
    engine = make_engine(settings)
    _engine = engine
    os.environ["PICCOLO_CONF"] = PICCOLO_CONF
    # A table caches the engine Piccolo's finder gave it on first use; refresh_db (Piccolo's public way
    # after PICCOLO_CONF's engine changes) makes each ask again, and PICCOLO_CONF answers ``_engine``.
    for config in app_configs():
        for table in config.table_classes:
            table._meta.refresh_db()
    Migration._meta.refresh_db()
    return engine


def current_engine() -> Engine:
    """The configured engine; configured from the environment's settings if nobody did yet."""
    if _engine is None:
        from ledger.config import get_settings

        return configure(get_settings())
    return _engine


def is_postgres() -> bool:
    """Whether the configured engine is PostgreSQL."""
    return current_engine().engine_type == "postgres"


def write_transaction() -> contextlib.AbstractAsyncContextManager[object]:
    """A transaction for writes: ``BEGIN IMMEDIATE`` on SQLite so concurrent writers queue, plain on PG.

    SQLite's default deferred transactions fail under concurrency when a reader upgrades to a writer
    ("database is locked"); taking the write lock at ``BEGIN`` makes every write transaction serial.
    """
    engine = current_engine()
    transaction: contextlib.AbstractAsyncContextManager[object]
    if isinstance(engine, SQLiteEngine):
        transaction = engine.transaction(transaction_type=TransactionType.immediate)
    else:
        transaction = engine.transaction()
    return transaction


# Work to run once the enclosing unit of work has committed; ``None`` outside one.
_after_commit: ContextVar[list[Callable[[], Awaitable[object]]] | None] = ContextVar(
    "after_commit", default=None
)


class UnitOfWork:
    """The open transaction of ``unit_of_work()``.

    Args:
        transaction: Piccolo's transaction, which every ``write_transaction()`` inside joins.
    """

    def __init__(self, transaction: Any) -> None:
        self._transaction = transaction
        self.rolled_back = False

    async def rollback(self) -> None:
        """Undo everything written in the unit so far; nothing of it commits and no deferred work runs."""
        await self._transaction.rollback()
        self.rolled_back = True


@contextlib.asynccontextmanager
async def unit_of_work() -> AsyncIterator[UnitOfWork]:
    """One write transaction around a whole piece of work, such as an HTTP request.

    Every ``write_transaction()`` opened inside joins it (Piccolo nests transactions), so all that the
    work writes commits together, or nothing does: on an exception, on ``rollback()``, or when the
    process dies first. Work passed to ``after_commit`` inside runs once the commit has happened.
    """
    deferred: list[Callable[[], Awaitable[object]]] = []
    token = _after_commit.set(deferred)
    try:
        async with write_transaction() as transaction:
            unit = UnitOfWork(transaction)
            yield unit
    finally:
        _after_commit.reset(token)
    if not unit.rolled_back:
        for work in deferred:
            await work()


def after_commit(work: Callable[[], Awaitable[object]]) -> bool:
    """Run ``work`` once the enclosing ``unit_of_work()`` commits; ``False`` when there is none.

    For what must follow a commit and must never see uncommitted rows, such as the export of the
    journal to the ledger files: the caller runs ``work`` itself when this answers ``False``.
    """
    deferred = _after_commit.get()
    if deferred is None:
        return False
    deferred.append(work)
    return True


async def serialize(key: str) -> None:
    """Hold a lock named ``key`` until the current write transaction ends.

    On PostgreSQL a transaction-scoped advisory lock; on SQLite the immediate transaction already
    holds the database's single write lock, so nothing more is needed.
    """
    engine = current_engine()
    if engine.engine_type == "postgres":
        await engine.run_ddl(f"SELECT pg_advisory_xact_lock({lock_id(key)})")


async def try_serialize(key: str) -> bool:
    """Take the lock named ``key`` until the current write transaction ends, unless another holds it.

    Returns whether it was taken. On SQLite the immediate transaction's write lock already excludes
    every other writer, so it is always taken.
    """
    engine = current_engine()
    if engine.engine_type == "postgres":
        rows = await engine.run_ddl(f"SELECT pg_try_advisory_xact_lock({lock_id(key)}) AS taken")
        return bool(rows[0]["taken"])
    return True


def lock_id(key: str) -> int:
    """The PostgreSQL advisory lock number of the lock named ``key``."""
    return zlib.crc32(key.encode("utf-8")) - 2**31


async def prepare(engine: Engine) -> None:
    """Per-database settings that persist in the file: WAL for SQLite (readers do not block the writer)."""
    if isinstance(engine, SQLiteEngine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")


@contextlib.asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[Engine]:
    """Configure the engine of ``settings`` and hold a connection pool open on PostgreSQL."""
    engine = configure(settings)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=settings.pool_max_size)
    try:
        await prepare(engine)
        yield engine
    finally:
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()


class DatabaseBehindMigrations(Conflict):
    """The database is behind the code's migrations: run `relief-ledger db upgrade` first."""


async def pending_migrations() -> dict[str, list[str]]:
    """Migration ids each app has on disk that the database has not run (empty when up to date)."""
    manager = BaseMigrationManager()
    await manager.create_migration_table()
    pending: dict[str, list[str]] = {}
    for config in app_configs():
        ran = set(await Migration.get_migrations_which_ran(app_name=config.app_name))
        modules = manager.get_migration_modules(config.resolved_migrations_folder_path)
        missing = sorted(set(manager.get_migration_ids(modules)) - ran)
        if missing:
            pending[config.app_name] = missing
    return pending


async def upgrade() -> list[str]:
    """Run every pending migration of every app in dependency order; return what ran."""
    from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager

    before = await pending_migrations()
    for name in BaseMigrationManager().get_sorted_app_names():
        # Piccolo prints progress with emoji on stdout; the caller reports what ran instead.
        with contextlib.redirect_stdout(io.StringIO()):
            result = await ForwardsMigrationManager(app_name=name, migration_id="all").run()
        if not result.success:
            msg = f"migrations of {name} failed: {result.message}"
            raise RuntimeError(msg)
    return [f"{app}:{mid}" for app, ids in before.items() for mid in ids]
