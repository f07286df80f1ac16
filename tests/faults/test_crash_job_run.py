"""SIGKILL a process in the middle of a job run, and the scheduler's leader: the state heals.

Issue 9, finding 4: a run whose process died stayed ``running`` forever and its period never ran
again. Now the run is marked ``abandoned`` (``relief-ledger jobs list`` shows it) and the scheduler's
leader runs the period once more; and when the leader itself dies, another process takes over.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from ledger.config import Settings
from ledger.funds.tables import PeriodClose
from ledger.journal.tables import JournalEntryRow
from ledger.platform.tables import JobRun
from tests.api.funds.conftest import Funds
from tests.faults.leases_worker import Fleet, assert_books_agree, cli, until

pytestmark = pytest.mark.slow

KEY = "funds-period-close:2026-10"
# Fast beats so that a test never waits long; production defaults are 15 s and 60 s.
QUICK = {"LEDGER_SCHEDULER_POLL_SECONDS": "0.2", "LEDGER_JOB_LEASE_SECONDS": "3", "LEDGER_LOG_LEVEL": "INFO"}


@pytest.fixture
async def fleet(settings: Settings) -> AsyncIterator[Fleet]:
    """The processes of a test, stopped at its end."""
    started = Fleet(settings)
    yield started
    await started.stop()


async def _run() -> dict[str, Any] | None:
    row: dict[str, Any] | None = await JobRun.select().where(JobRun.key == KEY).first()
    return row


async def test_a_job_run_killed_midway_is_abandoned_and_its_period_runs_again_once(
    settings: Settings,
    client: httpx.AsyncClient,
    login: Callable[..., Awaitable[dict[str, str]]],
    fleet: Fleet,
) -> None:
    funds = Funds(client, await login("accountant"), {}, await login("admin"), await login("auditor"))
    fund = await funds.fund()
    receipt = {
        "kind": "donation",
        "amount": "5000.00",
        "donor": "青岛海川建设集团有限公司",
        "agreement": "JZ-2026-10",
        "reference": "BR-JZ-2026-10",
        "received_on": "2026-10-15",
    }
    assert (await funds.post(f"/api/funds/{fund}/receipts", receipt)).status_code == 201

    worker = await fleet.worker("tests.faults.leases_worker", "hang-job", "funds-period-close", "2026-10")
    await worker.printed("job started")
    running = await _run()
    assert running is not None
    assert (running["status"], running["attempts"]) == ("running", 1)
    assert f"/{worker.pid}/" in running["holder"]
    await worker.killed()

    listing = cli(settings, "jobs", "list")
    assert listing.returncode == 0, listing.stderr
    line = next(line for line in listing.stdout.splitlines() if line.startswith("funds-period-close"))
    assert re.search(
        rf"last {KEY} abandoned \(attempt 1\): abandoned: its process \(pid {worker.pid} on \S+\) is gone",
        line,
    ), line
    assert await PeriodClose.count() == 0

    server = await fleet.server(LEDGER_SCHEDULER_ENABLED="true", **QUICK)

    async def ran_again() -> bool:
        run = await _run()
        return run is not None and run["status"] == "done"

    await until(ran_again, "the leader has run the abandoned period again")
    run = await _run()
    assert run is not None
    assert (run["attempts"], run["result"]) == (2, "closed 2026-10: entry 2")
    assert server.saw("this process leads")
    await server.stop()
    closes = await PeriodClose.select(PeriodClose.period, PeriodClose.journal_seq)
    assert closes == [{"period": "2026-10", "journal_seq": 2}]
    assert await JournalEntryRow.count().where(JournalEntryRow.cause == "period-close:2026-10") == 1
    await assert_books_agree(settings)


async def test_another_process_takes_over_the_schedule_when_the_leader_dies(
    settings: Settings, database: Any, fleet: Fleet
) -> None:
    first = await fleet.server(LEDGER_SCHEDULER_ENABLED="true", **QUICK)
    second = await fleet.server(LEDGER_SCHEDULER_ENABLED="true", **QUICK)
    assert first.saw("this process leads")
    assert not second.saw("this process leads")
    assert second.saw("stands by")

    await first.killed()
    await second.printed("this process leads")
    third = await fleet.server(LEDGER_SCHEDULER_ENABLED="true", **QUICK)
    assert third.saw("stands by")
    assert not third.saw("this process leads")
    await assert_books_agree(settings)
