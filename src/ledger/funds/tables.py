"""Tables of the charity guidance fund. Money is integer fen (``BigInt``); financial rows are never deleted.

Every foreign key is ``ON DELETE RESTRICT``. Where a pair must be unique (a user's link to an
organisation, a reviewer's review of an application, a grant's tranche ``n``) a single ``key`` column
holds the pair, because Piccolo's composite ``Unique`` fails on SQLite.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.table import Table


class Fund(Table, tablename="fund"):
    """A fund with its purpose and restriction (限定性 / 非限定性)."""

    id = Serial(primary_key=True)
    code = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    purpose = Text()
    restriction = Varchar(length=16)
    created_by = Varchar(length=64)
    created_at = Timestamptz()


class FundReceipt(Table, tablename="fund_receipt"):
    """Money received into a fund: the guidance grant or a donation; ``journal_seq`` is its entry."""

    id = Serial(primary_key=True)
    fund = ForeignKey(references=Fund, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    kind = Varchar(length=32)
    donor = Varchar(length=200)
    agreement_no = Varchar(length=100)
    bank_reference = Varchar(length=100, default="", index=True)
    received_on = Date()
    fen = BigInt()
    journal_seq = BigInt(default=0)
    recorded_by = Varchar(length=64)
    created_at = Timestamptz()


class Grantee(Table, tablename="fund_grantee"):
    """A social organisation, identified by its unified social credit code (统一社会信用代码)."""

    id = Serial(primary_key=True)
    credit_code = Varchar(length=18, unique=True)
    name = Varchar(length=200)
    contact_person = Varchar(length=100, default="")
    contact_phone = Varchar(length=40, default="")
    bank_name = Varchar(length=200, default="")
    bank_account = Varchar(length=64, default="")
    created_by = Varchar(length=64)
    created_at = Timestamptz()


class ConflictLink(Table, tablename="fund_conflict_link"):
    """A user linked to an organisation: they may not review or decide its applications."""

    id = Serial(primary_key=True)
    key = Varchar(length=100, unique=True)
    username = Varchar(length=64, index=True)
    grantee = ForeignKey(references=Grantee, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    reason = Text(default="")
    created_by = Varchar(length=64)
    created_at = Timestamptz()


class FundCall(Table, tablename="fund_call"):
    """A call for applications: budget, window, matching rule and tranche split."""

    id = Serial(primary_key=True)
    fund = ForeignKey(references=Fund, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    title = Varchar(length=200)
    budget_fen = BigInt()
    opens_on = Date()
    closes_on = Date()
    max_fund_share_percent = Varchar(length=16)
    require_full_funding = Boolean(default=True)
    max_grant_fen = BigInt(null=True, default=None)
    tranche_percents = Varchar(length=64)
    created_by = Varchar(length=64)
    created_at = Timestamptz()


class GrantApplication(Table, tablename="fund_application"):
    """An organisation's application to a call, and its decision."""

    id = Serial(primary_key=True)
    call = ForeignKey(references=FundCall, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    grantee = ForeignKey(references=Grantee, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    project = Varchar(length=200)
    project_budget_fen = BigInt()
    requested_fen = BigInt()
    pledged_fen = BigInt()
    submitted_on = Date()
    status = Varchar(length=16, index=True)
    recorded_by = Varchar(length=64)
    approved_fen = BigInt(null=True, default=None)
    decided_by = Varchar(length=64, default="")
    decision_reason = Text(default="")
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class GrantReview(Table, tablename="fund_review"):
    """One reviewer's score and notes on an application; ``key`` is ``<application>|<reviewer>``."""

    id = Serial(primary_key=True)
    key = Varchar(length=100, unique=True)
    application = ForeignKey(
        references=GrantApplication, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict
    )
    reviewer = Varchar(length=64)
    score = Integer()
    notes = Text(default="")
    created_at = Timestamptz()


class Grant(Table, tablename="fund_grant"):
    """An approved application's grant: the commitment, its agreement and what happened to the money."""

    id = Serial(primary_key=True)
    grant_no = Varchar(length=32, unique=True)
    application = ForeignKey(
        references=GrantApplication, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict
    )
    fund = ForeignKey(references=Fund, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    grantee = ForeignKey(references=Grantee, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    amount_fen = BigInt()
    paid_fen = BigInt(default=0)
    returned_fen = BigInt(default=0)
    released_fen = BigInt(default=0)
    status = Varchar(length=24, index=True)
    tranche_percents = Varchar(length=64)
    agreement_no = Varchar(length=100, default="")
    signed_on = Date(null=True, default=None)
    commitment_seq = BigInt(null=True, default=None)
    release_seq = BigInt(null=True, default=None)
    accepted_reports = Integer(default=0)
    status_reason = Text(default="")
    created_at = Timestamptz()


class GrantTranche(Table, tablename="fund_tranche"):
    """Tranche ``n`` of a grant; ``key`` is ``<grant_no>/<n>``; status scheduled, paid or released."""

    id = Serial(primary_key=True)
    key = Varchar(length=48, unique=True)
    grant = ForeignKey(references=Grant, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    n = Integer()
    amount_fen = BigInt()
    status = Varchar(length=16)
    paid_on = Date(null=True, default=None)
    payment_ref = Varchar(length=100, default="")
    paid_by = Varchar(length=64, default="")
    journal_seq = BigInt(null=True, default=None)


class GrantReport(Table, tablename="fund_report"):
    """A grantee's mid-term or final report and its acceptance."""

    id = Serial(primary_key=True)
    grant = ForeignKey(references=Grant, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    kind = Varchar(length=8)
    summary = Text()
    submitted_on = Date()
    recorded_by = Varchar(length=64)
    status = Varchar(length=16)
    decided_by = Varchar(length=64, default="")
    decision_notes = Text(default="")
    decided_at = Timestamptz(null=True, default=None)


class GrantReturn(Table, tablename="fund_return"):
    """Unspent money a grantee paid back; ``journal_seq`` is its entry."""

    id = Serial(primary_key=True)
    grant = ForeignKey(references=Grant, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    fen = BigInt()
    returned_on = Date()
    reference = Varchar(length=100, default="")
    journal_seq = BigInt(default=0)
    recorded_by = Varchar(length=64)
    created_at = Timestamptz()


class PeriodClose(Table, tablename="fund_period_close"):
    """A closed period of the charity book; ``key`` (``charity-close:2026-10``) closes it once."""

    id = Serial(primary_key=True)
    key = Varchar(length=48, unique=True)
    period = Varchar(length=7)
    ends_on = Date()
    journal_seq = BigInt(null=True, default=None)
    closed_by = Varchar(length=64)
    created_at = Timestamptz()


TABLES: list[type[Table]] = [
    Fund,
    FundReceipt,
    Grantee,
    ConflictLink,
    FundCall,
    GrantApplication,
    GrantReview,
    Grant,
    GrantTranche,
    GrantReport,
    GrantReturn,
    PeriodClose,
]
"""Every funds table, parents before children."""
