"""Request and response bodies of the claims routes. Money is a decimal string (``"12345.67"``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from ledger.claims.domain import OverdueClock
from ledger.web.choices import (
    BenefitHeadCode,
    ClaimActionCode,
    ClaimStatusCode,
    DocumentTypeCode,
    HouseholdStatusCode,
    PaymentKindCode,
    PerilCode,
    RejectionReasonCode,
    RelationCode,
    SchemeCode,
    StreetName,
)

Text = Annotated[str, msgspec.Meta(max_length=2000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Amount = Annotated[str, msgspec.Meta(max_length=24, description='decimal string, e.g. "12345.67"')]
Reason = Annotated[str, msgspec.Meta(max_length=1000)]


class EventCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new insured event (出险事件)."""

    incident_date: dt.date
    street: Annotated[StreetName, msgspec.Meta(min_length=1, max_length=32)]
    place: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    peril: Annotated[PerilCode, msgspec.Meta(min_length=1, max_length=32)]
    authority: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    certificate_no: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    description: Text = ""


class EventView(msgspec.Struct):
    """An insured event."""

    event_no: str
    policy_year: str
    incident_date: dt.date
    street: StreetName
    place: str
    peril: PerilCode
    peril_cn: str
    description: str
    authority: str
    certificate_no: str
    created_by: str


class PremiumCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A premium receipt from the policyholder."""

    amount: Amount
    received_on: dt.date
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class PremiumView(msgspec.Struct):
    """A recorded premium receipt and its journal entry."""

    policy_year: str
    amount: str
    received_on: dt.date
    reference: str
    journal_seq: int
    recorded_by: str


class PolicyYearView(msgspec.Struct):
    """A policy year with its premium and how much of its limits is used."""

    code: str
    insurer: str
    policyholder: str
    starts: dt.date
    ends: dt.date
    insured_population: int
    premium: str
    premium_received: str
    per_policy_year_limit: str
    assessed: str
    approved: str
    paid: str


class LineIn(msgspec.Struct, forbid_unknown_fields=True):
    """One benefit line of a claim."""

    head: Annotated[BenefitHeadCode, msgspec.Meta(min_length=1, max_length=16)]
    claimed: Amount
    grade: int | None = None
    unreimbursed: Amount | None = None


class ClaimCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new claim.

    ``documents`` lists the document types whose paper originals the adjuster checked at registration;
    when they complete the checklist the claim goes straight to review. ``override_reason`` lets an
    approver register a claim the duplicate check refuses; ``limitation_override_reason`` one whose
    incident is past the limitation period.
    """

    event_no: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    claimant_name: Name
    claimant_relation: Annotated[RelationCode, msgspec.Meta(min_length=1, max_length=16)]
    claimant_id: Annotated[str, msgspec.Meta(min_length=1, max_length=24)]
    victim_name: Name
    victim_id: Annotated[str, msgspec.Meta(min_length=1, max_length=24)]
    bank_name: Name
    bank_account: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{8,30}$")]
    lines: Annotated[list[LineIn], msgspec.Meta(min_length=1, max_length=5)]
    household_status: HouseholdStatusCode = "normal"
    household: Annotated[str, msgspec.Meta(max_length=64)] = ""
    scheme: SchemeCode = "relief_liability"
    documents: list[DocumentTypeCode] = []
    override_reason: Reason | None = None
    limitation_override_reason: Reason | None = None


class ClaimUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Changes to a claim before it is assessed; omitted fields stay as they are."""

    claimant_name: Name | None = None
    claimant_relation: RelationCode | None = None
    bank_name: Name | None = None
    bank_account: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{8,30}$")] | None = None
    household_status: HouseholdStatusCode | None = None
    lines: Annotated[list[LineIn], msgspec.Meta(min_length=1, max_length=5)] | None = None


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    """The reason of a transition (required for withdraw and reopen)."""

    reason: Reason = ""


class DuplicateOverrideIn(msgspec.Struct, forbid_unknown_fields=True):
    """An approver's override of a duplicate found on the approval queue, with its reason."""

    override_reason: Reason


class ApproveIn(msgspec.Struct, forbid_unknown_fields=True):
    """An approval: as assessed, or for a lower ``approved_amount`` with a ``reduction_reason``."""

    reason: Reason = ""
    approved_amount: Amount | None = None
    reduction_reason: Reason = ""


