"""The period close as a service and as the monthly job: once per period, in order, then shut."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from ledger.core.errors import LedgerError
from ledger.funds import jobs
from ledger.funds.domain import ReceiptKind, Restriction, period_end
from ledger.funds.errors import PeriodAlreadyClosed, PeriodClosed, PeriodNotOver, PeriodOutOfOrder
from ledger.funds.service import FundService
from ledger.funds.tables import PeriodClose
from ledger.journal.service import balances
from ledger.journal.tables import JournalEntryRow
from ledger.platform.domain import Principal, Role
from ledger.platform.jobs import run_job
from ledger.platform.tables import AuditEvent
from tests.pinned_clock import PINNED_TODAY

ACTOR = Principal(user_id=1, username="accountant", role=Role.ACCOUNTANT)
_REFERENCES = itertools.count(1)
TODAY = PINNED_TODAY
LAST_MONTH_END = TODAY.replace(day=1) - dt.timedelta(days=1)
LAST_MONTH = LAST_MONTH_END.strftime("%Y-%m")
TWO_MONTHS_AGO_END = LAST_MONTH_END.replace(day=1) - dt.timedelta(days=1)
TWO_MONTHS_AGO = TWO_MONTHS_AGO_END.strftime("%Y-%m")


async def _funded(settings: Any, on: dt.date, amount: int = 100_000_000) -> FundService:
    service = FundService(settings)
    fund = await service.create_fund(
        code="g", name="引导资金", purpose="帮扶", restriction=Restriction.RESTRICTED, actor=ACTOR
    )
    await service.record_receipt(
        fund.id,
        kind=ReceiptKind.GOVERNMENT_GRANT,
        amount_fen=amount,
        donor="城阳区财政局",
        agreement="城财1号",
        reference=f"BR-{next(_REFERENCES)}",
        received_on=on,
        actor=ACTOR,
    )
    return service


def test_period_end() -> None:
    assert period_end("2024-02") == dt.date(2024, 2, 29)
    assert period_end("2026") == dt.date(2026, 12, 31)
    with pytest.raises(LedgerError) as err:
        period_end("2026-13")
    assert err.value.field == "period"


async def test_job_closes_last_month_once(database: Any, settings: Any) -> None:
    await _funded(settings, LAST_MONTH_END)
    spec = next(s for s in jobs.job_specs(settings) if s.name == "funds-period-close")

    first = await run_job(spec)
    second = await run_job(spec)

    assert (first.key, first.status) == (f"funds-period-close:{LAST_MONTH}", "done")
    assert (second.ran, second.status) == (False, "skipped")
    assert await PeriodClose.count() == 1
    assert await JournalEntryRow.count().where(JournalEntryRow.cause == f"period-close:{LAST_MONTH}") == 1
    closed = {k: v for k, v in (await balances("charity")).items() if v}
    assert closed == {"Assets:Charity:Bank": 100_000_000, "Equity:Charity:NetAssets:Restricted": -100_000_000}


async def test_job_after_a_manual_close_is_done_without_a_second_entry(database: Any, settings: Any) -> None:
    service = await _funded(settings, LAST_MONTH_END)
    await service.close_period(LAST_MONTH, actor=ACTOR)
    spec = jobs.job_specs(settings)[0]
    outcome = await run_job(spec, LAST_MONTH)
    assert outcome.status == "done"
    assert "already closed" in outcome.result
    assert await JournalEntryRow.count().where(JournalEntryRow.cause.like("period-close:%")) == 1
    with pytest.raises(PeriodAlreadyClosed):
        await service.close_period(LAST_MONTH, actor=ACTOR)


async def test_close_order_open_periods_and_closed_dates(database: Any, settings: Any) -> None:
    service = await _funded(settings, TWO_MONTHS_AGO_END)
    with pytest.raises(PeriodNotOver):
        await service.close_period(TODAY.strftime("%Y-%m"), actor=ACTOR)
    await service.close_period(LAST_MONTH, actor=ACTOR)
    with pytest.raises(PeriodOutOfOrder):
        await service.close_period(TWO_MONTHS_AGO, actor=ACTOR)

    fund_id = (await service.all_funds())[0].id
    audits, entries = await AuditEvent.count(), await JournalEntryRow.count()

    async def donate_100_fen(on: dt.date) -> None:
        await service.record_receipt(
            fund_id,
            kind=ReceiptKind.DONATION,
            amount_fen=100,
            donor="某公司",
            agreement="D1",
            reference=f"BR-{next(_REFERENCES)}",
            received_on=on,
            actor=ACTOR,
        )

    with pytest.raises(PeriodClosed) as err:
        await donate_100_fen(LAST_MONTH_END)
    assert err.value.field == "received_on"
    assert (await AuditEvent.count(), await JournalEntryRow.count()) == (audits, entries)
    await donate_100_fen(TODAY)
    assert (await service.fund_position(fund_id)).available == 100_000_100


async def test_a_period_with_nothing_open_closes_without_an_entry(database: Any, settings: Any) -> None:
    row = await FundService(settings).close_period(LAST_MONTH, actor=ACTOR)
    assert row.journal_seq is None
    assert await JournalEntryRow.count() == 0
