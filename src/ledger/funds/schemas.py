"""Request and response bodies of the funds routes.

Money is a decimal string with at most two places (``"12345.67"``); a JSON number is refused by the
schema (400, naming the field), a bad string by ``parse_amount`` (422, naming the field).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

import msgspec

from ledger.core.errors import InvalidInput
from ledger.core.money import Fen, format_amount, parse_amount
from ledger.core.records import view
from ledger.db import MAX_INTEGER
from ledger.funds import records
from ledger.funds.domain import FundPosition, MatchingRule, ReceiptKind, Restriction, mean_score
from ledger.web.choices import ApplicationStatusCode, GrantStatusCode, ReceiptKindCode, RestrictionCode

Text200 = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Note = Annotated[str, msgspec.Meta(max_length=4000)]
Short = Annotated[str, msgspec.Meta(max_length=100)]
RowId = Annotated[int, msgspec.Meta(ge=1, le=MAX_INTEGER, description=f"a row id (1-{MAX_INTEGER})")]
"""Another object's id in a body: bounded like the column, so a huge number is a 400 naming the field."""


def _money_or_none(fen: Fen | None) -> str | None:
    return None if fen is None else format_amount(fen)


# --------------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------------


class FundCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new fund."""

    code: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9-]{1,63}$")]
    name: Text200
    purpose: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    restriction: Restriction


class ReceiptCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Money received into a fund: the government guidance grant or a donation."""

    kind: ReceiptKind
    amount: str
    donor: Text200
    agreement: Short
    reference: Short
    received_on: dt.date

    def amount_fen(self) -> Fen:
        """The amount in fen (422 naming ``amount`` if it is not a positive 2-place decimal string)."""
        return parse_amount(self.amount, field="amount")


class GranteeCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A social organisation; ``credit_code`` is its 18-character unified social credit code."""

    credit_code: Annotated[str, msgspec.Meta(max_length=40)]
    name: Text200
    contact_person: Short = ""
    contact_phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    bank_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    bank_account: Annotated[str, msgspec.Meta(max_length=64)] = ""


class ConflictLinkCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A user linked to the organisation (member, relative, former employee ...)."""

    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    reason: Note = ""


class CallCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A call for applications; the matching rule and tranche split default to ``fund.toml``."""

    fund_id: RowId
    title: Text200
    budget: str
    opens_on: dt.date
    closes_on: dt.date
    max_fund_share_percent: str | None = None
    require_full_funding: bool | None = None
    max_grant: str | None = None
    tranche_percents: list[int] | None = None

    def budget_fen(self) -> Fen:
        """The budget in fen."""
        return parse_amount(self.budget, field="budget")

    def matching_rule(self, default: MatchingRule) -> MatchingRule:
        """The call's matching rule: the given parts over ``default``."""
        share = default.max_fund_share_percent
        if self.max_fund_share_percent is not None:
            try:
                share = Decimal(self.max_fund_share_percent)
            except InvalidOperation:
                raise InvalidInput(
                    f'max_fund_share_percent must be a decimal string such as "50": '
                    f"got {self.max_fund_share_percent!r}",
                    field="max_fund_share_percent",
                    rule="decimal string",
                ) from None
        return MatchingRule(
            max_fund_share_percent=share,
            require_full_funding=(
                default.require_full_funding
                if self.require_full_funding is None
                else self.require_full_funding
            ),
            max_grant_fen=(
                default.max_grant_fen
                if self.max_grant is None
                else parse_amount(self.max_grant, field="max_grant")
            ),
        )


class ApplicationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An organisation's application to a call, as recorded by an accountant."""

    call_id: RowId
    grantee_id: RowId
    project: Text200
    project_budget: str
    requested_amount: str
    submitted_on: dt.date
    pledged_amount: str = "0"

    def amounts(self) -> tuple[Fen, Fen, Fen]:
        """Project budget, requested and pledged amounts in fen."""
        return (
            parse_amount(self.project_budget, field="project_budget"),
            parse_amount(self.requested_amount, field="requested_amount"),
            parse_amount(self.pledged_amount, field="pledged_amount", allow_zero=True),
        )


class ReviewCreate(msgspec.Struct, forbid_unknown_fields=True):
    """The signed-in user's review of an application."""

    score: int
    notes: Note = ""


class ApprovalRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Approve an amount no more than requested."""

    approved_amount: str

    def approved_fen(self) -> Fen:
        """The approved amount in fen."""
        return parse_amount(self.approved_amount, field="approved_amount")


class ReasonRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A rejection, with its reason."""

    reason: Note


class CancelRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A cancellation, with its reason and effective date (default today)."""

    reason: Note
    cancelled_on: dt.date | None = None


class SignRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The signed grant agreement."""

    agreement: Short
    signed_on: dt.date


class TranchePayment(msgspec.Struct, forbid_unknown_fields=True):
    """A tranche paid from the fund's bank account."""

    paid_on: dt.date
    payment_ref: Short


class ReportCreate(msgspec.Struct, forbid_unknown_fields=True):
    """The grantee's report on the latest tranche."""

    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
    submitted_on: dt.date


class ReportAcceptance(msgspec.Struct, forbid_unknown_fields=True):
    """Accept a report; ``final`` ends the project early (the unpaid tranches are released)."""

    final: bool = False
    notes: Note = ""
    accepted_on: dt.date | None = None


class ReportSendBack(msgspec.Struct, forbid_unknown_fields=True):
    """Send a report back with what to fix."""

    notes: Note


class ReturnCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Unspent money paid back by the grantee."""

    amount: str
    returned_on: dt.date
    reference: Short = ""

    def amount_fen(self) -> Fen:
        """The amount in fen."""
        return parse_amount(self.amount, field="amount")


class PeriodCloseRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A period of the charity book to close: a month (``2026-10``) or a year (``2026``)."""

    period: Annotated[str, msgspec.Meta(max_length=7)]


# --------------------------------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------------------------------


class FundView(msgspec.Struct):
    """A fund."""

    id: int
    code: str
    name: str
    purpose: str
    restriction: RestrictionCode

    @classmethod
    def of(cls, fund: records.FundRecord) -> FundView:
        """From a fund."""
        return view(cls, fund)


class PositionView(msgspec.Struct):
    """Where a fund's money is. ``received = available + committed_unpaid + paid - returned``;
    ``bank = received - paid + returned``; ``payable = committed_unpaid - unsigned`` (account 2209)."""

    fund_id: int
    received: str
    committed_unpaid: str
    unsigned: str
    payable: str
    paid: str
    returned: str
    available: str
    bank: str

    @classmethod
    def of(cls, fund_id: int, position: FundPosition) -> PositionView:
        """From the domain's position."""
        return cls(
            fund_id=fund_id,
            received=format_amount(position.received),
            committed_unpaid=format_amount(position.committed_unpaid),
            unsigned=format_amount(position.unsigned),
            payable=format_amount(position.payable),
            paid=format_amount(position.paid),
            returned=format_amount(position.returned),
            available=format_amount(position.available),
            bank=format_amount(position.cash),
        )


class ReceiptView(msgspec.Struct):
    """Money received, with its journal entry."""

    id: int
    fund_id: int
    kind: ReceiptKindCode
    amount: str
    donor: str
    agreement: str
    reference: str
    received_on: dt.date
    journal_seq: int
    recorded_by: str

    @classmethod
    def of(cls, receipt: records.ReceiptRecord) -> ReceiptView:
        """From a receipt."""
        return view(
            cls,
            receipt,
            amount=format_amount(receipt.fen),
            agreement=receipt.agreement_no,
            reference=receipt.bank_reference,
        )


class ConflictLinkView(msgspec.Struct):
    """A user's conflict-of-interest link to an organisation."""

    id: int
    grantee_id: int
    username: str
    reason: str
    created_by: str

    @classmethod
    def of(cls, link: records.ConflictLinkRecord) -> ConflictLinkView:
        """From a link."""
        return view(cls, link)


class GranteeView(msgspec.Struct):
    """A social organisation."""

    id: int
    credit_code: str
    name: str
    contact_person: str
    contact_phone: str
    bank_name: str
    bank_account: str
    conflicts: list[ConflictLinkView] = []

    @classmethod
    def of(
        cls, grantee: records.GranteeRecord, links: list[records.ConflictLinkRecord] | None = None
    ) -> GranteeView:
        """From a grantee and its links."""
        return view(cls, grantee, conflicts=[ConflictLinkView.of(link) for link in links or []])


class CallView(msgspec.Struct):
    """A call for applications."""

    id: int
    fund_id: int
    title: str
    budget: str
    opens_on: dt.date
    closes_on: dt.date
    max_fund_share_percent: str
    require_full_funding: bool
    max_grant: str | None
    tranche_percents: list[int]

    @classmethod
    def of(cls, call: records.CallRecord) -> CallView:
        """From a call."""
        return view(
            cls,
            call,
            budget=format_amount(call.budget_fen),
            max_grant=_money_or_none(call.max_grant_fen),
            tranche_percents=[int(p) for p in call.tranche_percents.split(",")],
        )


