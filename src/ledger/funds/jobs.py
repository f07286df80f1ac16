"""Scheduled job bodies of the funds domain; the schedule itself is declared in ``ledger.scheduler``."""

from __future__ import annotations

from ledger.config import Settings
from ledger.platform.jobs import JobSpec


def job_specs(settings: Settings) -> list[JobSpec]:
    """The funds jobs."""
    del settings
    return []
