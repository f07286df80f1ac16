"""The Litestar application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware

from ledger import db
from ledger.claims import controllers as claims_controllers
from ledger.config import Settings, get_settings
from ledger.core import clock
from ledger.core.errors import LedgerError
from ledger.funds import controllers as funds_controllers
from ledger.journal import controllers as journal_controllers
from ledger.journal.service import Ledger
from ledger.platform.controllers import AuditController, AuthController, JobController, UserController
from ledger.reports import controllers as reports_controllers
from ledger.scheduler import scheduler_lifespan
from ledger.web.auth import PUBLIC, BearerAuthMiddleware
from ledger.web.docs import assets_router, openapi_config
from ledger.web.errors import EXCEPTION_HANDLERS
from ledger.web.middleware import IdempotencyMiddleware, RequestIdMiddleware

log = logging.getLogger("ledger")


class DatabaseBehindMigrations(LedgerError):
    """The database is behind the code's migrations: run `relief-ledger db upgrade` first."""


@get("/health", opt={PUBLIC: True}, operation_id="health", tags=["health"])
async def health(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Whether the database answers and the ledger files follow the journal (public)."""
    await db.current_engine().run_ddl("SELECT 1")
    ledger = await Ledger.of(request.app.state.settings).health()
    return {"status": "ok", "database": db.current_engine().engine_type, "ledger": ledger}


def route_handlers() -> list[Any]:
    """Every controller of every domain."""
    return [
        health,
        AuthController,
        UserController,
        AuditController,
        JobController,
        *journal_controllers.ROUTES,
        *claims_controllers.ROUTES,
        *funds_controllers.ROUTES,
        *reports_controllers.ROUTES,
        assets_router(),
    ]


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the application for ``settings`` (default: from ``LEDGER_*`` variables).

    Args:
        settings: the configuration; the secret key is generated into the data dir if not given.
    """
    settings = (settings or get_settings()).with_secret()
    clock.configure(settings.timezone)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        async with db.connected(settings):
            pending = await db.pending_migrations()
            if pending:
                names = ", ".join(f"{app_name} ({len(ids)})" for app_name, ids in pending.items())
                msg = f"the database is behind its migrations: {names}. Run `relief-ledger db upgrade` first."
                raise DatabaseBehindMigrations(msg)
            # Catch up on entries committed before a crash, before serving anything.
            await Ledger.of(settings).export_quietly()
            yield

    return Litestar(
        route_handlers=route_handlers(),
        lifespan=[database, scheduler_lifespan(settings)],
        middleware=[
            RequestIdMiddleware,
            DefineMiddleware(BearerAuthMiddleware, exclude_from_auth_key=PUBLIC, exclude=["^/schema"]),
            IdempotencyMiddleware,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi_config(version("relief-ledger")),
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            log_exceptions="never",
            configure_root_logger=True,
        ),
        state=State({"settings": settings}),
    )
