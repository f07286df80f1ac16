"""The funds rows as typed records (one per table of ``tables.py``), handed out by the repository."""

from __future__ import annotations

import datetime as dt

from ledger.core.records import Record


class FundRecord(Record, frozen=True):
    """A fund (``fund``)."""

    id: int
    code: str
    name: str
    purpose: str
    restriction: str
    created_by: str
    created_at: dt.datetime


class ReceiptRecord(Record, frozen=True, rename={"fund_id": "fund"}):
    """Money received into a fund (``fund_receipt``)."""

    id: int
    fund_id: int
    kind: str
    donor: str
    agreement_no: str
    bank_reference: str
    received_on: dt.date
    fen: int
    journal_seq: int
    recorded_by: str
    created_at: dt.datetime


class GranteeRecord(Record, frozen=True):
    """A social organisation (``fund_grantee``)."""

    id: int
    credit_code: str
    name: str
    contact_person: str
    contact_phone: str
    bank_name: str
    bank_account: str
    created_by: str
    created_at: dt.datetime


class ConflictLinkRecord(Record, frozen=True, rename={"grantee_id": "grantee"}):
    """A user's conflict-of-interest link to an organisation (``fund_conflict_link``)."""

    id: int
    key: str
    username: str
    grantee_id: int
    reason: str
    created_by: str
    created_at: dt.datetime


class CallRecord(Record, frozen=True, rename={"fund_id": "fund"}):
    """A call for applications (``fund_call``); ``tranche_percents`` as stored, ``"60,40"``."""

    id: int
    fund_id: int
    title: str
    budget_fen: int
    opens_on: dt.date
    closes_on: dt.date
    max_fund_share_percent: str
    require_full_funding: bool
    max_grant_fen: int | None
    tranche_percents: str
    created_by: str
    created_at: dt.datetime


class ApplicationRecord(Record, frozen=True, rename={"call_id": "call", "grantee_id": "grantee"}):
    """An application to a call (``fund_application``)."""

    id: int
    call_id: int
    grantee_id: int
    project: str
    project_budget_fen: int
    requested_fen: int
    pledged_fen: int
    submitted_on: dt.date
    status: str
    recorded_by: str
    approved_fen: int | None
    decided_by: str
    decision_reason: str
    decided_at: dt.datetime | None
    created_at: dt.datetime


class ReviewRecord(Record, frozen=True, rename={"application_id": "application"}):
    """One reviewer's score of an application (``fund_review``)."""

    id: int
    key: str
    application_id: int
    reviewer: str
    score: int
    notes: str
    created_at: dt.datetime


class GrantRecord(
    Record, frozen=True, rename={"application_id": "application", "fund_id": "fund", "grantee_id": "grantee"}
):
    """A grant (``fund_grant``)."""

    id: int
    grant_no: str
    application_id: int
    fund_id: int
    grantee_id: int
    amount_fen: int
    paid_fen: int
    returned_fen: int
    released_fen: int
    status: str
    tranche_percents: str
    agreement_no: str
    signed_on: dt.date | None
    commitment_seq: int | None
    release_seq: int | None
    accepted_reports: int
    status_reason: str
    created_at: dt.datetime


class TrancheRecord(Record, frozen=True, rename={"grant_id": "grant"}):
    """One tranche of a grant (``fund_tranche``)."""

    id: int
    key: str
    grant_id: int
    n: int
    amount_fen: int
    status: str
    paid_on: dt.date | None
    payment_ref: str
    paid_by: str
    journal_seq: int | None


class ReportRecord(Record, frozen=True, rename={"grant_id": "grant"}):
    """A grantee's report (``fund_report``)."""

    id: int
    grant_id: int
    kind: str
    summary: str
    submitted_on: dt.date
    recorded_by: str
    status: str
    decided_by: str
    decision_notes: str
    decided_at: dt.datetime | None


class ReturnRecord(Record, frozen=True, rename={"grant_id": "grant"}):
    """Money a grantee paid back (``fund_return``)."""

    id: int
    grant_id: int
    fen: int
    returned_on: dt.date
    reference: str
    journal_seq: int
    recorded_by: str
    created_at: dt.datetime


class PeriodCloseRecord(Record, frozen=True):
    """A closed period of the charity book (``fund_period_close``)."""

    id: int
    key: str
    period: str
    ends_on: dt.date
    journal_seq: int | None
    closed_by: str
    created_at: dt.datetime


class GrantMoney(Record, frozen=True):
    """A grant's status and money, what a fund's position is summed from."""

    status: str
    amount_fen: int
    paid_fen: int
    returned_fen: int
    released_fen: int


class GrantOfPeriod(
    Record,
    frozen=True,
    rename={
        "grantee": "grantee.name",
        "credit_code": "grantee.credit_code",
        "project": "application.project",
    },
):
    """A grant as a statement lists it: with its organisation's name and credit code and its project."""

    grant_no: str
    grantee: str
    credit_code: str
    project: str
    status: str
    signed_on: dt.date | None
    amount_fen: int
    paid_fen: int
    returned_fen: int


class GrantApprovals(Record, frozen=True, rename={"decided_by": "application.decided_by"}):
    """Who decided a grant's application, and its agreement number (empty until signed)."""

    grant_no: str
    agreement_no: str
    decided_by: str
