"""Scheduled ledger jobs: the catch-up export and the nightly check."""

from __future__ import annotations

from ledger.config import Settings
from ledger.journal.service import Ledger
from ledger.platform.jobs import JobSpec, daily_period, hourly_period


def job_specs(settings: Settings) -> list[JobSpec]:
    """Export every hour (a safety net: each commit exports too) and check the ledger every night."""
    ledger = Ledger.of(settings)

    async def export(period: str) -> str:
        del period
        result = await ledger.export()
        return f"appended {result.appended}, last seq {result.last_seq}, repaired {len(result.repaired)}"

    async def check(period: str) -> str:
        del period
        report = await ledger.check()
        if not report.ok:
            raise RuntimeError("; ".join(report.summary_lines()))
        return " ".join(report.summary_lines())

    return [
        JobSpec(
            name="ledger-export",
            description="Append journal entries not yet in the Beancount files (catch-up after a crash).",
            cron={"minute": 5},
            period_of=hourly_period,
            body=export,
        ),
        JobSpec(
            name="ledger-check",
            description="bean-check, hash chain and journal reconciliation; the result is kept.",
            cron={"hour": 1, "minute": 15},
            period_of=daily_period,
            body=check,
        ),
    ]
