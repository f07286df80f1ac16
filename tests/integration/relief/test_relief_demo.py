"""The relief demo: twelve paid months, a failed line reissued, a death's overpayment, a statement that
reconciles; a second load changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ledger.demo import load_demo_users
from ledger.journal.service import Ledger, balances
from ledger.journal.tables import JournalEntryRow
from ledger.relief import demo
from ledger.relief.service import ReliefService
from ledger.relief.tables import ReliefBankRow, ReliefCycle, ReliefEnrolment, ReliefRow


async def test_demo_pays_a_year_once(database: Any, settings: Any) -> None:
    await load_demo_users(settings)
    lines = await demo.load_demo(settings)
    assert "cycles 2026-01..2026-12 paid" in lines[0]
    entries = await JournalEntryRow.count()
    assert await demo.load_demo(settings) == ["relief demo: already loaded"]
    assert await JournalEntryRow.count() == entries

    assert await ReliefCycle.count() == 36
    assert {r["status"] for r in await ReliefCycle.select(ReliefCycle.status)} == {"paid"}
    assert await ReliefRow.count().where(ReliefRow.status != "paid") == 0
    failed = await ReliefBankRow.select().where(ReliefBankRow.result == "failed")
    assert [(r["reason"], r["account_no"]) for r in failed] == [("账户已销户", failed[0]["account_no"])]
    reissued = await ReliefBankRow.select().where(ReliefBankRow.row == failed[0]["row"])
    assert [r["result"] for r in reissued] == ["failed", "paid"]
    assert reissued[1]["account_no"] == "6228480099990003"
    dead = await ReliefEnrolment.select().where(ReliefEnrolment.overpaid_fen > 0)
    assert [(d["status"], d["overpaid_fen"]) for d in dead] == [("terminated", dead[0]["overpaid_fen"])]

    sums = {k: v for k, v in (await balances("relief")).items() if v}
    assert sums["Assets:Relief:Recoverable"] == dead[0]["overpaid_fen"]
    assert "Liabilities:Relief:Payable" not in sums  # every month paid
    found = await ReliefService(settings).reconcile(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (found.statement_only, found.ledger_only) == ([], [])
    assert found.statement_fen == found.ledger_fen == sums["Assets:Relief:Bank"]
    report = await Ledger.of(settings).check()
    assert report.ok, report
