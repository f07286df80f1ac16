"""Fixtures for the ledger core: the packaged chart and an exported sample ledger."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.books import Chart, LedgerFiles, load_chart
from tests.unit.books.journal import SAMPLE, export_all


@pytest.fixture(scope="session")
def chart() -> Chart:
    return load_chart()


@pytest.fixture
async def sample_ledger(tmp_path: Path, chart: Chart) -> LedgerFiles:
    """The six SAMPLE entries exported into a fresh directory."""
    return await export_all(tmp_path / "ledger", chart, SAMPLE)
