"""Migrations on both engines, the start-up refusal, and jobs that run once per period."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from ledger import db
from ledger.app import DatabaseBehindMigrations, create_app
from ledger.config import Settings
from ledger.platform.jobs import JobSpec, daily_period, run_job
from ledger.platform.tables import JobRun


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
        jobs = {job.id: job for job in app.state.scheduler.get_jobs()}
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
        assert getattr(app.state, "scheduler", None) is None
