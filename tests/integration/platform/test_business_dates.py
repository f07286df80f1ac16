"""Dates the service writes come from its one clock, in the business zone, on the configured engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.columns import Timestamptz

from ledger import db
from ledger.config import Settings
from ledger.demo import load_demo
from ledger.platform.jobs import JobSpec, daily_period, hourly_period, monthly_period, run_job
from ledger.relief import demo as relief_demo
from tests.pinned_clock import PINNED_AT, SHANGHAI, PinnedClock


async def test_a_job_covers_the_period_before_now_in_shanghai(
    database: Any, pinned_clock: PinnedClock
) -> None:
    """At 00:30 on New Year's Day in Shanghai (16:30 on 31 December in UTC) "yesterday" is 31 December
    and "last month" is December."""
    pinned_clock.set(dt.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI))

    async def body(period: str) -> str:
        return period

    periods = {}
    for name, period_of in (("daily", daily_period), ("monthly", monthly_period), ("hourly", hourly_period)):
        spec = JobSpec(name=name, description="", cron={}, period_of=period_of, body=body)
        periods[name] = (await run_job(spec)).result
    assert periods == {"daily": "2026-12-31", "monthly": "2026-12", "hourly": "2027-01-01T00"}


async def test_every_timestamp_the_demo_writes_is_the_clocks(database: Any, settings: Settings) -> None:
    """No row takes its time from the database or from the wall clock (a column default, a stray now())."""
    await load_demo(settings)
    seen: dict[str, set[dt.datetime]] = {}
    for config in db.app_configs():
        for table in config.table_classes:
            for column in table._meta.columns:
                if not isinstance(column, Timestamptz):
                    continue
                rows = await table.select(column).where(column.is_not_null())
                if rows:
                    name = f"{table._meta.tablename}.{column._meta.name}"
                    seen[name] = {row[column._meta.name] for row in rows}
    assert len(seen) >= 20
    assert {
        "app_user.created_at",
        "journal_entry.created_at",
        "claims_claim.created_at",
        "fund.created_at",
    } <= set(seen)
    # the relief demo replays its twelve months with the clock stopped in each (relief.demo.moments)
    allowed = {PINNED_AT, *relief_demo.moments(PINNED_AT)}
    assert {name: moments for name, moments in seen.items() if not moments <= allowed} == {}
    assert seen["relief_cycle.drafted_at"] == set(relief_demo.moments(PINNED_AT)[1:])
