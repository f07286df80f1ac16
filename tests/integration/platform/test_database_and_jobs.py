"""Migrations on both engines, the start-up refusal, the unit of work of keyed requests, jobs that run
once per period under a lease, and the one scheduler that leads."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient

from ledger import db
from ledger.app import create_app
from ledger.config import Settings
from ledger.core import clock
from ledger.core.entries import Posting
from ledger.db import DatabaseBehindMigrations
from ledger.journal import service as journal
from ledger.journal.repository import JournalRepository
from ledger.journal.service import Ledger
from ledger.platform import leases
from ledger.platform.jobs import JobSpec, daily_period, reap_stale_runs, rerun_abandoned, run_job
from ledger.platform.tables import JobRun
from ledger.scheduler import Leadership, leader_lock
from tests.faults.leases_worker import DEADLINE, until
from tests.pinned_clock import PinnedClock

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def test_migrations_are_all_applied(database: Any) -> None:
    assert await db.pending_migrations() == {}
    tables = {t._meta.tablename for config in db.app_configs() for t in config.table_classes}
    assert {"app_user", "audit_event", "journal_entry", "journal_posting", "job_run"} <= tables
    for table in tables:
        assert await database.run_ddl(f"SELECT COUNT(*) AS n FROM {table}") is not None  # noqa: S608 - our names


def test_app_refuses_a_database_behind_its_migrations(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="s" * 32)
    app = create_app(settings)
    with pytest.raises(BaseException) as caught, TestClient(app=app):  # noqa: PT011 - anyio wraps it in a group
        pass
    refusal = caught.value
    while isinstance(refusal, BaseExceptionGroup):
        refusal = refusal.exceptions[0]
    assert isinstance(refusal, DatabaseBehindMigrations)
    assert "Run `relief-ledger db upgrade` first" in str(refusal)


def test_app_starts_on_a_migrated_database(settings: Settings) -> None:
    with TestClient(app=create_app(settings)) as client:
        health = client.get("/health")
    engine = "postgres" if settings.is_postgres else "sqlite"
    assert health.json() == {
        "status": "ok",
        "reasons": [],
        "database": engine,
        "ledger": {
            "journal_seq": 0,
            "exported_seq": 0,
            "in_sync": True,
            "lag_entries": 0,
            "lag_seconds": 0,
            "last_check": None,
            "last_verify": None,
            "export_failure": None,
        },
    }


def _spec(body: Any) -> JobSpec:
    return JobSpec(name="test-job", description="", cron={"hour": 1}, period_of=daily_period, body=body)


async def test_a_period_runs_once(database: Any) -> None:
    calls: list[str] = []

    async def body(period: str) -> str:
        calls.append(period)
        return "ok"

    first = await run_job(_spec(body), "2026-10")
    second = await run_job(_spec(body), "2026-10")
    other = await run_job(_spec(body), "2026-11")
    assert (first.status, second.status, other.status) == ("done", "skipped", "done")
    assert calls == ["2026-10", "2026-11"]
    rows = await JobRun.select(JobRun.key, JobRun.status).order_by(JobRun.key)
    assert rows == [
        {"key": "test-job:2026-10", "status": "done"},
        {"key": "test-job:2026-11", "status": "done"},
    ]


async def test_a_failed_period_can_run_again(database: Any) -> None:
    attempts: list[int] = []

    async def flaky(period: str) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("bank file not there yet")
        return f"done {period}"

    failed = await run_job(_spec(flaky), "2026-10")
    assert failed.status == "failed"
    assert "bank file not there yet" in failed.result
    retried = await run_job(_spec(flaky), "2026-10")
    assert retried.status == "done"
    row = await JobRun.select().where(JobRun.key == "test-job:2026-10").first()
    assert row["attempts"] == 2
    assert row["status"] == "done"


def test_scheduler_runs_every_job_in_shanghai_time_when_enabled(settings: Settings) -> None:
    from dataclasses import replace

    from ledger.scheduler import job_specs

    app = create_app(replace(settings, scheduler_enabled=True))
    with TestClient(app=app):
        assert app.state.leadership.leading
        jobs = {job.id: job for job in app.state.leadership.scheduler.get_jobs()}
        assert set(jobs) == {spec.name for spec in job_specs(settings)}
        assert {
            "ledger-export",
            "ledger-check",
            "claims-overdue",
            "funds-period-close",
            "reports-archive",
        } <= set(jobs)
        assert all(str(job.trigger.timezone) == "Asia/Shanghai" for job in jobs.values())
        assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())


def test_scheduler_is_off_by_default(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app=app):
        assert getattr(app.state, "leadership", None) is None


# -- one unit of work per keyed request --------------------------------------------------------------


async def _post_entry(n: int) -> None:
    async with db.write_transaction():
        await journal.post(
            date=dt.date(2026, 10, 1),
            book="insurance",
            narration=f"测试 {n}",
            postings=[
                Posting("Expenses:Insurance:Claims:FireExplosion", 100),
                Posting("Assets:Insurance:Bank", -100),
            ],
            cause=f"test:{n}",
            actor="tester",
        )


async def _post_in_a_unit_that_breaks() -> None:
    async with db.unit_of_work():
        await _post_entry(2)
        raise RuntimeError("the handler broke")


async def test_a_unit_of_work_commits_all_or_nothing_and_exports_after_its_commit(
    database: Any, settings: Settings
) -> None:
    ledger = Ledger.of(settings)
    repo = JournalRepository()
    async with db.unit_of_work() as unit:
        await _post_entry(1)
        await ledger.export_quietly()
        assert ledger.files.exported_seq() == 0  # files never hold what may still roll back
        await unit.rollback()
    assert await repo.count() == 0
    assert ledger.files.exported_seq() == 0
    with pytest.raises(RuntimeError, match="the handler broke"):
        await _post_in_a_unit_that_breaks()
    assert await repo.count() == 0
    async with db.unit_of_work():
        await _post_entry(3)
        await ledger.export_quietly()
        assert ledger.files.exported_seq() == 0
    assert await repo.count() == 1
    assert ledger.files.exported_seq() == 1
    assert (await ledger.check()).ok


# -- job runs under a lease ---------------------------------------------------------------------------


def _holder(pid: int, name: str = "other") -> str:
    me = leases.this_process()
    return str(leases.Holder(host=me.host, boot_id=me.boot_id, pid=pid, token=name))


async def _dead_pid() -> int:
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await process.wait()
    return process.pid


async def _running(key: str, holder: str, lease_until: dt.datetime) -> None:
    job, period = key.split(":")
    await JobRun.insert(
        JobRun(
            key=key,
            job=job,
            period=period,
            status="running",
            started_at=clock.now(),
            holder=holder,
            lease_until=lease_until,
        )
    )


async def _run_row(key: str) -> dict[str, Any]:
    row: dict[str, Any] = await JobRun.select().where(JobRun.key == key).first()
    return row


async def test_a_run_whose_process_died_is_abandoned_and_runs_again_once(database: Any) -> None:
    dead = await _dead_pid()
    await _running("test-job:2026-10", _holder(dead), clock.now() + dt.timedelta(hours=1))
    calls: list[str] = []

    async def body(period: str) -> str:
        calls.append(period)
        return "ok"

    assert await reap_stale_runs() == ["test-job:2026-10"]
    abandoned = await _run_row("test-job:2026-10")
    assert abandoned["status"] == "abandoned"
    assert (
        abandoned["result"] == f"abandoned: its process (pid {dead} on {leases.this_process().host}) is gone"
    )
    outcomes = await rerun_abandoned([_spec(body)])
    assert [(o.key, o.status) for o in outcomes] == [("test-job:2026-10", "done")]
    assert await rerun_abandoned([_spec(body)]) == []
    assert calls == ["2026-10"]
    row = await _run_row("test-job:2026-10")
    assert (row["status"], row["attempts"], row["result"]) == ("done", 2, "ok")
    assert row["holder"] == str(leases.this_process())
    assert row["lease_until"] is None


async def test_a_live_holder_keeps_its_run_until_its_lease_runs_out(database: Any) -> None:
    alive = _holder(os.getppid())
    await _running("test-job:2026-10", alive, clock.now() + dt.timedelta(hours=1))

    async def body(period: str) -> str:
        return period

    assert await reap_stale_runs() == []
    skipped = await run_job(_spec(body), "2026-10")
    assert (skipped.status, skipped.result) == ("skipped", "already ran or running")
    await JobRun.update({JobRun.lease_until: clock.now() - dt.timedelta(seconds=1)}).where(
        JobRun.key == "test-job:2026-10"
    )
    again = await run_job(_spec(body), "2026-10")
    assert (again.status, again.result) == ("done", "2026-10")
    assert (await _run_row("test-job:2026-10"))["attempts"] == 2


async def test_a_run_renews_its_lease_while_it_works(database: Any, pinned_clock: PinnedClock) -> None:
    release = asyncio.Event()
    renewals: set[dt.datetime] = set()

    async def slow(period: str) -> str:
        await release.wait()
        return "finished"

    lease = dt.timedelta(seconds=0.3)
    running = asyncio.create_task(run_job(_spec(slow), "2026-10", lease=lease))

    async def renewed_twice() -> bool:
        # The clock is stopped; a millisecond a poll lets each renewal stamp a new lease end while
        # the lease (0.3 s of clock time) never runs out under the run.
        pinned_clock.advance(dt.timedelta(milliseconds=1))
        row = await _run_row("test-job:2026-10")
        if row is not None and row["lease_until"] is not None:
            renewals.add(row["lease_until"])
        assert await reap_stale_runs() == []  # a working run is never taken for stale
        return len(renewals) >= 3

    await until(renewed_twice, "the lease is renewed twice")
    release.set()
    outcome = await asyncio.wait_for(running, DEADLINE)
    assert (outcome.status, outcome.result) == ("done", "finished")
    row = await _run_row("test-job:2026-10")
    assert (row["status"], row["attempts"]) == ("done", 1)


async def test_a_run_taken_over_stops_its_work(database: Any) -> None:
    stopped = asyncio.Event()

    async def endless(period: str) -> str:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()
        return "never"

    running = asyncio.create_task(run_job(_spec(endless), "2026-10", lease=dt.timedelta(seconds=0.3)))

    async def started() -> bool:
        return await _run_row("test-job:2026-10") is not None

    await until(started, "the run starts")
    thief = _holder(os.getppid(), "thief")
    await JobRun.update({JobRun.holder: thief}).where(JobRun.key == "test-job:2026-10")
    outcome = await asyncio.wait_for(running, DEADLINE)
    assert outcome.status == "abandoned"
    assert stopped.is_set()
    row = await _run_row("test-job:2026-10")
    assert (row["status"], row["holder"]) == ("running", thief)


# -- one scheduler leads ------------------------------------------------------------------------------


def _leadership(settings: Settings, specs: list[JobSpec]) -> Leadership:
    return Leadership(specs, leader_lock(settings), tz=SHANGHAI, lease=dt.timedelta(seconds=5), poll=0.05)


async def test_one_scheduler_leads_and_another_takes_over_when_it_stops(
    database: Any, settings: Settings
) -> None:
    first, second = _leadership(settings, []), _leadership(settings, [])
    try:
        await first.beat()
        await second.beat()
        assert (first.leading, second.leading) == (True, False)
        await first.beat()
        await second.beat()
        assert (first.leading, second.leading) == (True, False)
        await first.close()
        await second.beat()
        assert (first.leading, second.leading) == (False, True)
    finally:
        await first.close()
        await second.close()


async def test_a_new_leader_runs_a_fire_time_missed_within_the_hour(
    database: Any, settings: Settings
) -> None:
    missed = clock.now().astimezone(SHANGHAI) - dt.timedelta(minutes=1)
    calls: list[str] = []

    async def body(period: str) -> str:
        calls.append(period)
        return "caught up"

    spec = JobSpec(
        name="test-job",
        description="",
        cron={"hour": missed.hour, "minute": missed.minute},
        period_of=daily_period,
        body=body,
    )
    leader = _leadership(settings, [spec])
    try:
        await leader.beat()
        key = f"test-job:{daily_period(missed)}"

        async def caught_up() -> bool:
            row = await _run_row(key)
            return row is not None and row["status"] == "done"

        await until(caught_up, "the missed fire time has run")
        await leader.beat()
        assert calls == [daily_period(missed)]
    finally:
        await leader.close()
