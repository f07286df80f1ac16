"""The demo data, then the nightly overdue job on it, through the service on the configured engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ledger.claims import demo as claims_demo
from ledger.claims.jobs import job_specs
from ledger.claims.tables import ClaimRow, PaymentRow
from ledger.config import Settings
from ledger.demo import load_demo_users
from ledger.journal.repository import JournalRepository
from ledger.platform.jobs import run_job
from ledger.platform.tables import AuditEvent
from tests.pinned_clock import PINNED_TODAY


async def test_demo_then_overdue_job(database: Any, settings: Settings) -> None:
    await load_demo_users(settings)
    lines = await claims_demo.load_demo(settings)
    assert "60 claims" in lines[0]
    statuses = {row["status"] for row in await ClaimRow.select(ClaimRow.status)}
    assert statuses == set(claims_demo.STOPS)
    perils = {row["peril"] for row in await ClaimRow.select(ClaimRow.peril)}
    assert len(perils) == 10
    payments = await PaymentRow.count()
    assert payments == 18
    assert await JournalRepository().count() == payments + 1  # and the premium
    assert await claims_demo.load_demo(settings) == ["claims demo: already loaded"]
    assert await ClaimRow.count() == 60
    await _overdue_job_flags_late_decisions_and_payments_once(settings)


async def _overdue_job_flags_late_decisions_and_payments_once(settings: Settings) -> None:
    spec = next(s for s in job_specs(settings) if s.name == "claims-overdue")
    assert spec.cron == {"hour": 2, "minute": 0}
    late = (PINNED_TODAY + dt.timedelta(days=60)).isoformat()
    outcome = await run_job(spec, late)
    # under review + assessed (decision due in 30 days, advance payment in 60), approved + partly paid
    # (payment due in 10) and rejected (the notice due in 3): six claims stop at each status
    assert outcome.status == "done"
    assert outcome.result.startswith("30 claim(s)")
    flagged = {
        row["status"] for row in await ClaimRow.select(ClaimRow.status).where(ClaimRow.overdue.eq(True))
    }
    assert flagged == {"under_review", "assessed", "approved", "partly_paid", "rejected"}
    assert await AuditEvent.count().where(AuditEvent.action == "claim.overdue") == 30
    again = await run_job(spec, late)
    assert (again.ran, again.status) == (False, "skipped")
    assert (await run_job(spec, (PINNED_TODAY + dt.timedelta(days=61)).isoformat())).result.startswith(
        "0 claim"
    )
