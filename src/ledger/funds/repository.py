"""Every query of the funds tables. Money is summed in Python from integer rows, never in SQL."""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

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

Row = dict[str, Any]


async def _insert(table: type[Table], **values: Any) -> int:
    rows = await table.insert(table(**values)).returning(table._meta.primary_key)
    return int(rows[0]["id"])


async def _one(table: type[Table], row_id: int) -> Row | None:
    row: Row | None = await table.select().where(table._meta.primary_key == row_id).first()
    return row


async def _update(table: type[Table], row_id: int, values: dict[str, Any]) -> None:
    await table.update({getattr(table, k): v for k, v in values.items()}).where(
        table._meta.primary_key == row_id
    )


class FundRepository:
    """Funds and their receipts."""

    async def add(self, **values: Any) -> int:
        """Insert a fund and return its id."""
        return await _insert(Fund, **values)

    async def get(self, fund_id: int) -> Row | None:
        """The fund ``fund_id``, or ``None``."""
        return await _one(Fund, fund_id)

    async def by_code(self, code: str) -> Row | None:
        """The fund called ``code``, or ``None``."""
        row: Row | None = await Fund.select().where(Fund.code == code).first()
        return row

    async def all(self) -> list[Row]:
        """Every fund, oldest first."""
        rows: list[Row] = await Fund.select().order_by(Fund.id)
        return rows

    async def add_receipt(self, **values: Any) -> int:
        """Insert a receipt and return its id."""
        return await _insert(FundReceipt, **values)

    async def set_receipt_seq(self, receipt_id: int, seq: int) -> None:
        """Store the journal entry of a receipt."""
        await _update(FundReceipt, receipt_id, {"journal_seq": seq})

    async def receipt(self, receipt_id: int) -> Row | None:
        """The receipt ``receipt_id``, or ``None``."""
        return await _one(FundReceipt, receipt_id)

    async def receipts(self, fund_id: int, *, limit: int, offset: int) -> list[Row]:
        """A fund's receipts, oldest first."""
        rows: list[Row] = (
            await FundReceipt.select()
            .where(FundReceipt.fund == fund_id)
            .order_by(FundReceipt.id)
            .limit(limit)
            .offset(offset)
        )
        return rows

    async def received_fen(self, fund_id: int) -> int:
        """Everything a fund received."""
        rows = await FundReceipt.select(FundReceipt.fen).where(FundReceipt.fund == fund_id)
        return sum(int(row["fen"]) for row in rows)

    async def grant_money(self, fund_id: int) -> list[Row]:
        """Status, amount, paid, returned and released of each of a fund's grants."""
        rows: list[Row] = await Grant.select(
            Grant.status, Grant.amount_fen, Grant.paid_fen, Grant.returned_fen, Grant.released_fen
        ).where(Grant.fund == fund_id)
        return rows


class GranteeRepository:
    """Social organisations and users' conflict-of-interest links to them."""

    async def add(self, **values: Any) -> int:
        """Insert a grantee and return its id."""
        return await _insert(Grantee, **values)

    async def get(self, grantee_id: int) -> Row | None:
        """The grantee ``grantee_id``, or ``None``."""
        return await _one(Grantee, grantee_id)

    async def by_credit_code(self, code: str) -> Row | None:
        """The grantee with the credit code ``code``, or ``None``."""
        row: Row | None = await Grantee.select().where(Grantee.credit_code == code).first()
        return row

    async def page(self, *, limit: int, offset: int) -> list[Row]:
        """Grantees by id."""
        rows: list[Row] = await Grantee.select().order_by(Grantee.id).limit(limit).offset(offset)
        return rows

    async def add_link(self, **values: Any) -> int:
        """Insert a conflict-of-interest link and return its id."""
        return await _insert(ConflictLink, **values)

    async def link_by_key(self, key: str) -> Row | None:
        """The link with ``key`` (``<grantee>|<username>``), or ``None``."""
        row: Row | None = await ConflictLink.select().where(ConflictLink.key == key).first()
        return row

    async def links(self, grantee_id: int) -> list[Row]:
        """The conflict-of-interest links of an organisation."""
        rows: list[Row] = (
            await ConflictLink.select().where(ConflictLink.grantee == grantee_id).order_by(ConflictLink.id)
        )
        return rows


class CallRepository:
    """Calls for applications."""

    async def add(self, **values: Any) -> int:
        """Insert a call and return its id."""
        return await _insert(FundCall, **values)

    async def get(self, call_id: int) -> Row | None:
        """The call ``call_id``, or ``None``."""
        return await _one(FundCall, call_id)

    async def page(self, *, limit: int, offset: int) -> list[Row]:
        """Calls by id."""
        rows: list[Row] = await FundCall.select().order_by(FundCall.id).limit(limit).offset(offset)
        return rows

    async def committed_fen(self, call_id: int) -> int:
        """What the call's grants committed, less what cancellations and closings released."""
        rows = await Grant.select(Grant.amount_fen, Grant.released_fen).where(
            Grant.application.call == call_id
        )
        return sum(int(row["amount_fen"]) - int(row["released_fen"]) for row in rows)


