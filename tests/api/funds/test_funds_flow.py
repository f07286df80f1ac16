"""The ADR 0002 worked example over HTTP, pinned to the fen: position, journal, Beancount files, close."""

from __future__ import annotations

from typing import Any

from ledger.books import load
from ledger.journal.service import Ledger, balances
from ledger.journal.tables import JournalEntryRow
from tests.api.funds.conftest import PAST, PERIOD, Funds

BANK = "Assets:Charity:Bank"
PAYABLE = "Liabilities:Charity:GrantsPayable"
PROGRAMS = "Expenses:Charity:Programs"
RESTRICTED = "Equity:Charity:NetAssets:Restricted"
UNRESTRICTED = "Equity:Charity:NetAssets:Unrestricted"
GRANT_INCOME = "Income:Charity:GovernmentGrant:Restricted"
DONATIONS = "Income:Charity:Donations:Restricted"


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}" if fen >= 0 else "-" + yuan(-fen)


async def charity() -> dict[str, int]:
    return {k: v for k, v in (await balances("charity")).items() if v}


async def test_worked_example_to_the_fen(funds: Funds, settings: Any) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "1000000.00")
    await funds.receive(fund, "200000.00", kind="donation")
    assert (await funds.position(fund))["available"] == "1200000.00"
    call = await funds.call(fund)

    a = await funds.signed(call, "333333.33", budget="666666.66", pledged="333333.33")
    b = await funds.signed(call, "100000.00")
    assert [t["amount"] for t in (await funds.get(f"/api/grants/{a['id']}"))["tranches"]] == [
        "199999.99",
        "133333.34",
    ]
    assert await charity() == {
        BANK: 120_000_000,
        GRANT_INCOME: -100_000_000,
        DONATIONS: -20_000_000,
        PROGRAMS: 43_333_333,
        PAYABLE: -43_333_333,
        RESTRICTED: 43_333_333,
        UNRESTRICTED: -43_333_333,
    }
    position = await funds.position(fund)
    assert position["available"] == "766666.67"
    assert position["committed_unpaid"] == position["payable"] == "433333.33"

    assert (await funds.pay(a["id"], 1)).status_code == 201
    bank = (await charity())[BANK]
    assert bank == 100_000_001
    cancelled = await funds.ok(
        f"/api/grants/{b['id']}/cancel", {"reason": "机构注销", "cancelled_on": PAST.isoformat()}, funds.admin
    )
    assert (cancelled["status"], cancelled["released"], cancelled["unpaid"]) == (
        "cancelled",
        "100000.00",
        "0.00",
    )
    assert (await funds.position(fund))["available"] == "866666.67"

    await funds.report_accepted(a["id"])
    assert (await funds.pay(a["id"], 2)).status_code == 201
    final = await funds.report_accepted(a["id"])
    assert final["status"] == "final_accepted"
    assert final["release_seq"] is None  # nothing unpaid to release
    returned = await funds.ok(
        f"/api/grants/{a['id']}/returns",
        {"amount": "10000.00", "returned_on": PAST.isoformat(), "reference": "R1"},
    )
    assert (returned["paid"], returned["returned"]) == ("333333.33", "10000.00")
    closed = await funds.ok(f"/api/grants/{a['id']}/close")
    assert closed["status"] == "closed"

    position = await funds.position(fund)
    assert position == {
        "fund_id": fund,
        "received": "1200000.00",
        "committed_unpaid": "0.00",
        "unsigned": "0.00",
        "payable": "0.00",
        "paid": "333333.33",
        "returned": "10000.00",
        "available": "876666.67",
        "bank": "876666.67",
    }
    before_close = await charity()
    assert before_close[BANK] == 87_666_667
    assert yuan(before_close[BANK]) == position["bank"]
    assert before_close[PROGRAMS] == 32_333_333

    close = await funds.ok("/api/funds/period-closes", {"period": PERIOD})
    assert close["journal_seq"] is not None
    assert await charity() == {BANK: 87_666_667, RESTRICTED: -87_666_667}

    await assert_files_hold_each_entry_once(settings, a["grant_no"])


async def assert_files_hold_each_entry_once(settings: Any, grant_no: str) -> None:
    """Every payment exactly once in the journal and in the Beancount files; the files check out."""
    report = await Ledger.of(settings).check()
    assert report.ok, report.summary_lines()
    loaded = load(settings.resolved_ledger_dir)
    causes = [e.meta["cause"] for e in loaded.entries if "cause" in e.meta]
    tranches = sorted(c for c in causes if c.startswith("grant-tranche:"))
    assert len(tranches) == len(set(tranches)) == 2
    assert sum(c.startswith("fund-receipt:") for c in causes) == 2
    assert sum(c.startswith("grant-commitment:") for c in causes) == 2
    assert sum(c.startswith("grant-release:") for c in causes) == 1
    assert sum(c.startswith("grant-return:") for c in causes) == 1
    assert causes.count(f"period-close:{PERIOD}") == 1
    journal = await JournalEntryRow.select(JournalEntryRow.cause).where(
        JournalEntryRow.cause.like("grant-tranche:%")
    )
    assert sorted(row["cause"] for row in journal) == tranches
    payment = next(e for e in loaded.entries if e.meta.get("cause") == tranches[0])
    assert payment.meta["grant"] == grant_no
    assert payment.meta["payment-ref"].startswith("BK")
    assert {p.account: str(p.units.number) for p in payment.postings} in (
        {PAYABLE: "199999.99", BANK: "-199999.99"},
        {PAYABLE: "133333.34", BANK: "-133333.34"},
    )
