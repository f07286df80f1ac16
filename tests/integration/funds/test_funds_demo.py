"""The funds demo: grants in every state, a balanced ledger, and a second load changes nothing."""

from __future__ import annotations

from typing import Any

from ledger.demo import load_demo_users
from ledger.funds import demo
from ledger.funds.service import FundService
from ledger.funds.tables import Grant, GrantApplication, Grantee
from ledger.journal.service import Ledger, balances
from ledger.journal.tables import JournalEntryRow


async def test_demo_loads_every_state_once(database: Any, settings: Any) -> None:
    await load_demo_users(settings)
    await demo.load_demo(settings)
    entries = await JournalEntryRow.count()
    assert await demo.load_demo(settings) == ["funds demo already loaded"]
    assert await JournalEntryRow.count() == entries

    assert await Grantee.count() == 12
    statuses = {row["status"] for row in await Grant.select(Grant.status)}
    assert statuses == {
        "agreement_pending",
        "committed",
        "in_progress",
        "report_submitted",
        "report_accepted",
        "final_accepted",
        "closed",
        "cancelled",
    }
    applications = {row["status"] for row in await GrantApplication.select(GrantApplication.status)}
    assert applications == {"approved", "rejected", "under_review"}
    assert await Grant.count().where(Grant.returned_fen > 0) == 1

    service = FundService(settings)
    fund = (await service.funds.all())[0]
    position = await service.fund_position(fund.id)
    sums = await balances("charity")
    assert position.received == 116_000_000
    assert sums["Assets:Charity:Bank"] == position.cash
    assert -sums["Liabilities:Charity:GrantsPayable"] == position.payable
    assert (
        position.available
        == position.received - position.committed_unpaid - position.paid + position.returned
    )
    await Ledger.of(settings).export()
    report = await Ledger.of(settings).check()
    assert report.ok, report.summary_lines()