class ApplicationRepository:
    """Applications and their reviews."""

    async def add(self, **values: Any) -> int:
        """Insert an application and return its id."""
        return await _insert(GrantApplication, **values)

    async def get(self, application_id: int) -> Row | None:
        """The application ``application_id``, or ``None``."""
        return await _one(GrantApplication, application_id)

    async def update(self, application_id: int, **values: Any) -> None:
        """Change columns of an application."""
        await _update(GrantApplication, application_id, values)

    async def page(self, *, call_id: int | None, status: str | None, limit: int, offset: int) -> list[Row]:
        """Applications by id, optionally of one call or in one status."""
        query = GrantApplication.select().order_by(GrantApplication.id).limit(limit).offset(offset)
        if call_id is not None:
            query = query.where(GrantApplication.call == call_id)
        if status is not None:
            query = query.where(GrantApplication.status == status)
        rows: list[Row] = await query
        return rows

    async def add_review(self, **values: Any) -> int:
        """Insert a review and return its id."""
        return await _insert(GrantReview, **values)

    async def review_by_key(self, key: str) -> Row | None:
        """The review with ``key`` (``<application>|<reviewer>``), or ``None``."""
        row: Row | None = await GrantReview.select().where(GrantReview.key == key).first()
        return row

    async def reviews(self, application_id: int) -> list[Row]:
        """An application's reviews, oldest first."""
        rows: list[Row] = (
            await GrantReview.select()
            .where(GrantReview.application == application_id)
            .order_by(GrantReview.id)
        )
        return rows


class GrantRepository:
    """Grants, their tranches, reports and returns."""

    async def add(self, **values: Any) -> int:
        """Insert a grant and return its id."""
        return await _insert(Grant, **values)

    async def get(self, grant_id: int) -> Row | None:
        """The grant ``grant_id``, or ``None``."""
        return await _one(Grant, grant_id)

    async def update(self, grant_id: int, **values: Any) -> None:
        """Change columns of a grant."""
        await _update(Grant, grant_id, values)

    async def page(self, *, status: str | None, limit: int, offset: int) -> list[Row]:
        """Grants by id, optionally in one status."""
        query = Grant.select().order_by(Grant.id).limit(limit).offset(offset)
        if status is not None:
            query = query.where(Grant.status == status)
        rows: list[Row] = await query
        return rows

    async def add_tranche(self, **values: Any) -> int:
        """Insert a tranche and return its id."""
        return await _insert(GrantTranche, **values)

    async def update_tranche(self, tranche_id: int, **values: Any) -> None:
        """Change columns of a tranche."""
        await _update(GrantTranche, tranche_id, values)

    async def tranches(self, grant_id: int) -> list[Row]:
        """A grant's tranches in order."""
        rows: list[Row] = (
            await GrantTranche.select().where(GrantTranche.grant == grant_id).order_by(GrantTranche.n)
        )
        return rows

    async def add_report(self, **values: Any) -> int:
        """Insert a report and return its id."""
        return await _insert(GrantReport, **values)

    async def report(self, report_id: int) -> Row | None:
        """The report ``report_id``, or ``None``."""
        return await _one(GrantReport, report_id)

    async def update_report(self, report_id: int, **values: Any) -> None:
        """Change columns of a report."""
        await _update(GrantReport, report_id, values)

    async def reports(self, grant_id: int) -> list[Row]:
        """A grant's reports, oldest first."""
        rows: list[Row] = (
            await GrantReport.select().where(GrantReport.grant == grant_id).order_by(GrantReport.id)
        )
        return rows

    async def add_return(self, **values: Any) -> int:
        """Insert a return and return its id."""
        return await _insert(GrantReturn, **values)

    async def set_return_seq(self, return_id: int, seq: int) -> None:
        """Store the journal entry of a return."""
        await _update(GrantReturn, return_id, {"journal_seq": seq})

    async def returns(self, grant_id: int) -> list[Row]:
        """A grant's returns, oldest first."""
        rows: list[Row] = (
            await GrantReturn.select().where(GrantReturn.grant == grant_id).order_by(GrantReturn.id)
        )
        return rows


class PeriodCloseRepository:
    """Closed periods of the charity book."""

    async def add(self, **values: Any) -> int:
        """Insert a closed period and return its id."""
        return await _insert(PeriodClose, **values)

    async def latest(self) -> Row | None:
        """The close with the latest end date, or ``None``."""
        row: Row | None = await PeriodClose.select().order_by(PeriodClose.ends_on, ascending=False).first()
        return row

    async def all(self) -> list[Row]:
        """Every close, by end date."""
        rows: list[Row] = await PeriodClose.select().order_by(PeriodClose.ends_on)
        return rows
