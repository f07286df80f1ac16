"""SIGKILL the posting/exporting process at random points; after each restart the ledger is exact."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from ledger.config import Settings
from ledger.journal.repository import JournalRepository
from ledger.journal.service import Ledger

WORKER = Path(__file__).with_name("crash_worker.py")
KILLS = 20


@pytest.mark.slow
async def test_killed_exporter_never_loses_or_doubles_an_entry(database: Any, settings: Settings) -> None:
    rng = random.Random(20261129)
    ledger = Ledger.of(settings)
    repo = JournalRepository()
    database_url = settings.database_url or settings.resolved_database_url
    repaired_total = 0
    for _ in range(KILLS):
        start = await repo.count()
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            str(settings.data_dir),
            database_url,
            str(start),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert worker.stdout is not None
        for _ in range(rng.randint(1, 12)):
            line = await worker.stdout.readline()
            assert line, "worker died: " + (await worker.stderr.read()).decode() if worker.stderr else ""
        worker.send_signal(signal.SIGKILL)
        await worker.communicate()

        result = await ledger.export()
        repaired_total += len(result.repaired)
        report = await ledger.check()
        assert report.ok, report.summary_lines()
        count = await repo.count()
        assert report.chain.count == count
        assert result.last_seq == count
        texts = "".join(p.read_text() for p in sorted(settings.resolved_ledger_dir.glob("20*.beancount")))
        assert texts.count("  seq: ") == count
    assert await repo.count() >= KILLS
