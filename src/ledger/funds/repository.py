"""Every query of the funds tables. Money is summed in Python from integer rows, never in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from piccolo.table import Table

from ledger.core.records import Record, record_of, records_of
from ledger.funds.records import (
    ApplicationRecord,
    CallRecord,
    ConflictLinkRecord,
    FundRecord,
    GrantApprovals,
    GranteeRecord,
    GrantMoney,
    GrantOfPeriod,
    GrantRecord,
    PeriodCloseRecord,
    ReceiptRecord,
    ReportRecord,
    ReturnRecord,
    ReviewRecord,
    TrancheRecord,
)
from ledger.funds.tables import (
    ConflictLink,
    Fund,
    FundCall,
    FundReceipt,
    Grant,
    GrantApplication,
    Grantee,
    GrantReport,
    GrantReturn,
    GrantReview,
    GrantTranche,
    PeriodClose,
)

R = TypeVar("R", bound=Record)

#: One ``IN (...)`` list at a time stays well under SQLite's bound-parameter limit.
_BATCH = 500


async def _insert(table: type[Table], **values: Any) -> int:
    rows = await table.insert(table(**values)).returning(table._meta.primary_key)
    return int(rows[0]["id"])


async def _one(table: type[Table], kind: type[R], row_id: int) -> R | None:
    return await _first(kind, table.select().where(table._meta.primary_key == row_id))


async def _first(kind: type[R], query: Any) -> R | None:
    row = await query.first()
    return None if row is None else record_of(kind, row)


async def _all(kind: type[R], query: Any) -> list[R]:
    return records_of(kind, await query)


async def _update(table: type[Table], row_id: int, values: dict[str, Any]) -> None:
    await table.update({getattr(table, k): v for k, v in values.items()}).where(
        table._meta.primary_key == row_id
    )


class _Rows(Generic[R]):
    """Insert, read and change the rows of one table, read as records of one kind."""

    def __init__(self, table: type[Table], kind: type[R]) -> None:
        self._table, self._kind = table, kind

    async def add(self, **values: Any) -> int:
        """Insert a row and return its id."""
        return await _insert(self._table, **values)

    async def get(self, row_id: int) -> R | None:
        """The row ``row_id``, or ``None``."""
        return await _one(self._table, self._kind, row_id)

    async def update(self, row_id: int, **values: Any) -> None:
        """Change columns of a row."""
        await _update(self._table, row_id, values)


class FundRepository(_Rows[FundRecord]):
    """Funds and their receipts."""

    def __init__(self) -> None:
        super().__init__(Fund, FundRecord)

    async def by_code(self, code: str) -> FundRecord | None:
        """The fund called ``code``, or ``None``."""
        return await _first(FundRecord, Fund.select().where(Fund.code == code))

    async def all(self) -> list[FundRecord]:
        """Every fund, oldest first."""
        return await _all(FundRecord, Fund.select().order_by(Fund.id))

    async def add_receipt(self, **values: Any) -> int:
        """Insert a receipt and return its id."""
        return await _insert(FundReceipt, **values)

    async def set_receipt_seq(self, receipt_id: int, seq: int) -> None:
        """Store the journal entry of a receipt."""
        await _update(FundReceipt, receipt_id, {"journal_seq": seq})

    async def receipt(self, receipt_id: int) -> ReceiptRecord | None:
        """The receipt ``receipt_id``, or ``None``."""
        return await _one(FundReceipt, ReceiptRecord, receipt_id)

    async def receipts(self, fund_id: int, *, limit: int, offset: int) -> list[ReceiptRecord]:
        """A fund's receipts, oldest first."""
        query = FundReceipt.select().where(FundReceipt.fund == fund_id).order_by(FundReceipt.id)
        return await _all(ReceiptRecord, query.limit(limit).offset(offset))

    async def receipt_by_reference(self, reference: str) -> ReceiptRecord | None:
        """The receipt with the bank reference ``reference``, or ``None``."""
        query = FundReceipt.select().where(FundReceipt.bank_reference == reference).order_by(FundReceipt.id)
        return await _first(ReceiptRecord, query)

    async def dated_flows(self, fund_id: int) -> dict[str, list[tuple[dt.date | dt.datetime, int]]]:
        """A fund's dated amounts by kind: received, committed (the agreement's date once signed, as the
        commitment entry is, else the approval's time), paid and returned."""
        received = await FundReceipt.select(FundReceipt.received_on, FundReceipt.fen).where(
            FundReceipt.fund == fund_id
        )
        committed = await Grant.select(Grant.signed_on, Grant.created_at, Grant.amount_fen).where(
            Grant.fund == fund_id
        )
        paid = await GrantTranche.select(GrantTranche.paid_on, GrantTranche.amount_fen).where(
            (GrantTranche.grant.fund == fund_id) & GrantTranche.paid_on.is_not_null()
        )
        returned = await GrantReturn.select(GrantReturn.returned_on, GrantReturn.fen).where(
            GrantReturn.grant.fund == fund_id
        )
        return {
            "received": [(r["received_on"], int(r["fen"])) for r in received],
            "committed": [(r["signed_on"] or r["created_at"], int(r["amount_fen"])) for r in committed],
            "paid": [(r["paid_on"], int(r["amount_fen"])) for r in paid],
            "returned": [(r["returned_on"], int(r["fen"])) for r in returned],
        }

    async def grants_by_call(self, fund_id: int) -> list[tuple[str, GrantMoney]]:
        """Each of a fund's grants with the title of its call, by call and grant."""
        query = Grant.select(
            Grant.application._.call._.title.as_alias("call_title"),
            Grant.status,
            Grant.amount_fen,
            Grant.paid_fen,
            Grant.returned_fen,
            Grant.released_fen,
        ).where(Grant.fund == fund_id)
        rows = await query.order_by(Grant.application._.call._.id).order_by(Grant.id)
        return [(row["call_title"], record_of(GrantMoney, row)) for row in rows]

    async def received_fen(self, fund_id: int) -> int:
        """Everything a fund received."""
        rows = await FundReceipt.select(FundReceipt.fen).where(FundReceipt.fund == fund_id)
        return sum(int(row["fen"]) for row in rows)

    async def grant_money(self, fund_id: int) -> list[GrantMoney]:
        """Status, amount, paid, returned and released of each of a fund's grants."""
        query = Grant.select(
            Grant.status, Grant.amount_fen, Grant.paid_fen, Grant.returned_fen, Grant.released_fen
        ).where(Grant.fund == fund_id)
        return await _all(GrantMoney, query)


