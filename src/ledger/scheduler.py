"""The schedule, declared once: which jobs run when. Bodies live in each domain's ``jobs.py``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from litestar import Litestar

from ledger.claims import jobs as claims_jobs
from ledger.config import Settings
from ledger.core import clock
from ledger.db import write_transaction
from ledger.funds import jobs as funds_jobs
from ledger.journal import jobs as journal_jobs
from ledger.platform.jobs import JobSpec, daily_period, run_job
from ledger.platform.repository import IdempotencyRepository
from ledger.reports import jobs as reports_jobs
from ledger.web.middleware import IDEMPOTENCY_TTL

log = logging.getLogger("ledger.scheduler")


async def purge_idempotency_keys(period: str) -> str:
    """Forget idempotency keys older than 24 hours."""
    del period
    async with write_transaction():
        removed = await IdempotencyRepository().purge_before(clock.now() - IDEMPOTENCY_TTL)
    return f"removed {removed} expired key(s)"


def job_specs(settings: Settings) -> list[JobSpec]:
    """Every scheduled job of the product."""
    return [
        *journal_jobs.job_specs(settings),
        *claims_jobs.job_specs(settings),
        *funds_jobs.job_specs(settings),
        *reports_jobs.job_specs(settings),
        JobSpec(
            name="purge-idempotency-keys",
            description="Forget Idempotency-Key records older than 24 hours.",
            cron={"hour": 3, "minute": 30},
            period_of=daily_period,
            body=purge_idempotency_keys,
        ),
    ]


def scheduler_lifespan(settings: Settings) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan that runs the schedule in this process (only when ``LEDGER_SCHEDULER_ENABLED``).

    APScheduler 3 cannot share a job store between processes, so exactly one process should enable
    it; the ``job:period`` key keeps a period from running twice even if two do.
    """

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if not settings.scheduler_enabled:
            yield
            return
        tz = ZoneInfo(settings.timezone)
        scheduler = AsyncIOScheduler(
            timezone=tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
        )
        for spec in job_specs(settings):
            scheduler.add_job(
                run_job,
                CronTrigger(timezone=tz, **spec.cron),
                args=[spec],
                id=spec.name,
                replace_existing=True,
            )
        scheduler.start()
        app.state.scheduler = scheduler
        log.info("scheduler started with %d jobs at %s", len(scheduler.get_jobs()), clock.local_now())
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)

    return lifespan
