"""Scheduled job bodies of the relief domain; the schedule itself is declared in ``ledger.scheduler``."""

from __future__ import annotations

import datetime as dt

from ledger.config import Settings
from ledger.platform.jobs import JobSpec
from ledger.relief.service import ReliefService, config_of

DRAFT_JOB = "relief-draft"


def current_month(moment: dt.datetime) -> str:
    """The month of ``moment``, e.g. ``2026-12``: the payroll drafted in a month pays that month."""
    return moment.strftime("%Y-%m")


def job_specs(settings: Settings) -> list[JobSpec]:
    """Draft every programme's cycle of the month on the configured day (once per month: the job key;
    a cycle drafted by hand before is left as it is)."""

    async def draft(period: str) -> str:
        drafted = await ReliefService(settings).draft_month(period)
        return f"drafted {', '.join(drafted)}" if drafted else f"every cycle of {period} was drafted already"

    return [
        JobSpec(
            name=DRAFT_JOB,
            description="Draft each relief programme's monthly cycle from the registry and the rates.",
            cron={"day": config_of(settings).draft_day, "hour": 1, "minute": 0},
            period_of=current_month,
            body=draft,
        )
    ]
