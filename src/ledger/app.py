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
from ledger.funds import controllers as funds_controllers
from ledger.journal import controllers as journal_controllers
from ledger.journal.service import Ledger
from ledger.platform.controllers import AuditController, AuthController, JobController, UserController
from ledger.relief import controllers as relief_controllers
from ledger.reports import controllers as reports_controllers
from ledger.scheduler import scheduler_lifespan
from ledger.web import choices, pages
from ledger.web.auth import PUBLIC, BearerAuthMiddleware
from ledger.web.docs import assets_router, openapi_config
from ledger.web.enums import ChoiceSchemaPlugin, choice_values
from ledger.web.errors import EXCEPTION_HANDLERS
from ledger.web.middleware import IdempotencyMiddleware, RequestIdMiddleware
from ledger.web.request_ids import echo_header

log = logging.getLogger("ledger")


@get("/health", opt={PUBLIC: True}, operation_id="health", tags=["health"])
async def health(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Whether the database answers and the ledger files follow the journal (public, cheap).

    200 with ``status`` ``ok``, or ``degraded`` with ``reasons`` (``<code>: <sentence>``) when the last
    ledger check or verify failed, the last export failed, or the files trail the journal. Degraded
    stays 200: payments still commit and every process shares the same ledger, so a load balancer
    that dropped this one would gain nothing. 503 (problem+json with ``Retry-After``) only when the
    database does not answer.
    """
    await db.current_engine().run_ddl("SELECT 1")
    ledger = await Ledger.of(request.app.state.settings).health()
    return {
        "status": "degraded" if ledger.reasons else "ok",
        "reasons": ledger.reasons,
        "database": db.current_engine().engine_type,
        "ledger": ledger.to_dict(),
    }


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
        *relief_controllers.ROUTES,
        *reports_controllers.ROUTES,
        assets_router(),
        *pages.routes(),
    ]


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the application for ``settings`` (default: from ``LEDGER_*`` variables).

    Args:
        settings: the configuration; the secret key is generated into the data dir if not given.
    """
    settings = (settings or get_settings()).with_secret()
    clock.configure(settings.timezone)
    # Read once here, so the OpenAPI enums and the 422s for unknown filter values agree.
    allowed = choice_values(settings)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        async with db.connected(settings):
            pending = await db.pending_migrations()
            if pending:
                names = ", ".join(f"{app_name} ({len(ids)})" for app_name, ids in pending.items())
                msg = f"the database is behind its migrations: {names}. Run `relief-ledger db upgrade` first."
                raise db.DatabaseBehindMigrations(msg)
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
        before_send=[echo_header],
        openapi_config=openapi_config(version("relief-ledger")),
        template_config=pages.template_config(),
        plugins=[ChoiceSchemaPlugin(allowed)],
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            log_exceptions="never",
            configure_root_logger=True,
        ),
        state=State({"settings": settings, choices.STATE_KEY: allowed}),
    )
