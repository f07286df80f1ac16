"""Tables of the claims domain: policy years, premium receipts, events, claims and their lines,
documents, transitions and payments. Money is integer fen (``BigInt``); financial rows are never
deleted (every foreign key is ``ON DELETE RESTRICT``).
"""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.table import Table


class PolicyYearRow(Table, tablename="claims_policy_year"):
    """One year's policy, created from the policy configuration the first time it is used."""

    id = Serial(primary_key=True)
    code = Varchar(length=16, unique=True)
    insurer = Varchar(length=200)
    policyholder = Varchar(length=200)
    starts = Date()
    ends = Date()
    insured_population = BigInt()
    premium_fen = BigInt()
    created_at = Timestamptz()


class PremiumReceipt(Table, tablename="claims_premium_receipt"):
    """A premium received from the policyholder, posted Dr insurance bank / Cr premium income."""

    id = Serial(primary_key=True)
    policy_year = ForeignKey(
        references=PolicyYearRow, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict
    )
    fen = BigInt()
    received_on = Date()
    reference = Varchar(length=64, unique=True)
    journal_seq = BigInt()
    recorded_by = Varchar(length=64)
    created_at = Timestamptz()


class EventRow(Table, tablename="claims_event"):
    """An insured event (出险事件); many claims may belong to one."""

    id = Serial(primary_key=True)
    event_no = Varchar(length=20, unique=True)
    policy_year = ForeignKey(
        references=PolicyYearRow, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict
    )
    incident_date = Date(index=True)
    street = Varchar(length=32, index=True)
    place = Varchar(length=200)
    peril = Varchar(length=32, index=True)
    description = Text(default="")
    authority = Varchar(length=100)
    certificate_no = Varchar(length=64)
    created_by = Varchar(length=64)
    created_at = Timestamptz()


class ClaimRow(Table, tablename="claims_claim"):
    """A claim for one victim under one event; ``status`` is a ``domain.ClaimStatus``."""

    id = Serial(primary_key=True)
    claim_no = Varchar(length=20, unique=True)
    event = ForeignKey(references=EventRow, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    policy_year = ForeignKey(
        references=PolicyYearRow, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict
    )
    peril = Varchar(length=32, index=True)
    scheme = Varchar(length=32)
    incident_date = Date(index=True)
    claimant_name = Varchar(length=100)
    claimant_relation = Varchar(length=16)
    claimant_id = Varchar(length=18)
    victim_name = Varchar(length=100)
    victim_id = Varchar(length=18, index=True)
    household = Varchar(length=64, index=True)
    household_status = Varchar(length=16)
    bank_name = Varchar(length=100)
    bank_account = Varchar(length=40)
    status = Varchar(length=24, index=True)
    rule_version = Varchar(length=32, default="")
    assessed_fen = BigInt(default=0)
    approved_fen = BigInt(default=0)
    #: the lower amount an approver approved the claim for, with ``reduction_reason``; None: as assessed
    reduced_to_fen = BigInt(null=True, default=None)
    reduction_reason = Text(default="")
    paid_fen = BigInt(default=0)
    approvals_required = Integer(default=1)
    registered_by = Varchar(length=64)
    assessed_by = Varchar(length=64, null=True, default=None)
    first_approver = Varchar(length=64, null=True, default=None)
    second_approver = Varchar(length=64, null=True, default=None)
    rejection_code = Varchar(length=32, null=True, default=None)
    duplicate_of = Varchar(length=20, null=True, default=None)
    override_reason = Text(default="")
    documents_requested = Text(default="[]")
    documents_complete_on = Date(null=True, default=None)
    paused_since = Date(null=True, default=None)
    paused_days = Integer(default=0)
    decision_due = Date(null=True, default=None)
    approved_on = Date(null=True, default=None)
    payment_due = Date(null=True, default=None)
    rejected_on = Date(null=True, default=None)
    overdue = Boolean(default=False, index=True)
    overdue_reasons = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ClaimLineRow(Table, tablename="claims_line"):
    """One benefit line of a claim and its assessment (``trail`` is the JSON explanation)."""

    id = Serial(primary_key=True)
    claim = ForeignKey(references=ClaimRow, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    position = Integer()
    head = Varchar(length=16)
    claimed_fen = BigInt()
    grade = Integer(null=True, default=None)
    unreimbursed_fen = BigInt(null=True, default=None)
    rule_version = Varchar(length=32, default="")
    rule_fen = BigInt(default=0)
    payable_fen = BigInt(default=0)
    trail = Text(default="[]")
    lowered_reason = Text(default="")
    approved_fen = BigInt(default=0)


class DocumentRow(Table, tablename="claims_document"):
    """A document of a claim: an upload stored by its sha256, or a paper original seen at the counter."""

    id = Serial(primary_key=True)
    claim = ForeignKey(references=ClaimRow, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    doc_type = Varchar(length=48)
    sha256 = Varchar(length=64, default="")
    size = BigInt(default=0)
    content_type = Varchar(length=100, default="")
    received_at = Timestamptz()
    received_by = Varchar(length=64)
    verified_at = Timestamptz(null=True, default=None)
    verified_by = Varchar(length=64, null=True, default=None)


class TransitionRow(Table, tablename="claims_transition"):
    """One status change of a claim: who, when, from, to, why."""

    id = Serial(primary_key=True)
    claim = ForeignKey(references=ClaimRow, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    action = Varchar(length=24)
    from_status = Varchar(length=24)
    to_status = Varchar(length=24)
    actor = Varchar(length=64)
    at = Timestamptz()
    reason = Text(default="")


class PaymentRow(Table, tablename="claims_payment"):
    """A payment on a claim and the journal entry that books it."""

    id = Serial(primary_key=True)
    claim = ForeignKey(references=ClaimRow, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    kind = Varchar(length=16)
    fen = BigInt()
    reference = Varchar(length=64, unique=True)
    paid_on = Date()
    journal_seq = BigInt()
    paid_by = Varchar(length=64)
    created_at = Timestamptz()
