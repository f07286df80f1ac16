"""Running a job once per period: claim ``job:period``, do the work under a lease, record the outcome.

The unique key is the guard, not the scheduler: restarts, several processes and a manual run
(``relief-ledger jobs run``) never run one period at the same time twice. A failed period can be run
again; a run whose process died, or whose lease ran out, is marked ``abandoned`` and runs again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.core import clock
from ledger.db import write_transaction
from ledger.platform import leases
from ledger.platform.records import JobRunRecord
from ledger.platform.repository import JobRunRepository

log = logging.getLogger("ledger.jobs")
DEFAULT_LEASE = dt.timedelta(seconds=60)
# Automatic attempts of a period whose runs keep being abandoned, before a person must look.
AUTOMATIC_ATTEMPTS = 3


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
    """What happened when a job was asked to run: ``status`` is done, failed, skipped or abandoned."""

    key: str
    ran: bool
    status: str
    result: str


async def run_job(
    spec: JobSpec,
    period: str | None = None,
    *,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> JobOutcome:
    """Run ``spec`` for ``period`` (default: the period of now) unless that period ran or is running.

    The run is held under a lease that is renewed every third of ``lease`` while the body works; a
    run left behind by a dead process (or one whose lease ran out) is abandoned first and taken over.

    Args:
        spec: the job.
        period: the period to run, e.g. ``2026-10``; by default ``spec.period_of(now)``, now in the
            business time zone.
        lease: how long the run stays this process's without a renewal.
    """
    period = period or spec.period_of(clock.local_now())
    key = f"{spec.name}:{period}"
    holder = str(leases.this_process())
    repo = JobRunRepository()
    await reap_stale_runs()
    now = clock.now()
    async with write_transaction():
        claimed = await repo.claim(
            key=key, job=spec.name, period=period, holder=holder, now=now, lease_until=now + lease
        )
    if not claimed:
        return JobOutcome(key=key, ran=False, status="skipped", result="already ran or running")
    try:
        result = await _renewing(key, holder, lease, spec.body(period))
    except LeaseLost as lost:
        log.error("job %s stopped: %s", key, lost)
        return JobOutcome(key=key, ran=True, status="abandoned", result=str(lost))
    except Exception as exc:
        log.exception("job %s failed", key)
        await _finish(key, holder, "failed", f"{type(exc).__name__}: {exc}")
        return JobOutcome(key=key, ran=True, status="failed", result=str(exc))
    await _finish(key, holder, "done", result)
    return JobOutcome(key=key, ran=True, status="done", result=result)


class LeaseLost(Exception):
    """The run's lease could not be renewed in time: another process may take it over."""


async def _renewing(key: str, holder: str, lease: dt.timedelta, work: Awaitable[str]) -> str:
    """Await ``work`` while renewing ``holder``'s lease on ``key``; cancel it once the lease is lost.

    A renewal that fails (the database is briefly away) is retried at the next beat; only when the
    lease has run out without one, or another process has taken the run over, is the work stopped.
    """
    task = asyncio.ensure_future(work)
    repo = JobRunRepository()
    held_until = clock.now() + lease
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=lease.total_seconds() / 3)
            if done:
                return task.result()
            try:
                until = clock.now() + lease
                async with write_transaction():
                    renewed = await repo.renew(key, holder=holder, lease_until=until)
            except Exception:
                log.warning("job %s: renewing its lease failed; retrying", key, exc_info=True)
                renewed = clock.now() < held_until
                until = held_until
            if not renewed:
                raise LeaseLost(f"{key}: the lease was lost (taken over, or not renewed in time)")
            held_until = until
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def _finish(key: str, holder: str, status: str, result: str) -> None:
    async with write_transaction():
        kept = await JobRunRepository().end(key, holder=holder, status=status, result=result, now=clock.now())
    if not kept:
        log.warning("job %s ended %s after another process had taken it over", key, status)


async def reap_stale_runs() -> list[str]:
    """Mark ``abandoned`` every running run whose process is certainly gone or whose lease ran out.

    Returns the keys of the runs abandoned now; their periods may run again.
    """
    repo = JobRunRepository()
    now = clock.now()
    reaped: list[str] = []
    for run in await repo.with_status("running"):
        reason = _stale(run, now)
        if reason is None:
            continue
        async with write_transaction():
            if await repo.end(run.key, holder=run.holder, status="abandoned", result=reason, now=now):
                log.warning("job run %s abandoned: %s", run.key, reason)
                reaped.append(run.key)
    return reaped


def _stale(run: JobRunRecord, now: dt.datetime) -> str | None:
    """Why the running ``run`` is stale, or ``None`` while its holder may still be working on it."""
    holder = leases.Holder.parse(run.holder)
    if holder is not None and leases.is_gone(holder):
        return f"abandoned: its process (pid {holder.pid} on {holder.host}) is gone"
    lease_until = run.lease_until
    if lease_until is None or lease_until < now:
        return f"abandoned: its lease ran out ({lease_until.isoformat() if lease_until else 'none'})"
    return None


async def rerun_abandoned(
    specs: Sequence[JobSpec],
    *,
    lease: dt.timedelta = DEFAULT_LEASE,
    attempts: int = AUTOMATIC_ATTEMPTS,
) -> list[JobOutcome]:
    """Run once more each abandoned period of ``specs`` that has had fewer than ``attempts`` attempts.

    A period whose process keeps dying (one that exhausts memory, say) stays ``abandoned`` for a
    person to look at (``relief-ledger jobs list``) and run by hand.
    """
    by_name = {spec.name: spec for spec in specs}
    outcomes: list[JobOutcome] = []
    for run in await JobRunRepository().with_status("abandoned"):
        spec = by_name.get(run.job)
        if spec is not None and run.attempts < attempts:
            outcomes.append(await run_job(spec, run.period, lease=lease))
    return outcomes
