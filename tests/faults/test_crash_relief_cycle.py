"""SIGKILL a real process in the middle of a relief cycle's approval (its entries inserted, nothing
committed) and right after its commit (before the export): either the cycle's effect committed whole or
nothing of it did; after a restart the cycle is approved once, each household's month is posted once,
and the files agree with the journal."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ledger.config import Settings
from ledger.core.errors import IllegalTransition
from ledger.journal.service import Ledger, balances
from ledger.journal.tables import JournalEntryRow
from ledger.platform.domain import Principal, Role
from ledger.relief.schemas import HouseholdCreate, MemberIn
from ledger.relief.service import ReliefService
from ledger.relief.tables import ReliefCycle
from tests.api.claims.conftest import resident_id
from tests.faults.leases_worker import Fleet

pytestmark = pytest.mark.slow

CASEWORKER = Principal(user_id=1, username="caseworker", role=Role.CASEWORKER)
OFFICER = Principal(user_id=2, username="officer", role=Role.RELIEF_OFFICER)
HOUSEHOLDS = 3


@pytest.fixture
async def fleet(settings: Settings) -> AsyncIterator[Fleet]:
    started = Fleet(settings)
    yield started
    await started.stop()


@pytest.fixture
async def drafted(database: Any, settings: Settings) -> ReliefService:
    """Three one-person 低保 households enrolled from December, and December drafted."""
    service = ReliefService(settings)
    for n in range(HOUSEHOLDS):
        member = MemberIn(
            resident_id=resident_id(n + 1), name=f"户主{n}", relation="self", joined_on=dt.date(2020, 1, 1)
        )
        state = await service.register(
            CASEWORKER,
            HouseholdCreate(
                street="城阳街道",
                community="城阳社区",
                address=f"正阳路{n}号",
                bank_code="qdrcb",
                bank_account=f"62284800{n:08d}",
                bank_holder=f"户主{n}",
                members=[member],
            ),
        )
        enrolment = await service.apply(CASEWORKER, state.household.household_no, "dibao")
        await service.approve(OFFICER, enrolment.enrolment_no, "2026-12")
    await service.draft("caseworker", "dibao", "2026-12")
    return service


async def _run_until_killed(fleet: Fleet, fault: str) -> None:
    worker = await fleet.worker("tests.faults.relief_worker", "dibao", "2026-12", RELIEF_FAULT=fault)
    assert worker.process is not None
    await asyncio.wait_for(worker.process.wait(), 60)
    await worker.killed()
    assert worker.saw(f"killed at {fault}"), worker.lines


async def _posted() -> int:
    return await JournalEntryRow.count().where(JournalEntryRow.cause.like("relief-row:dibao:2026-12:%"))


async def _books_agree(settings: Settings) -> None:
    ledger = Ledger.of(settings)
    await ledger.export()
    report = await ledger.check()
    assert report.ok, report.summary_lines()
    assert {k: v for k, v in (await balances("relief")).items() if v} == {
        "Expenses:Relief:Dibao": HOUSEHOLDS * 66_000,
        "Liabilities:Relief:Payable": -HOUSEHOLDS * 66_000,
    }


async def test_killed_mid_posting_leaves_nothing_and_the_cycle_is_approved_once_after(
    drafted: ReliefService, settings: Settings, fleet: Fleet
) -> None:
    await _run_until_killed(fleet, "mid-posting")
    assert await _posted() == 0
    cycle = await ReliefCycle.select(ReliefCycle.status, ReliefCycle.first_seq).first()
    assert cycle == {"status": "draft", "first_seq": None}

    approved = await drafted.approve_cycle(OFFICER, "dibao", "2026-12")
    assert (approved.cycle.status, approved.cycle.first_seq, approved.cycle.last_seq) == ("approved", 1, 3)
    assert await _posted() == HOUSEHOLDS
    await _books_agree(settings)


async def test_killed_after_the_commit_the_files_catch_up_and_a_second_approval_is_refused(
    drafted: ReliefService, settings: Settings, fleet: Fleet
) -> None:
    await _run_until_killed(fleet, "after-commit")
    assert await _posted() == HOUSEHOLDS
    assert (await ReliefCycle.select(ReliefCycle.status).first()) == {"status": "approved"}
    with pytest.raises(IllegalTransition):
        await drafted.approve_cycle(OFFICER, "dibao", "2026-12")
    assert await _posted() == HOUSEHOLDS
    await _books_agree(settings)
