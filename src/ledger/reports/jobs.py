"""Scheduled report jobs: the monthly archive of statements."""

from __future__ import annotations

from ledger.config import Settings
from ledger.platform.jobs import JobSpec, monthly_period
from ledger.reports.service import archive_month


def job_specs(settings: Settings) -> list[JobSpec]:
    """Archive the previous month's statements on the 2nd of each month at 02:30."""

    async def archive(period: str) -> str:
        written = await archive_month(settings, period)
        return f"wrote {len(written)} file(s) to {written[0].parent}"

    return [
        JobSpec(
            name="reports-archive",
            description="Archive last month's statements (PDF, XLSX) in <data_dir>/archive/YYYY-MM/.",
            cron={"day": 2, "hour": 2, "minute": 30},
            period_of=monthly_period,
            body=archive,
        )
    ]
