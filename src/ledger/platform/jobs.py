"""Running a job once per period: claim ``job:period``, do the work, record done or failed.

The unique key is the guard, not the scheduler: restarts, several processes and a manual run
(``relief-ledger jobs run``) never run one period twice; a failed period can be run again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ledger.core import clock
from ledger.db import write_transaction
from ledger.platform.repository import JobRunRepository

log = logging.getLogger("ledger.jobs")


def daily_period(moment: dt.datetime) -> str:
    """The day before ``moment`` (in its zone), e.g. ``2026-11-28``: a nightly job covers yesterday."""
    return (moment.date() - dt.timedelta(days=1)).isoformat()


def monthly_period(moment: dt.datetime) -> str:
    """The month before ``moment``, e.g. ``2026-10``: a monthly job closes the previous month."""
    first = moment.date().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def hourly_period(moment: dt.datetime) -> str:
    """The current hour, e.g. ``2026-11-29T14``."""
    return moment.strftime("%Y-%m-%dT%H")


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A scheduled job.

    Args:
        name: the job's id, used in keys and on the command line.
        description: one line for ``jobs list``.
        cron: ``CronTrigger`` fields (``hour``, ``minute``, ``day`` ...), in Asia/Shanghai time.
        period_of: the period a run at a given moment covers.
        body: the work; takes the period, returns a short result text.
    """

    name: str
    description: str
    cron: dict[str, Any]
    period_of: Callable[[dt.datetime], str]
    body: Callable[[str], Awaitable[str]] = field(repr=False)


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What happened when a job was asked to run."""

    key: str
    ran: bool
    status: str
    result: str


async def run_job(spec: JobSpec, period: str | None = None) -> JobOutcome:
    """Run ``spec`` for ``period`` (default: the period of now) unless that period already ran.

    Args:
        spec: the job.
        period: the period to run, e.g. ``2026-10``; by default ``spec.period_of(now)``, now in the
            business time zone.
    """
    period = period or spec.period_of(clock.local_now())
    key = f"{spec.name}:{period}"
    repo = JobRunRepository()
    async with write_transaction():
        claimed = await repo.claim(key=key, job=spec.name, period=period, now=clock.now())
    if not claimed:
        return JobOutcome(key=key, ran=False, status="skipped", result="already ran or running")
    try:
        result = await spec.body(period)
    except Exception as exc:
        log.exception("job %s failed", key)
        async with write_transaction():
            await repo.finish(key, status="failed", result=f"{type(exc).__name__}: {exc}", now=clock.now())
        return JobOutcome(key=key, ran=True, status="failed", result=str(exc))
    async with write_transaction():
        await repo.finish(key, status="done", result=result, now=clock.now())
    return JobOutcome(key=key, ran=True, status="done", result=result)