class GranteeRepository(_Rows[GranteeRecord]):
    """Social organisations and users' conflict-of-interest links to them."""

    def __init__(self) -> None:
        super().__init__(Grantee, GranteeRecord)

    async def by_credit_code(self, code: str) -> GranteeRecord | None:
        """The grantee with the credit code ``code``, or ``None``."""
        return await _first(GranteeRecord, Grantee.select().where(Grantee.credit_code == code))

    async def page(self, *, limit: int, offset: int) -> list[GranteeRecord]:
        """Grantees by id."""
        return await _all(GranteeRecord, Grantee.select().order_by(Grantee.id).limit(limit).offset(offset))

    async def add_link(self, **values: Any) -> int:
        """Insert a conflict-of-interest link and return its id."""
        return await _insert(ConflictLink, **values)

    async def link_by_key(self, key: str) -> ConflictLinkRecord | None:
        """The link with ``key`` (``<grantee>|<username>``), or ``None``."""
        return await _first(ConflictLinkRecord, ConflictLink.select().where(ConflictLink.key == key))

    async def links(self, grantee_id: int) -> list[ConflictLinkRecord]:
        """The conflict-of-interest links of an organisation."""
        query = ConflictLink.select().where(ConflictLink.grantee == grantee_id).order_by(ConflictLink.id)
        return await _all(ConflictLinkRecord, query)


class CallRepository(_Rows[CallRecord]):
    """Calls for applications."""

    def __init__(self) -> None:
        super().__init__(FundCall, CallRecord)

    async def page(self, *, limit: int, offset: int) -> list[CallRecord]:
        """Calls by id."""
        return await _all(CallRecord, FundCall.select().order_by(FundCall.id).limit(limit).offset(offset))

    async def committed_fen(self, call_id: int) -> int:
        """What the call's grants committed, less what cancellations and closings released."""
        rows = await Grant.select(Grant.amount_fen, Grant.released_fen).where(
            Grant.application.call == call_id
        )
        return sum(int(row["amount_fen"]) - int(row["released_fen"]) for row in rows)


class ApplicationRepository(_Rows[ApplicationRecord]):
    """Applications and their reviews."""

    def __init__(self) -> None:
        super().__init__(GrantApplication, ApplicationRecord)

    async def page(
        self, *, call_id: int | None, status: str | None, limit: int, offset: int
    ) -> list[ApplicationRecord]:
        """Applications by id, optionally of one call or in one status."""
        query = GrantApplication.select().order_by(GrantApplication.id).limit(limit).offset(offset)
        if call_id is not None:
            query = query.where(GrantApplication.call == call_id)
        if status is not None:
            query = query.where(GrantApplication.status == status)
        return await _all(ApplicationRecord, query)

    async def add_review(self, **values: Any) -> int:
        """Insert a review and return its id."""
        return await _insert(GrantReview, **values)

    async def review_by_key(self, key: str) -> ReviewRecord | None:
        """The review with ``key`` (``<application>|<reviewer>``), or ``None``."""
        return await _first(ReviewRecord, GrantReview.select().where(GrantReview.key == key))

    async def reviews(self, application_id: int) -> list[ReviewRecord]:
        """An application's reviews, oldest first."""
        query = GrantReview.select().where(GrantReview.application == application_id)
        return await _all(ReviewRecord, query.order_by(GrantReview.id))