class ReviewView(msgspec.Struct):
    """One review."""

    id: int
    reviewer: str
    score: int
    notes: str

    @classmethod
    def of(cls, review: records.ReviewRecord) -> ReviewView:
        """From a review."""
        return view(cls, review)


class ApplicationView(msgspec.Struct):
    """An application, its reviews and its decision."""

    id: int
    call_id: int
    grantee_id: int
    project: str
    project_budget: str
    requested_amount: str
    pledged_amount: str
    submitted_on: dt.date
    status: ApplicationStatusCode
    recorded_by: str
    approved_amount: str | None
    decided_by: str
    decision_reason: str
    mean_score: str | None = None
    reviews: list[ReviewView] = []

    @classmethod
    def of(
        cls, application: records.ApplicationRecord, reviews: list[records.ReviewRecord] | None = None
    ) -> ApplicationView:
        """From an application and its reviews."""
        mean = mean_score(r.score for r in reviews or [])
        return view(
            cls,
            application,
            project_budget=format_amount(application.project_budget_fen),
            requested_amount=format_amount(application.requested_fen),
            pledged_amount=format_amount(application.pledged_fen),
            approved_amount=_money_or_none(application.approved_fen),
            mean_score=None if mean is None else str(mean),
            reviews=[ReviewView.of(r) for r in reviews or []],
        )


class TrancheView(msgspec.Struct):
    """One tranche of a grant."""

    n: int
    amount: str
    status: str
    paid_on: dt.date | None
    payment_ref: str
    journal_seq: int | None

    @classmethod
    def of(cls, tranche: records.TrancheRecord) -> TrancheView:
        """From a tranche."""
        return view(cls, tranche, amount=format_amount(tranche.amount_fen))


class ReportView(msgspec.Struct):
    """A grantee's report."""

    id: int
    grant_id: int
    kind: str
    summary: str
    submitted_on: dt.date
    recorded_by: str
    status: str
    decided_by: str
    decision_notes: str

    @classmethod
    def of(cls, report: records.ReportRecord) -> ReportView:
        """From a report."""
        return view(cls, report)


class ReturnView(msgspec.Struct):
    """Money a grantee paid back."""

    id: int
    amount: str
    returned_on: dt.date
    reference: str
    journal_seq: int

    @classmethod
    def of(cls, returned: records.ReturnRecord) -> ReturnView:
        """From a return."""
        return view(cls, returned, amount=format_amount(returned.fen))


class GrantView(msgspec.Struct):
    """A grant; the detail route adds its tranches, reports and returns."""

    id: int
    grant_no: str
    application_id: int
    fund_id: int
    grantee_id: int
    status: GrantStatusCode
    amount: str
    paid: str
    returned: str
    released: str
    unpaid: str
    agreement: str
    signed_on: dt.date | None
    commitment_seq: int | None
    release_seq: int | None
    status_reason: str
    tranches: list[TrancheView] = []
    reports: list[ReportView] = []
    returns: list[ReturnView] = []

    @classmethod
    def of(
        cls,
        grant: records.GrantRecord,
        tranches: list[records.TrancheRecord] | None = None,
        reports: list[records.ReportRecord] | None = None,
        returns: list[records.ReturnRecord] | None = None,
    ) -> GrantView:
        """From a grant and, for the detail, its tranches, reports and returns."""
        return view(
            cls,
            grant,
            amount=format_amount(grant.amount_fen),
            paid=format_amount(grant.paid_fen),
            returned=format_amount(grant.returned_fen),
            released=format_amount(grant.released_fen),
            unpaid=format_amount(grant.amount_fen - grant.paid_fen - grant.released_fen),
            agreement=grant.agreement_no,
            tranches=[TrancheView.of(t) for t in tranches or []],
            reports=[ReportView.of(r) for r in reports or []],
            returns=[ReturnView.of(r) for r in returns or []],
        )


class PeriodCloseView(msgspec.Struct):
    """A closed period of the charity book and its closing entry (``None`` when nothing was open)."""

    period: str
    ends_on: dt.date
    journal_seq: int | None
    closed_by: str

    @classmethod
    def of(cls, close: records.PeriodCloseRecord) -> PeriodCloseView:
        """From a close."""
        return view(cls, close)
