"""Scheduled job bodies of the funds domain; the schedule itself is declared in ``ledger.scheduler``."""

from __future__ import annotations

from ledger.config import Settings
from ledger.funds.errors import PeriodAlreadyClosed
from ledger.funds.service import FundService
from ledger.platform.jobs import JobSpec, monthly_period
from ledger.platform.service import SYSTEM_ACTOR

PERIOD_CLOSE_JOB = "funds-period-close"


def job_specs(settings: Settings) -> list[JobSpec]:
    """Close the previous month of the charity book on the 1st (once per period: the job key)."""

    async def close(period: str) -> str:
        try:
            row = await FundService(settings).close_period(period, actor=SYSTEM_ACTOR)
        except PeriodAlreadyClosed:
            return f"period {period} was already closed by hand"
        seq = row.journal_seq
        return f"closed {period}: " + (f"entry {seq}" if seq is not None else "nothing to close")

    return [
        JobSpec(
            name=PERIOD_CLOSE_JOB,
            description="Close the charity book's income and expense of last month into net assets.",
            cron={"day": 1, "hour": 2, "minute": 0},
            period_of=monthly_period,
            body=close,
        )
    ]