class Adjustment(msgspec.Struct, forbid_unknown_fields=True):
    """The adjuster lowers one line below what the rules allow, with a reason."""

    line: int
    amount: Amount
    reason: Reason


class AssessIn(msgspec.Struct, forbid_unknown_fields=True):
    """An assessment; without adjustments every line pays what the rules allow."""

    adjustments: list[Adjustment] = []


class RejectIn(msgspec.Struct, forbid_unknown_fields=True):
    """A rejection with a coded reason (see the policy's rejection reasons)."""

    reason_code: Annotated[RejectionReasonCode, msgspec.Meta(min_length=1, max_length=32)]
    note: Reason = ""


class PaymentIn(msgspec.Struct, forbid_unknown_fields=True):
    """A payment: ``advance`` / ``interim`` need an amount; ``final`` pays the rest (amount optional)."""

    kind: PaymentKindCode
    amount: Amount | None = None
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class LineView(msgspec.Struct):
    """A benefit line and its assessment."""

    line: int
    head: BenefitHeadCode
    claimed: str
    grade: int | None
    unreimbursed: str | None
    rule_version: str
    rule_amount: str
    payable: str
    approved: str
    lowered_reason: str
    trail: list[dict[str, Any]]


class ClaimView(msgspec.Struct):
    """A claim; resident IDs are masked for roles that do not need them in full."""

    claim_no: str
    event_no: str
    policy_year: str
    peril: PerilCode
    street: StreetName
    scheme: SchemeCode
    incident_date: dt.date
    status: ClaimStatusCode
    status_cn: str
    claimant_name: str
    claimant_relation: RelationCode
    claimant_id: str
    victim_name: str
    victim_id: str
    household: str
    household_status: HouseholdStatusCode
    bank_name: str
    bank_account: str
    lines: list[LineView]
    assessed: str
    approved: str
    reduced_to: str | None
    reduction_reason: str
    paid: str
    approvals_required: int
    registered_by: str
    assessed_by: str | None
    approvers: list[str]
    rejection_code: RejectionReasonCode | None
    duplicate_of: str | None
    override_reason: str
    documents_requested: list[dict[str, Any]]
    decision_due: dt.date | None
    payment_due: dt.date | None
    advance_payment_due: dt.date | None
    rejection_notice_due: dt.date | None
    limitation_ends: dt.date
    overdue: bool
    overdue_reasons: list[OverdueClock]
    allowed_actions: list[ClaimActionCode]


class ClaimSummary(msgspec.Struct):
    """A claim in a list."""

    claim_no: str
    event_no: str
    peril: PerilCode
    street: StreetName
    incident_date: dt.date
    status: ClaimStatusCode
    victim_name: str
    victim_id: str
    assessed: str
    approved: str
    paid: str
    decision_due: dt.date | None
    payment_due: dt.date | None
    overdue: bool


class DocumentView(msgspec.Struct):
    """A document of a claim (``sha256`` empty for a paper original seen at the counter)."""

    id: int
    doc_type: DocumentTypeCode
    sha256: str
    size: int
    content_type: str
    received_at: dt.datetime
    received_by: str
    verified: bool
    verified_by: str | None


class ChecklistItem(msgspec.Struct):
    """One checklist line: what is required and how many are received and verified."""

    code: str
    cn: str
    en: str
    need: int
    of: list[DocumentTypeCode]
    received: int
    verified: int
    satisfied: bool


class DocumentsView(msgspec.Struct):
    """A claim's checklist, its documents and the one-time list of missing documents."""

    checklist: list[ChecklistItem]
    documents: list[DocumentView]
    requested: list[dict[str, Any]]


class TransitionView(msgspec.Struct):
    """One status change."""

    action: str
    from_status: str
    to_status: str
    actor: str
    at: dt.datetime
    reason: str


class PaymentView(msgspec.Struct):
    """A payment and its journal entry."""

    claim_no: str
    kind: PaymentKindCode
    amount: str
    reference: str
    paid_on: dt.date
    journal_seq: int
    paid_by: str
    claim_status: ClaimStatusCode
    claim_paid: str


class Page(msgspec.Struct):
    """A page of results and how many there are in all."""

    items: list[Any]
    total: int
    limit: int
    offset: int
