"""A year of 低保 for one household through the services and the scheduled job: a member joining in April
and one dying in September, each month's amount to the fen in the cycle rows, the journal and the
Beancount files (found with bean-query by household), and the month's job run twice paying once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

from ledger.config import Settings
from ledger.core.money import format_amount
from ledger.journal.service import balances
from ledger.journal.tables import JournalEntryRow
from ledger.platform.domain import Principal, Role
from ledger.platform.jobs import run_job
from ledger.relief import jobs
from ledger.relief.domain import Month, months
from ledger.relief.schemas import HouseholdCreate, MemberIn
from ledger.relief.service import ReliefService
from ledger.relief.tables import ReliefCycle, ReliefRow
from tests.api.claims.conftest import resident_id
from tests.pinned_clock import SHANGHAI, PinnedClock

CASEWORKER = Principal(user_id=1, username="caseworker", role=Role.CASEWORKER)
OFFICER = Principal(user_id=2, username="officer", role=Role.RELIEF_OFFICER)
ACCOUNTANT = Principal(user_id=3, username="accountant", role=Role.ACCOUNTANT)
EXPECTED = [122_000] * 3 + [188_000] * 5 + [188_000] + [122_000] * 3
"""Two members (income 100.00) from January, a third from April, the second dies in September."""


def _member(n: int, joined: str) -> MemberIn:
    return MemberIn(
        resident_id=resident_id(n), name=f"成员{n}", relation="self", joined_on=dt.date.fromisoformat(joined)
    )


async def _pay_month(service: ReliefService, month: Month, clock: PinnedClock) -> None:
    clock.set(dt.datetime(month.year, month.month, 5, 9, 0, tzinfo=SHANGHAI))
    spec = next(s for s in jobs.job_specs(service.settings) if s.name == jobs.DRAFT_JOB)
    first = await run_job(spec)
    second = await run_job(spec)
    assert (first.key, first.status, second.status) == (f"relief-draft:{month}", "done", "skipped")
    assert await service.draft_month(str(month)) == []  # by hand after the job: nothing new
    await service.approve_cycle(OFFICER, "dibao", str(month))
    issued = await service.issue(ACCOUNTANT, "qdrcb")
    answers = "".join(f"{r.row_no},paid,\n" for r in issued.rows)
    await service.import_returns(ACCOUNTANT, issued.file.file_no, "row_no,result,reason\n" + answers)


async def test_a_year_month_by_month(database: Any, settings: Settings, pinned_clock: PinnedClock) -> None:
    service = ReliefService(settings)
    pinned_clock.set(dt.datetime(2026, 1, 3, 9, 0, tzinfo=SHANGHAI))
    await service.register(
        CASEWORKER,
        HouseholdCreate(
            street="城阳街道",
            community="城阳社区",
            address="正阳路1号",
            bank_code="qdrcb",
            bank_account="6228480000001234",
            bank_holder="成员1",
            monthly_income="100.00",
            members=[_member(1, "2010-01-01"), _member(2, "2010-01-01")],
        ),
    )
    enrolment = await service.apply(CASEWORKER, "HH000001", "dibao")
    await service.approve(OFFICER, enrolment.enrolment_no, "2026-01")
    for month in months(Month(2026, 1), Month(2026, 12)):
        if month == Month(2026, 4):
            pinned_clock.set(dt.datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI))
            await service.add_member(CASEWORKER, "HH000001", _member(3, "2026-04-02"))
        if month == Month(2026, 9):
            pinned_clock.set(dt.datetime(2026, 9, 4, 9, 0, tzinfo=SHANGHAI))
            await service.member_left(CASEWORKER, "HH000001", resident_id(2), dt.date(2026, 9, 3), died=True)
        await _pay_month(service, month, pinned_clock)

    rows = await ReliefRow.select(ReliefRow.amount_fen, ReliefRow.cycle.month, ReliefRow.status).order_by(
        ReliefRow.id
    )
    assert [r["amount_fen"] for r in rows] == EXPECTED
    assert {r["status"] for r in rows} == {"paid"}
    assert await ReliefCycle.count() == 12 * 3  # every programme's month drafted once (two with no rows)
    assert (await balances("relief"))["Expenses:Relief:Dibao"] == sum(EXPECTED) == 1_860_000
    assert await JournalEntryRow.count().where(JournalEntryRow.cause.like("relief-row:%")) == 12

    ledger = Path(settings.resolved_ledger_dir) / "main.beancount"
    query = (
        "SELECT year(date) * 100 + month(date) AS m, sum(number) AS total "
        "WHERE account = 'Expenses:Relief:Dibao' AND entry_meta('household') = 'HH000001' "
        "GROUP BY m ORDER BY m"
    )
    out = subprocess.run(
        [str(Path(sys.executable).parent / "bean-query"), "-f", "csv", str(ledger), query],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert [line.split(",") for line in out[1:]] == [
        [f"2026{n:02d}", format_amount(fen)] for n, fen in enumerate(EXPECTED, start=1)
    ]