class GrantRepository(_Rows[GrantRecord]):
    """Grants, their tranches, reports and returns."""

    def __init__(self) -> None:
        super().__init__(Grant, GrantRecord)

    async def page(self, *, status: str | None, limit: int, offset: int) -> list[GrantRecord]:
        """Grants by id, optionally in one status."""
        query = Grant.select().order_by(Grant.id).limit(limit).offset(offset)
        if status is not None:
            query = query.where(Grant.status == status)
        return await _all(GrantRecord, query)

    async def made_by(self, end: dt.date, created_before: dt.datetime) -> list[GrantOfPeriod]:
        """Grants signed on or before ``end`` or, unsigned, created before ``created_before``, by number."""
        query = Grant.select(
            Grant.grant_no,
            Grant.grantee.name,
            Grant.grantee.credit_code,
            Grant.application.project,
            Grant.status,
            Grant.signed_on,
            Grant.amount_fen,
            Grant.paid_fen,
            Grant.returned_fen,
        ).where((Grant.signed_on <= end) | (Grant.signed_on.is_null() & (Grant.created_at < created_before)))
        return await _all(GrantOfPeriod, query.order_by(Grant.grant_no))

    async def approvals(self, grant_nos: Sequence[str]) -> list[GrantApprovals]:
        """Who decided each of the grants ``grant_nos`` (those that exist) and their agreements."""
        found: list[GrantApprovals] = []
        for offset in range(0, len(grant_nos), _BATCH):
            query = Grant.select(Grant.grant_no, Grant.agreement_no, Grant.application.decided_by).where(
                Grant.grant_no.is_in(list(grant_nos[offset : offset + _BATCH]))
            )
            found += await _all(GrantApprovals, query)
        return found

    async def add_tranche(self, **values: Any) -> int:
        """Insert a tranche and return its id."""
        return await _insert(GrantTranche, **values)

    async def update_tranche(self, tranche_id: int, **values: Any) -> None:
        """Change columns of a tranche."""
        await _update(GrantTranche, tranche_id, values)

    async def tranches(self, grant_id: int) -> list[TrancheRecord]:
        """A grant's tranches in order."""
        query = GrantTranche.select().where(GrantTranche.grant == grant_id).order_by(GrantTranche.n)
        return await _all(TrancheRecord, query)

    async def add_report(self, **values: Any) -> int:
        """Insert a report and return its id."""
        return await _insert(GrantReport, **values)

    async def report(self, report_id: int) -> ReportRecord | None:
        """The report ``report_id``, or ``None``."""
        return await _one(GrantReport, ReportRecord, report_id)

    async def update_report(self, report_id: int, **values: Any) -> None:
        """Change columns of a report."""
        await _update(GrantReport, report_id, values)

    async def reports(self, grant_id: int) -> list[ReportRecord]:
        """A grant's reports, oldest first."""
        query = GrantReport.select().where(GrantReport.grant == grant_id).order_by(GrantReport.id)
        return await _all(ReportRecord, query)

    async def add_return(self, **values: Any) -> int:
        """Insert a return and return its id."""
        return await _insert(GrantReturn, **values)

    async def set_return_seq(self, return_id: int, seq: int) -> None:
        """Store the journal entry of a return."""
        await _update(GrantReturn, return_id, {"journal_seq": seq})

    async def returns(self, grant_id: int) -> list[ReturnRecord]:
        """A grant's returns, oldest first."""
        query = GrantReturn.select().where(GrantReturn.grant == grant_id).order_by(GrantReturn.id)
        return await _all(ReturnRecord, query)


class PeriodCloseRepository(_Rows[PeriodCloseRecord]):
    """Closed periods of the charity book."""

    def __init__(self) -> None:
        super().__init__(PeriodClose, PeriodCloseRecord)

    async def latest(self) -> PeriodCloseRecord | None:
        """The close with the latest end date, or ``None``."""
        return await _first(
            PeriodCloseRecord, PeriodClose.select().order_by(PeriodClose.ends_on, ascending=False)
        )

    async def all(self) -> list[PeriodCloseRecord]:
        """Every close, by end date."""
        return await _all(PeriodCloseRecord, PeriodClose.select().order_by(PeriodClose.ends_on))
