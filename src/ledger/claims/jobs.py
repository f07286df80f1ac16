"""Scheduled job bodies of the claims domain; the schedule itself is declared in ``ledger.scheduler``."""

from __future__ import annotations

import datetime as dt

from ledger.claims.service import ClaimsService
from ledger.config import Settings
from ledger.platform.jobs import JobSpec, daily_period


def job_specs(settings: Settings) -> list[JobSpec]:
    """The claims jobs: the nightly overdue check at 02:00 Asia/Shanghai."""

    async def mark_overdue(period: str) -> str:
        # The period is yesterday; a claim is overdue once a whole day has passed after its due date.
        today = dt.date.fromisoformat(period) + dt.timedelta(days=1)
        flagged = await ClaimsService(settings).mark_overdue(today)
        return f"{flagged} claim(s) newly overdue on {today.isoformat()}"

    return [
        JobSpec(
            name="claims-overdue",
            description="flag claims past a decision, advance-payment, payment or rejection-notice due date",
            cron={"hour": 2, "minute": 0},
            period_of=daily_period,
            body=mark_overdue,
        )
    ]
