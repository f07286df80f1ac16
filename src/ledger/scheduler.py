"""The schedule, declared once: which jobs run when, and which process runs them.

Bodies live in each domain's ``jobs.py``. Any number of processes may enable the scheduler; a leader
lock (a PostgreSQL advisory lock, or a file lock beside the SQLite database) lets one at a time run
it, and another takes over within a beat when the leader dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from litestar import Litestar
from piccolo.engine.postgres import PostgresEngine

from ledger import db
from ledger.claims import jobs as claims_jobs
from ledger.config import Settings
from ledger.core import clock
from ledger.db import lock_id, write_transaction
from ledger.funds import jobs as funds_jobs
from ledger.journal import jobs as journal_jobs
from ledger.platform.jobs import JobSpec, daily_period, reap_stale_runs, rerun_abandoned, run_job
from ledger.platform.repository import IdempotencyRepository
from ledger.relief import jobs as relief_jobs
from ledger.reports import jobs as reports_jobs
from ledger.web.middleware import IDEMPOTENCY_TTL

log = logging.getLogger("ledger.scheduler")
LEADER_LOCK = "scheduler-leader"
# A fire time missed by at most this much (a restart, a change of leader) still runs.
MISFIRE_GRACE = dt.timedelta(hours=1)


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
        *relief_jobs.job_specs(settings),
        *reports_jobs.job_specs(settings),
        JobSpec(
            name="purge-idempotency-keys",
            description="Forget Idempotency-Key records older than 24 hours.",
            cron={"hour": 3, "minute": 30},
            period_of=daily_period,
            body=purge_idempotency_keys,
        ),
    ]


class LeaderLock(Protocol):
    """A lock that at most one process holds, released by the system when its holder dies."""

    async def acquire(self) -> bool:
        """Take the lock if it is free (never waits); say whether this process holds it now."""

    async def held(self) -> bool:
        """Whether this process still holds the lock it took."""

    async def release(self) -> None:
        """Give the lock up (nothing happens if it is not held)."""


class PostgresLeaderLock:
    """A session-level advisory lock on a connection of its own, outside the pool.

    PostgreSQL releases it when that connection ends, so when the process dies or loses the
    connection. Several hosts may share the database.

    Args:
        config: ``asyncpg.connect`` arguments (the engine's).
    """

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self._connection: Any = None

    async def acquire(self) -> bool:
        import asyncpg

        if self._connection is None or self._connection.is_closed():
            self._connection = await asyncpg.connect(**self.config)
        return bool(await self._connection.fetchval("SELECT pg_try_advisory_lock($1)", lock_id(LEADER_LOCK)))

    async def held(self) -> bool:
        # The lock lives as long as its session: a connection that answers still holds it.
        try:
            await asyncio.wait_for(self._connection.fetchval("SELECT 1"), timeout=10)
        except Exception:
            await self.release()
            return False
        return True

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None or connection.is_closed():
            return
        # Unlock before hanging up: the server frees a dropped session's locks only when its backend
        # has noticed, and a standby asking in that moment would be refused.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                connection.fetchval("SELECT pg_advisory_unlock($1)", lock_id(LEADER_LOCK)), timeout=5
            )
        connection.terminate()


class FileLeaderLock:
    """An exclusive ``flock`` on a file beside the SQLite database; the kernel drops it with the process.

    Args:
        path: the lock file (created if missing).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    async def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def held(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def leader_lock(settings: Settings) -> LeaderLock:
    """The leader lock of the database that ``settings`` name."""
    engine = db.current_engine()
    if isinstance(engine, PostgresEngine):
        return PostgresLeaderLock(dict(engine.config))
    return FileLeaderLock(Path(settings.resolved_database_url.removeprefix("sqlite:///") + ".scheduler-lock"))


class Leadership:
    """Runs the schedule in this process only while it holds the leader lock.

    Each beat (every ``poll`` seconds) a follower tries to take the lock; the leader checks that it
    still holds it, marks stale runs abandoned and runs their periods again, and on taking the lead
    runs each job whose fire time passed in the last hour without a run (a leader that died at the
    wrong minute, a restart): the ``job:period`` key skips those that ran.

    Args:
        specs: the scheduled jobs.
        lock: the leader lock shared by every process with the scheduler enabled.
        tz: the business time zone of the schedule and its periods.
        lease: the lease of each job run.
        poll: seconds between beats.
    """

    def __init__(
        self, specs: list[JobSpec], lock: LeaderLock, *, tz: ZoneInfo, lease: dt.timedelta, poll: float
    ) -> None:
        self.specs = specs
        self.lock = lock
        self.tz = tz
        self.lease = lease
        self.poll = poll
        self.scheduler: AsyncIOScheduler | None = None
        self._healing: asyncio.Task[None] | None = None
        self._catch_up = False

    @property
    def leading(self) -> bool:
        """Whether this process runs the schedule now."""
        return self.scheduler is not None

    async def beat(self) -> None:
        """Take the lead if it is free, give it up if the lock is lost, heal while leading."""
        if self.scheduler is None:
            if await self.lock.acquire():
                self._start()
        elif not await self.lock.held():
            log.warning("scheduler: lost the leader lock (pid %d); another process may lead", os.getpid())
            self._stop()
        if self.scheduler is not None and (self._healing is None or self._healing.done()):
            self._healing = asyncio.create_task(self._heal())

    async def run(self) -> None:
        """Beat every ``poll`` seconds until cancelled; a failed beat (database away) is logged, retried."""
        while True:
            await asyncio.sleep(self.poll)
            try:
                await self.beat()
            except Exception:
                log.exception("scheduler: leadership beat failed; retrying")

    async def close(self) -> None:
        """Stop the schedule and any healing under way, and give the lock up."""
        self._stop()
        if self._healing is not None:
            self._healing.cancel()
            await asyncio.gather(self._healing, return_exceptions=True)
        await self.lock.release()

    def _start(self) -> None:
        scheduler = AsyncIOScheduler(
            timezone=self.tz,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
            },
        )
        for spec in self.specs:
            scheduler.add_job(
                run_job,
                _trigger(spec, self.tz),
                args=[spec],
                kwargs={"lease": self.lease},
                id=spec.name,
                replace_existing=True,
            )
        scheduler.start()
        self.scheduler = scheduler
        self._catch_up = True
        log.info("scheduler: this process leads (pid %d) with %d jobs", os.getpid(), len(self.specs))

    def _stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None

    async def _heal(self) -> None:
        await reap_stale_runs()
        await rerun_abandoned(self.specs, lease=self.lease)
        if self._catch_up:
            self._catch_up = False
            now = clock.now().astimezone(self.tz)
            for spec in self.specs:
                fired = _trigger(spec, self.tz).get_next_fire_time(None, now - MISFIRE_GRACE)
                if fired is not None and fired <= now:
                    await run_job(spec, spec.period_of(fired), lease=self.lease)


def _trigger(spec: JobSpec, tz: ZoneInfo) -> CronTrigger:
    return CronTrigger(timezone=tz, **spec.cron)


def scheduler_lifespan(settings: Settings) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan that takes part in running the schedule (only when ``LEDGER_SCHEDULER_ENABLED``).

    Any number of processes may enable it: one leads at a time (``Leadership``), the others wait to
    take over. ``app.state.leadership`` shows which this process is.
    """

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if not settings.scheduler_enabled:
            yield
            return
        leadership = Leadership(
            job_specs(settings),
            leader_lock(settings),
            tz=ZoneInfo(settings.timezone),
            lease=dt.timedelta(seconds=settings.job_lease_seconds),
            poll=settings.scheduler_poll_seconds,
        )
        app.state.leadership = leadership
        # A lone process leads before it serves; the others follow and keep trying.
        await leadership.beat()
        if not leadership.leading:
            log.info("scheduler: another process leads; this one (pid %d) stands by", os.getpid())
        beating = asyncio.create_task(leadership.run())
        try:
            yield
        finally:
            beating.cancel()
            await asyncio.gather(beating, return_exceptions=True)
            await leadership.close()

    return lifespan
