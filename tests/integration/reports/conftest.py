"""Fixtures: the sample ledger on the test database (both engines)."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.config import Settings
from tests.integration.reports.sample import Sample, build_sample


@pytest.fixture
async def sample(database: Any, settings: Settings) -> Sample:
    """The sample ledger, posted, exported and checked clean."""
    return await build_sample(settings)
