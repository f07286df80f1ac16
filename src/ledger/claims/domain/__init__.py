"""Pure rules of the relief-insurance claims domain, one module per concern, all re-exported here.

``status`` (the status machine), ``limits`` (limit layers, scale-back), ``assessment`` (line checks and
the calculation trail), ``approval`` (four eyes, approving for less, overrides), ``payments`` (payments
and postings), ``duplicates`` (duplicate relief), ``documents`` (checklist, uploads) and ``deadlines``
(clocks, limitation, overdue). Callers import from ``ledger.claims.domain``.

Nothing here touches a database, the web or Beancount: every function takes plain values (amounts in
integer fen, dates, the ``RuleVersion`` in force) and returns values or raises a domain error from
``ledger.core.errors``. The service layer loads the facts, calls these rules inside its transaction and
stores what they return.

Rounding: every percentage (co-insurance, 低保/特困 uplift, disability grade ratio) is applied with
``ledger.core.money.percent_of``: half up, to the fen, at that step. Scale-back never rounds: it
distributes whole fen by largest remainder so the payouts sum to the limit exactly.

Errors: the named errors are in ``claims.errors`` (the two shared with funds in ``core.errors``); each
class docstring is the default message, ``field`` names the input at fault and ``rule`` the rule it breaks.
"""

from __future__ import annotations

from ledger.claims.domain.approval import (
    approval_ceiling,
    approvals_required,
    approved_reduction,
    check_four_eyes,
    check_override,
    needs_second_approval,
)
from ledger.claims.domain.assessment import (
    Assessment,
    Step,
    assess_line,
    check_claim_heads,
    check_line,
    lower_amount,
)
from ledger.claims.domain.deadlines import (
    OverdueClock,
    advance_payment_due,
    check_limitation,
    clock_statuses,
    decision_due,
    is_overdue,
    is_time_barred,
    limitation_ends,
    overdue_clocks,
    payment_due,
    rejection_notice_due,
)
from ledger.claims.domain.documents import (
    MissingDocument,
    check_upload,
    checklist,
    documents_complete,
    missing_documents,
)
from ledger.claims.domain.duplicates import (
    ExistingClaim,
    check_duplicate,
    check_duplicate_override,
    check_no_duplicate,
    find_duplicate,
    unresolved_duplicate,
)
from ledger.claims.domain.limits import LimitLayer, LimitUsage, scale_back
from ledger.claims.domain.payments import (
    INSURANCE_BANK_ACCOUNT,
    PREMIUM_INCOME_ACCOUNT,
    PaymentKind,
    check_payment,
    payment_postings,
    premium_postings,
)
from ledger.claims.domain.status import (
    TRANSITIONS,
    ClaimAction,
    ClaimStatus,
    Transition,
    TransitionRule,
    allowed_actions,
    next_status,
    transition,
)
from ledger.claims.errors import (
    AboveRuleAmount,
    ApprovedAboveAssessed,
    ClaimTimeBarred,
    DuplicateClaim,
    Overpayment,
    PaymentNotAllowed,
    ReasonRequired,
)
from ledger.claims.policy import BenefitHead
from ledger.core.errors import FourEyesViolation, IllegalTransition

__all__ = [
    "INSURANCE_BANK_ACCOUNT",
    "PREMIUM_INCOME_ACCOUNT",
    "TRANSITIONS",
    "AboveRuleAmount",
    "ApprovedAboveAssessed",
    "Assessment",
    "BenefitHead",
    "ClaimAction",
    "ClaimStatus",
    "ClaimTimeBarred",
    "DuplicateClaim",
    "ExistingClaim",
    "FourEyesViolation",
    "IllegalTransition",
    "LimitLayer",
    "LimitUsage",
    "MissingDocument",
    "OverdueClock",
    "Overpayment",
    "PaymentKind",
    "PaymentNotAllowed",
    "ReasonRequired",
    "Step",
    "Transition",
    "TransitionRule",
    "advance_payment_due",
    "allowed_actions",
    "approval_ceiling",
    "approvals_required",
    "approved_reduction",
    "assess_line",
    "check_claim_heads",
    "check_duplicate",
    "check_duplicate_override",
    "check_four_eyes",
    "check_limitation",
    "check_line",
    "check_no_duplicate",
    "check_override",
    "check_payment",
    "check_upload",
    "checklist",
    "clock_statuses",
    "decision_due",
    "documents_complete",
    "find_duplicate",
    "is_overdue",
    "is_time_barred",
    "limitation_ends",
    "lower_amount",
    "missing_documents",
    "needs_second_approval",
    "next_status",
    "overdue_clocks",
    "payment_due",
    "payment_postings",
    "premium_postings",
    "rejection_notice_due",
    "scale_back",
    "transition",
    "unresolved_duplicate",
]
