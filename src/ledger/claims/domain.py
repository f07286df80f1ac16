"""Pure rules of the relief-insurance claims domain: status machine, assessment, limits, payments, clocks.

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

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from ledger.claims.errors import (
    AboveRuleAmount,
    ApprovedAboveAssessed,
    ClaimTimeBarred,
    DuplicateClaim,
    NoDuplicateFound,
    Overpayment,
    PaymentNotAllowed,
    ReasonRequired,
)
from ledger.claims.policy import (
    CLAIMS_ACCOUNT_PREFIX,
    BenefitHead,
    Clocks,
    PolicyConfig,
    RequiredDocument,
    RuleVersion,
    UploadLimits,
)
from ledger.core.entries import Posting
from ledger.core.errors import (
    FourEyesViolation,
    IllegalTransition,
    InvalidInput,
    PayloadTooLarge,
    PermissionDenied,
    UnsupportedMediaType,
)
from ledger.core.money import Fen, format_amount, format_cny, percent_of

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

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

INSURANCE_BANK_ACCOUNT = "Assets:Insurance:Bank"
"""The insurance book's bank account: credited by payouts, debited by premium receipts."""

PREMIUM_INCOME_ACCOUNT = "Income:Insurance:Premium"
"""Premium income of the insurance book."""


# --------------------------------------------------------------------------------------------------
# Status machine


class ClaimStatus(StrEnum):
    """Where a claim stands. ``cn`` and ``en`` give its words, the same on every page, PDF and report."""

    REGISTERED = "registered"
    DOCUMENTS_PENDING = "documents_pending"
    UNDER_REVIEW = "under_review"
    ASSESSED = "assessed"
    APPROVED = "approved"
    REJECTED = "rejected"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def cn(self) -> str:
        """Chinese word of the status, e.g. ``待材料``: the same on every page, PDF and report."""
        return _STATUS_WORDS[self][0]

    @property
    def en(self) -> str:
        """English words of the status, e.g. ``missing documents``."""
        return _STATUS_WORDS[self][1]


_STATUS_WORDS = {
    ClaimStatus.REGISTERED: ("已受理", "registered"),
    ClaimStatus.DOCUMENTS_PENDING: ("待材料", "missing documents"),
    ClaimStatus.UNDER_REVIEW: ("审核中", "under review"),
    ClaimStatus.ASSESSED: ("已核定", "assessed"),
    ClaimStatus.APPROVED: ("已批准", "approved"),
    ClaimStatus.REJECTED: ("已拒绝", "rejected"),
    ClaimStatus.PARTLY_PAID: ("部分支付", "partly paid"),
    ClaimStatus.PAID: ("已支付", "paid"),
    ClaimStatus.CLOSED: ("已结案", "closed"),
    ClaimStatus.WITHDRAWN: ("已撤回", "withdrawn"),
}
"""The one vocabulary of claim statuses (the workbench's terms), Chinese and English."""


class ClaimAction(StrEnum):
    """What a user does to a claim; each action moves it along ``TRANSITIONS``."""

    REQUEST_DOCUMENTS = "request_documents"
    DOCUMENTS_COMPLETE = "documents_complete"
    ASSESS = "assess"
    APPROVE = "approve"
    REJECT = "reject"
    PAY_PARTIAL = "pay_partial"
    PAY_FINAL = "pay_final"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"


@dataclass(frozen=True, slots=True)
class TransitionRule:
    """One row of the transition table.

    Args:
        action: the action.
        allowed_from: the statuses it may be taken from.
        to: the status it leads to.
        needs_reason: whether the transition must carry a non-empty reason.
    """

    action: ClaimAction
    allowed_from: tuple[ClaimStatus, ...]
    to: ClaimStatus
    needs_reason: bool = False


_S = ClaimStatus
_A = ClaimAction
TRANSITIONS: Mapping[ClaimAction, TransitionRule] = MappingProxyType(
    {
        rule.action: rule
        for rule in (
            # documents asked for once, as one list; also from review when a new fact needs a new paper
            TransitionRule(_A.REQUEST_DOCUMENTS, (_S.REGISTERED, _S.UNDER_REVIEW), _S.DOCUMENTS_PENDING),
            # straight from registered when everything came with the report
            TransitionRule(_A.DOCUMENTS_COMPLETE, (_S.REGISTERED, _S.DOCUMENTS_PENDING), _S.UNDER_REVIEW),
            TransitionRule(_A.ASSESS, (_S.UNDER_REVIEW,), _S.ASSESSED),
            # with a second approver, the first approval is recorded and the status stays 'assessed'
            TransitionRule(_A.APPROVE, (_S.ASSESSED,), _S.APPROVED),
            TransitionRule(
                _A.REJECT,
                (_S.REGISTERED, _S.DOCUMENTS_PENDING, _S.UNDER_REVIEW, _S.ASSESSED),
                _S.REJECTED,
                needs_reason=True,
            ),
            TransitionRule(_A.PAY_PARTIAL, (_S.APPROVED, _S.PARTLY_PAID), _S.PARTLY_PAID),
            TransitionRule(_A.PAY_FINAL, (_S.APPROVED, _S.PARTLY_PAID), _S.PAID),
            TransitionRule(_A.CLOSE, (_S.PAID, _S.REJECTED), _S.CLOSED),
            # no withdrawal once money has gone out
            TransitionRule(
                _A.WITHDRAW,
                (_S.REGISTERED, _S.DOCUMENTS_PENDING, _S.UNDER_REVIEW, _S.ASSESSED, _S.APPROVED),
                _S.WITHDRAWN,
                needs_reason=True,
            ),
            TransitionRule(
                _A.REOPEN, (_S.REJECTED, _S.WITHDRAWN, _S.CLOSED), _S.UNDER_REVIEW, needs_reason=True
            ),
        )
    }
)
"""Per action: the statuses it may be taken from, where it leads, whether it needs a reason."""


def _status(value: ClaimStatus | str) -> ClaimStatus:
    try:
        return ClaimStatus(value)
    except ValueError:
        raise InvalidInput(
            f"unknown claim status {value!r}",
            field="status",
            rule="one of " + ", ".join(s.value for s in ClaimStatus),
        ) from None


def _action(value: ClaimAction | str) -> ClaimAction:
    try:
        return ClaimAction(value)
    except ValueError:
        raise InvalidInput(
            f"unknown action {value!r}",
            field="action",
            rule="one of " + ", ".join(a.value for a in ClaimAction),
        ) from None


def _quoted_choice(values: Sequence[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def allowed_actions(status: ClaimStatus | str) -> tuple[ClaimAction, ...]:
    """The actions a claim in ``status`` allows, in ``ClaimAction`` order (for buttons and error hints)."""
    current = _status(status)
    return tuple(a for a in ClaimAction if current in TRANSITIONS[a].allowed_from)


def next_status(current: ClaimStatus | str, action: ClaimAction | str) -> ClaimStatus:
    """Return the status ``action`` leads to from ``current``.

    Args:
        current: the claim's status now.
        action: what the user wants to do.

    Raises:
        IllegalTransition: (a ``Conflict``, HTTP 409) ``field="status"``, message such as
            ``claim is 'approved'; 'assess' is allowed only from 'under_review'``; ``extra`` has
            ``status``, ``action``, ``allowed_from`` and ``allowed_actions``.
        InvalidInput: for an unknown status or action.
    """
    status = _status(current)
    act = _action(action)
    rule = TRANSITIONS[act]
    if status not in rule.allowed_from:
        allowed = _quoted_choice([s.value for s in rule.allowed_from])
        raise IllegalTransition(
            f"claim is '{status}'; '{act}' is allowed only from {allowed}",
            field="status",
            rule=f"'{act}' is allowed only from {allowed}",
            extra={
                "status": status.value,
                "action": act.value,
                "allowed_from": [s.value for s in rule.allowed_from],
                "allowed_actions": [a.value for a in allowed_actions(status)],
            },
        )
    return rule.to


@dataclass(frozen=True, slots=True)
class Transition:
    """A status change, as the audit trail stores it.

    Args:
        action: what was done.
        from_status: the status before.
        to_status: the status after.
        actor: the user name who did it.
        at: when, timezone-aware.
        reason: why (required for reject, withdraw and reopen; for reject, the coded reason).
    """

    action: ClaimAction
    from_status: ClaimStatus
    to_status: ClaimStatus
    actor: str
    at: dt.datetime
    reason: str


def transition(
    current: ClaimStatus | str, action: ClaimAction | str, *, actor: str, at: dt.datetime, reason: str = ""
) -> Transition:
    """Check and describe one status change.

    Args:
        current: the claim's status now.
        action: what the user does.
        actor: the user name doing it (non-empty).
        at: when it happens; must be timezone-aware.
        reason: why; required (non-blank) for reject, withdraw and reopen. For ``reject`` pass the coded
            reason (validate it first with ``PolicyConfig.rejection_reason``).

    Raises:
        IllegalTransition: the status does not allow the action (see ``next_status``).
        ReasonRequired: ``field="reason"`` when the action needs a reason and none is given.
        InvalidInput: ``field="actor"`` or ``field="at"`` for a blank actor or a naive time.
    """
    act = _action(action)
    status = _status(current)
    to = next_status(status, act)
    if not actor.strip():
        raise InvalidInput("actor must not be empty", field="actor", rule="non-empty user name")
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput("at must be timezone-aware", field="at", rule="timezone-aware datetime")
    if TRANSITIONS[act].needs_reason and not reason.strip():
        raise ReasonRequired(
            f"'{act}' needs a reason", field="reason", rule=f"'{act}' is recorded with a non-empty reason"
        )
    return Transition(action=act, from_status=status, to_status=to, actor=actor, at=at, reason=reason.strip())


# --------------------------------------------------------------------------------------------------
# Assessment


class LimitLayer(StrEnum):
    """The limit layers an assessment checks, from the narrowest to the widest."""

    HEAD = "head"
    """The head's limit per person (or household), after uplift and grade ratio, less what it already used."""
    HOUSEHOLD = "household"
    """Everything paid to one household in one event (only when configured)."""
    EVENT = "event"
    """Everything paid for one event: reported, enforced by ``scale_back`` rather than per line."""
    PERIL_YEAR = "peril_year"
    """Everything paid under one peril in one policy year."""
    POLICY_YEAR = "policy_year"
    """Everything paid in the policy year."""


@dataclass(frozen=True, slots=True)
class LimitUsage:
    """What is already used of each limit layer, in fen, not counting the line being assessed.

    Count the payable amounts of lines on claims that are assessed, approved, partly paid, paid or
    closed (not withdrawn or rejected), in the same policy year.

    Args:
        head_fen: this person's use of this head in this event (for ``property`` / ``resettlement``:
            this household's use of that head in this event).
        household_fen: this household's use of all heads in this event.
        event_fen: the whole event's use.
        peril_year_fen: this peril's use in the policy year.
        policy_year_fen: the policy year's use across all perils.
    """

    head_fen: Fen = 0
    household_fen: Fen = 0
    event_fen: Fen = 0
    peril_year_fen: Fen = 0
    policy_year_fen: Fen = 0

    def plus(self, fen: Fen, *, same_head: bool = True, same_household: bool = True) -> LimitUsage:
        """Return the usage after another line of ``fen`` in the same event and peril.

        Use it to assess several lines of one claim in turn: a line for a different person or head
        passes ``same_head=False``; one for another household ``same_household=False``.
        """
        return LimitUsage(
            head_fen=self.head_fen + (fen if same_head else 0),
            household_fen=self.household_fen + (fen if same_household else 0),
            event_fen=self.event_fen + fen,
            peril_year_fen=self.peril_year_fen + fen,
            policy_year_fen=self.policy_year_fen + fen,
        )


@dataclass(frozen=True, slots=True)
class Step:
    """One line of an assessment's explanation trail.

    Args:
        code: stable code: ``claimed``, ``unreimbursed``, ``deductible``, ``coinsurance``, ``limit``,
            ``uplift``, ``grade_ratio``, ``head_remaining``, ``household_remaining``,
            ``event_remaining``, ``peril_year_remaining``, ``policy_year_remaining``, ``payable``,
            ``lowered``.
        label_en: English label.
        label_cn: Chinese label.
        amount_fen: the running amount after this step.
        value_fen: the step's money figure (the limit, what remains of it, the deductible), if any.
        percent: the step's percentage (co-insurance, uplift, grade ratio), if any.
        note: how the figure came about, and whether it cut the amount or a limit is exhausted.
    """

    code: str
    label_en: str
    label_cn: str
    amount_fen: Fen
    value_fen: Fen | None = None
    percent: Decimal | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    """The assessed payable amount of one benefit line, with the trail that explains it.

    Args:
        rule_version: the ``RuleVersion.version`` it was computed under (store it).
        peril: the peril code.
        head: the benefit head.
        claimed_fen: what was claimed.
        rule_fen: what the rules allow: the ceiling for any later lowering.
        payable_fen: what is payable now (``rule_fen`` unless lowered with a reason).
        limited_by: the limit layer that last cut the amount (``None`` if no limit did).
        exceeds_event_limit: whether this line takes its event past the per-event limit, so the
            event's payouts must be scaled back (``scale_back``).
        trail: the explanation, step by step.
        grade: the disability grade, for the disability head.
        uplift_applied: whether the 低保/特困 uplift raised the limit.
        lowered_reason: the reason given when the amount was lowered (empty otherwise).
    """

    rule_version: str
    peril: str
    head: BenefitHead
    claimed_fen: Fen
    rule_fen: Fen
    payable_fen: Fen
    limited_by: LimitLayer | None
    exceeds_event_limit: bool
    trail: tuple[Step, ...]
    grade: int | None = None
    uplift_applied: bool = False
    lowered_reason: str = ""

    @property
    def lowered(self) -> bool:
        """Whether the payable amount was lowered below what the rules allow."""
        return self.payable_fen < self.rule_fen


def _check_fen(value: object, field: str) -> Fen:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(
            f"{field} must be a whole number of fen, not negative: got {value!r}",
            field=field,
            rule="not negative",
        )
    return value


def _head(value: BenefitHead | str, where: str = "") -> BenefitHead:
    try:
        return BenefitHead(value)
    except ValueError:
        raise InvalidInput(
            f"unknown benefit head {value!r}",
            field=f"{where}head",
            rule="one of " + ", ".join(h.value for h in BenefitHead),
        ) from None


def check_line(
    head: BenefitHead | str,
    claimed_fen: Fen,
    *,
    grade: int | None = None,
    unreimbursed_fen: Fen | None = None,
    where: str = "",
) -> BenefitHead:
    """Check one benefit line on its own: a known head, a grade only (and always) for disability, an
    unreimbursed part only for medical and at most the claimed amount. Returns the head.

    Args:
        head: the benefit head.
        claimed_fen: what is claimed under it (>= 0).
        grade: the disability grade 1..10, ``None`` for other heads.
        unreimbursed_fen: medical only: the part 医保 left unpaid, or ``None``.
        where: prefix of the field names in errors, e.g. ``"lines[0]."``.

    Raises:
        InvalidInput: ``field`` ``head``, ``claimed``, ``grade`` or ``unreimbursed`` after ``where``.
    """
    head = _head(head, where)
    _check_fen(claimed_fen, f"{where}claimed")
    if head is BenefitHead.DISABILITY:
        if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 10:
            raise InvalidInput(
                f"disability needs a grade from 1 to 10: got {grade!r}",
                field=f"{where}grade",
                rule="integer 1..10",
            )
    elif grade is not None:
        raise InvalidInput(
            f"a grade applies only to disability, not {head}",
            field=f"{where}grade",
            rule="only for disability",
        )
    if unreimbursed_fen is not None:
        if head is not BenefitHead.MEDICAL:
            raise InvalidInput(
                f"an unreimbursed amount applies only to medical, not {head}",
                field=f"{where}unreimbursed",
                rule="only for medical",
            )
        _check_fen(unreimbursed_fen, f"{where}unreimbursed")
        if unreimbursed_fen > claimed_fen:
            raise InvalidInput(
                f"unreimbursed {format_cny(unreimbursed_fen)} is more than claimed {format_cny(claimed_fen)}",
                field=f"{where}unreimbursed",
                rule="at most the claimed amount",
            )
    return head


def check_claim_heads(peril: str, heads: Sequence[BenefitHead], covered: Iterable[str], field: str) -> None:
    """Check a claim's heads together: each covered under the peril, and at most one line per head.

    Args:
        peril: the claim's peril code.
        heads: the heads of its lines, in order.
        covered: the heads the peril covers (``PolicyConfig.peril(peril).heads``).
        field: the name of the lines input, e.g. ``"lines"``.

    Raises:
        InvalidInput: ``field`` ``<field>[i].head`` for the first head not covered or claimed twice.
    """
    allowed = tuple(covered)
    seen: set[BenefitHead] = set()
    for index, head in enumerate(heads):
        where = f"{field}[{index}].head"
        if head not in allowed:
            raise InvalidInput(
                f"peril {peril!r} does not cover {head}",
                field=where,
                rule=f"heads covered under {peril}: " + ", ".join(allowed),
            )
        if head in seen:
            raise InvalidInput(f"{head} is claimed twice", field=where, rule="one line per head")
        seen.add(head)


class _Trail:
    """Collects steps and remembers which limit cut the amount last."""

    def __init__(self, amount: Fen) -> None:
        self.amount = amount
        self.steps: list[Step] = []
        self.limited_by: LimitLayer | None = None

    def add(
        self,
        code: str,
        label_en: str,
        label_cn: str,
        *,
        value_fen: Fen | None = None,
        percent: Decimal | None = None,
        note: str = "",
    ) -> None:
        self.steps.append(Step(code, label_en, label_cn, self.amount, value_fen, percent, note))

    def cap(self, layer: LimitLayer, label_en: str, label_cn: str, limit: Fen, used: Fen) -> None:
        """Cut the amount to what remains of ``limit`` after ``used``."""
        remaining = max(0, limit - used)
        note = f"limit {format_cny(limit)} - used {format_cny(used)} = {format_cny(remaining)}"
        if self.amount > remaining:
            if remaining == 0:
                note += f"; {layer.value} limit exhausted"
            note += f"; cuts {format_cny(self.amount)} to {format_cny(remaining)}"
            self.amount = remaining
            self.limited_by = layer
        self.add(f"{layer.value}_remaining", label_en, label_cn, value_fen=remaining, note=note)


def assess_line(
    rules: RuleVersion,
    peril: str,
    head: BenefitHead | str,
    claimed_fen: Fen,
    *,
    grade: int | None = None,
    unreimbursed_fen: Fen | None = None,
    household_uplift: bool,
    usage: LimitUsage,
) -> Assessment:
    """Compute the payable amount of one benefit line and explain it.

    Order: claimed -> (medical: the part 医保 left unpaid) -> less deductible -> co-insurance share ->
    capped at the head limit (raised by the uplift, times the grade ratio for disability) less what this
    person/household already used of it -> capped at what remains of the household, peril-year and
    policy-year limits. The per-event limit is reported (``event_remaining`` step,
    ``exceeds_event_limit``) but not applied per line: when an event's approved total exceeds it, all
    its payouts are scaled back pro rata with ``scale_back``.

    Args:
        rules: the rule version in force on the incident date (``PolicyConfig.rules_on``).
        peril: the peril code.
        head: the benefit head.
        claimed_fen: what the claimant asks for under this head (>= 0). Death, property and
            resettlement pay it up to the limit; disability pays it up to limit × grade ratio.
        grade: disability grade 1..10 (grade 1 = 100 %, each grade 10 points less, grade 10 = 10 %);
            required for disability, refused for other heads.
        unreimbursed_fen: medical only: the part of the cost basic medical insurance (医保) left
            unpaid, at most ``claimed_fen``; ``None`` takes the whole claimed amount as unreimbursed.
        household_uplift: whether the victim's household qualifies for the 低保/特困 uplift
            (``rules.uplift.applies(status)``); ignored, with a note, when the uplift is switched off.
        usage: what is already used of each limit layer.

    Raises:
        InvalidInput: ``field`` ``peril``, ``head``, ``claimed``, ``grade``, ``unreimbursed`` or ``usage``.
    """
    head = _head(head)
    terms = rules.terms(peril, head)
    peril_rules = rules.peril_rules(peril)
    for name in ("head_fen", "household_fen", "event_fen", "peril_year_fen", "policy_year_fen"):
        _check_fen(getattr(usage, name), "usage")
    check_line(head, claimed_fen, grade=grade, unreimbursed_fen=unreimbursed_fen)

    unit = "household" if head.per_household else "person"
    unit_cn = "每户" if head.per_household else "每人"
    trail = _Trail(claimed_fen)
    trail.add("claimed", "claimed", "申请金额")
    if head is BenefitHead.MEDICAL:
        trail.amount = claimed_fen if unreimbursed_fen is None else unreimbursed_fen
        trail.add(
            "unreimbursed",
            "left unpaid by basic medical insurance",
            "医保未报销部分",
            note="taken as the whole claimed amount" if unreimbursed_fen is None else "",
        )
    trail.amount = max(0, trail.amount - terms.deductible_fen)
    trail.add("deductible", "less deductible", "扣除免赔额", value_fen=terms.deductible_fen)
    trail.amount = percent_of(trail.amount, terms.coinsurance_percent)
    trail.add(
        "coinsurance",
        "co-insurance share",
        "赔付比例",
        percent=terms.coinsurance_percent,
        note="rounded half up to the fen",
    )

    limit = terms.limit_fen
    trail.add("limit", f"{head} limit per {unit}", f"{unit_cn}限额", value_fen=limit)
    uplift_applied = household_uplift and rules.uplift.enabled
    if household_uplift:
        if uplift_applied:
            limit = percent_of(limit, Decimal(100) + rules.uplift.percent)
            trail.add(
                "uplift",
                "低保/特困 household uplift",
                "低保、特困家庭上浮",
                value_fen=limit,
                percent=rules.uplift.percent,
            )
        else:
            trail.add(
                "uplift",
                "低保/特困 household uplift",
                "低保、特困家庭上浮",
                note=f"uplift is switched off in rule version {rules.version}",
            )
    if grade is not None:
        ratio = Decimal(110 - 10 * grade)
        limit = percent_of(limit, ratio)
        trail.add(
            "grade_ratio",
            f"disability grade {grade} ratio",
            f"伤残{grade}级赔付比例",
            value_fen=limit,
            percent=ratio,
        )
    trail.cap(
        LimitLayer.HEAD,
        f"remaining {head} limit of this {unit}",
        f"{unit_cn}该项剩余限额",
        limit,
        usage.head_fen,
    )
    if rules.per_household_event_fen is not None:
        trail.cap(
            LimitLayer.HOUSEHOLD,
            "remaining household limit for the event",
            "每户每次事故剩余限额",
            rules.per_household_event_fen,
            usage.household_fen,
        )

    trail.cap(
        LimitLayer.PERIL_YEAR,
        "remaining peril limit for the policy year",
        "该险种年度剩余限额",
        peril_rules.per_peril_year_fen,
        usage.peril_year_fen,
    )
    trail.cap(
        LimitLayer.POLICY_YEAR,
        "remaining policy-year limit",
        "保单年度累计剩余限额",
        rules.per_policy_year_fen,
        usage.policy_year_fen,
    )
    event_remaining = max(0, rules.per_event_fen - usage.event_fen)
    exceeds_event = trail.amount > event_remaining
    trail.add(
        "event_remaining",
        "remaining event limit",
        "每次事故剩余限额",
        value_fen=event_remaining,
        note=(
            f"limit {format_cny(rules.per_event_fen)} - used {format_cny(usage.event_fen)}; "
            + (
                "this line takes the event past its limit: scale back all its payouts pro rata"
                if exceeds_event
                else "not applied per line: an event past its limit is scaled back pro rata"
            )
        ),
    )
    trail.add("payable", "payable", "应付金额")
    return Assessment(
        rule_version=rules.version,
        peril=peril,
        head=head,
        claimed_fen=claimed_fen,
        rule_fen=trail.amount,
        payable_fen=trail.amount,
        limited_by=trail.limited_by,
        exceeds_event_limit=exceeds_event,
        trail=tuple(trail.steps),
        grade=grade,
        uplift_applied=uplift_applied,
    )


def lower_amount(assessment: Assessment, new_fen: Fen, reason: str) -> Assessment:
    """Return ``assessment`` with its payable amount lowered by the adjuster or approver.

    Args:
        assessment: the line as assessed (possibly already lowered).
        new_fen: the new payable amount; at most ``assessment.rule_fen`` (what the rules allow), so a
            lowered amount may be raised again, but never above the rule.
        reason: why; must not be blank. It is kept as ``lowered_reason`` and in a ``lowered`` step.

    Raises:
        InvalidInput: ``field="amount"`` for a negative or non-integer amount.
        AboveRuleAmount: ``field="amount"`` when ``new_fen`` is above the rule amount.
        ReasonRequired: ``field="reason"`` when the reason is blank.
    """
    _check_fen(new_fen, "amount")
    if new_fen > assessment.rule_fen:
        ceiling = format_cny(assessment.rule_fen)
        raise AboveRuleAmount(
            f"{format_cny(new_fen)} is above what the rules allow for this line: {ceiling}",
            field="amount",
            rule=f"at most the rule amount {ceiling}",
        )
    if not reason.strip():
        raise ReasonRequired(
            "lowering an assessed amount needs a reason", field="reason", rule="non-empty reason"
        )
    step = Step(
        "lowered",
        "lowered by the adjuster",
        "人工调减",
        new_fen,
        value_fen=assessment.rule_fen,
        note=reason.strip(),
    )
    return replace(
        assessment, payable_fen=new_fen, lowered_reason=reason.strip(), trail=(*assessment.trail, step)
    )


K = TypeVar("K", bound="SupportsRichComparison")


def scale_back(approved: Mapping[K, Fen], limit_fen: Fen) -> dict[K, Fen]:
    """Scale an event's approved payouts back pro rata so they sum to ``limit_fen`` exactly, to the fen.

    Each payout gets ``floor(amount × limit / total)``; the fen left over go one each to the payouts with
    the largest remainders, ties broken by key (ascending), so the result does not depend on the order
    of ``approved``. No payout grows; with a total at or below the limit nothing changes.

    Args:
        approved: approved amount per key (e.g. claim id), each >= 0; keys must be comparable.
        limit_fen: the per-event limit (>= 0).

    Returns:
        A new dict in the order of ``approved`` summing to ``min(total, limit_fen)``.

    Raises:
        InvalidInput: ``field="approved"`` / ``"limit"`` for a negative amount.
    """
    _check_fen(limit_fen, "limit")
    for value in approved.values():
        _check_fen(value, "approved")
    total = sum(approved.values())
    if total <= limit_fen:
        return dict(approved)
    shares = {key: amount * limit_fen // total for key, amount in approved.items()}
    remainders = {key: amount * limit_fen % total for key, amount in approved.items()}
    left = limit_fen - sum(shares.values())
    for key in sorted(approved, key=lambda k: (-remainders[k], k))[:left]:
        shares[key] += 1
    return shares


# --------------------------------------------------------------------------------------------------
# Approval


def needs_second_approval(total_fen: Fen, rules: RuleVersion) -> bool:
    """Whether a claim with payable ``total_fen`` needs a second approver (strictly above the threshold)."""
    return _check_fen(total_fen, "total") > rules.second_approval_above_fen


def approvals_required(total_fen: Fen, rules: RuleVersion) -> int:
    """How many distinct approvers a claim with payable ``total_fen`` needs: 1 or 2."""
    return 2 if needs_second_approval(total_fen, rules) else 1


def check_four_eyes(
    decider: str, registered_by: str, assessed_by: str | None, first_approver: str | None = None
) -> None:
    """Refuse a decision by someone who already handled the claim.

    Apply it to approve and to reject. User names compare without case or surrounding blanks.

    Args:
        decider: who wants to approve (or reject).
        registered_by: who registered the claim.
        assessed_by: who assessed it (``None`` if not assessed yet).
        first_approver: who gave the first approval, when a second one is needed.

    Raises:
        FourEyesViolation: (a ``PermissionDenied``, HTTP 403) ``field="approver"``; the message and the
            ``rule`` (``four-eyes: the assessor may not approve or reject``) name the role the decider
            already had.
    """

    def same(a: str, b: str | None) -> bool:
        return b is not None and a.strip().casefold() == b.strip().casefold()

    for did, role, person in (
        ("registered", "registrar", registered_by),
        ("assessed", "assessor", assessed_by),
        ("already approved", "first approver", first_approver),
    ):
        if same(decider, person):
            raise FourEyesViolation(
                f"{decider} {did} this claim and cannot also decide it",
                field="approver",
                rule=f"four-eyes: the {role} may not approve or reject",
            )


def approved_reduction(assessed_fen: Fen, asked_fen: Fen | None, reason: str | None) -> Fen | None:
    """The lower amount an approver approves a claim for ("reduce with a reason"), or ``None``.

    The rule: ``0 < approved <= assessed``; approving less than assessed needs a reason. The amount is
    the most the claim may be paid; the event's limit may still scale it back further.

    Args:
        assessed_fen: what the adjuster assessed.
        asked_fen: the amount the approver approves; ``None`` approves as assessed.
        reason: why it is lower.

    Returns:
        ``asked_fen`` when it is lower than assessed, else ``None`` (approved as assessed).

    Raises:
        ApprovedAboveAssessed: ``field="approved_amount"`` for 0 or less, or above the assessed amount.
        ReasonRequired: ``field="reduction_reason"`` for a lower amount without a reason.
    """
    if asked_fen is None or asked_fen == assessed_fen:
        return None
    if asked_fen <= 0 or asked_fen > assessed_fen:
        raise ApprovedAboveAssessed(
            f"approved_amount {format_cny(asked_fen)} must be more than 0.00 and at most the assessed "
            f"{format_cny(assessed_fen)}",
            field="approved_amount",
            rule="0 < approved <= assessed",
            extra={"assessed": format_amount(assessed_fen)},
        )
    if not (reason or "").strip():
        raise ReasonRequired(
            "approving less than the assessed amount needs a reason",
            field="reduction_reason",
            rule="a reason when approving less than assessed",
        )
    return asked_fen


def approval_ceiling(assessed_fen: Fen, reduced_to_fen: Fen | None) -> Fen:
    """The most a claim may be approved (and paid) for: as assessed, or as an approver reduced it."""
    return int(assessed_fen) if reduced_to_fen is None else int(reduced_to_fen)


# --------------------------------------------------------------------------------------------------
# Payments and postings


class PaymentKind(StrEnum):
    """How a payment relates to the approved amount.

    ``advance`` (先予支付, the undisputed part when the amount is not fixed within 60 days) and
    ``interim`` are part payments and must leave something to pay; ``final`` pays exactly the rest.
    """

    ADVANCE = "advance"
    INTERIM = "interim"
    FINAL = "final"

    @property
    def action(self) -> ClaimAction:
        """The status action the payment takes: ``pay_final`` or ``pay_partial``."""
        return ClaimAction.PAY_FINAL if self is PaymentKind.FINAL else ClaimAction.PAY_PARTIAL


def check_payment(approved_fen: Fen, paid_so_far_fen: Fen, amount_fen: Fen | None, kind: PaymentKind) -> Fen:
    """Check a payment against what is approved and already paid; return the amount to pay.

    Args:
        approved_fen: the approved total of the claim (after any event scale-back).
        paid_so_far_fen: the sum of its earlier payments.
        amount_fen: the amount asked for; ``None`` for a final payment means "the rest".
        kind: advance, interim or final.

    Returns:
        The amount to pay: ``amount_fen``, or the rest for a final payment given ``None``.

    Raises:
        InvalidInput: ``field="amount"`` for a missing, zero or negative part payment.
        Overpayment: ``field="amount"``: "payment would exceed the approved amount: approved X,
            paid Y, asked Z" (also when the approved amount was scaled back below what is paid).
        PaymentNotAllowed: ``field="amount"`` when a part payment would pay everything (make it the
            final payment), a final payment is not exactly the rest, or nothing is left to pay.
    """
    _check_fen(approved_fen, "approved")
    _check_fen(paid_so_far_fen, "paid")
    kind = PaymentKind(kind)
    rest = approved_fen - paid_so_far_fen
    if amount_fen is None:
        if kind is not PaymentKind.FINAL:
            raise InvalidInput(
                f"an {kind} payment needs an amount", field="amount", rule="required for a part payment"
            )
        amount_fen = max(rest, 0)
    _check_fen(amount_fen, "amount")
    if amount_fen > rest:
        raise Overpayment(
            "payment would exceed the approved amount: "
            f"approved {format_cny(approved_fen)}, paid {format_cny(paid_so_far_fen)}, "
            f"asked {format_cny(amount_fen)}",
            field="amount",
            rule=f"at most the unpaid rest {format_cny(max(rest, 0))}",
        )
    if rest == 0:
        raise PaymentNotAllowed(
            "nothing is left to pay on this claim", field="amount", rule="approved amount not yet fully paid"
        )
    if kind is PaymentKind.FINAL and amount_fen != rest:
        raise PaymentNotAllowed(
            f"a final payment pays exactly the rest {format_cny(rest)}, not {format_cny(amount_fen)}",
            field="amount",
            rule=f"final payment = approved - paid = {format_cny(rest)}",
        )
    if kind is not PaymentKind.FINAL:
        if amount_fen == 0:
            raise InvalidInput("a part payment must be greater than 0", field="amount", rule="greater than 0")
        if amount_fen == rest:
            raise PaymentNotAllowed(
                f"this {kind} payment would pay the whole rest {format_cny(rest)}: make it the final payment",
                field="amount",
                rule=f"a part payment is less than the unpaid rest {format_cny(rest)}",
            )
    return amount_fen


def payment_postings(peril_account: str, amount_fen: Fen) -> tuple[Posting, ...]:
    """The postings of one claim payment: Dr the peril's expense account / Cr the insurance bank.

    Args:
        peril_account: ``Peril.account``, e.g. ``Expenses:Insurance:Claims:FireExplosion``.
        amount_fen: the payment (> 0).

    Raises:
        InvalidInput: ``field="account"`` for an account outside ``Expenses:Insurance:Claims:``,
            ``field="amount"`` for an amount that is not positive.
    """
    if not peril_account.startswith(CLAIMS_ACCOUNT_PREFIX) or peril_account == CLAIMS_ACCOUNT_PREFIX:
        raise InvalidInput(
            f"{peril_account!r} is not a claims expense account",
            field="account",
            rule=f"an account under {CLAIMS_ACCOUNT_PREFIX}",
        )
    amount = _positive(amount_fen)
    return (Posting(peril_account, amount), Posting(INSURANCE_BANK_ACCOUNT, -amount))


def premium_postings(amount_fen: Fen) -> tuple[Posting, ...]:
    """The postings of a premium receipt: Dr ``Assets:Insurance:Bank`` / Cr ``Income:Insurance:Premium``.

    Raises:
        InvalidInput: ``field="amount"`` for an amount that is not positive.
    """
    amount = _positive(amount_fen)
    return (Posting(INSURANCE_BANK_ACCOUNT, amount), Posting(PREMIUM_INCOME_ACCOUNT, -amount))


def _positive(fen: Fen) -> Fen:
    if _check_fen(fen, "amount") == 0:
        raise InvalidInput("amount must be greater than 0", field="amount", rule="greater than 0")
    return fen


# --------------------------------------------------------------------------------------------------
# Duplicate relief


@dataclass(frozen=True, slots=True)
class ExistingClaim:
    """What the duplicate check needs to know of a claim already on file.

    Args:
        claim_id: its id or number (named in the refusal).
        victim_id: the victim's resident ID number (or household id for a household-only claim).
        event_id: the event it belongs to, or ``None`` if none was recorded.
        peril: its peril code.
        incident_date: its incident date.
        status: its status; withdrawn and rejected claims never count.
        duplicate_of: the claim an approver's override linked it to, if any.
    """

    claim_id: int | str
    victim_id: str
    event_id: int | str | None
    peril: str
    incident_date: dt.date
    status: ClaimStatus
    duplicate_of: int | str | None = None


_NOT_COUNTED = frozenset({ClaimStatus.WITHDRAWN, ClaimStatus.REJECTED})


def find_duplicate(
    victim_id: str,
    event_id: int | str | None,
    peril: str,
    incident_date: dt.date,
    existing: Iterable[ExistingClaim],
    *,
    window_days: int,
) -> ExistingClaim | None:
    """Return a claim the new one would duplicate, or ``None``.

    A duplicate is a counted claim (not withdrawn or rejected) for the same victim and either the same
    event, or the same peril with an incident date at most ``window_days`` apart. A same-event match
    wins over a window match; otherwise the first match in ``existing`` order is returned.

    Args:
        victim_id: the new claim's victim (resident ID; compared without case or blanks).
        event_id: the new claim's event, or ``None``.
        peril: the new claim's peril code.
        incident_date: the new claim's incident date.
        existing: the claims on file (not including the new one), e.g. ordered by id.
        window_days: ``RuleVersion.duplicate_window_days``.
    """
    victim = victim_id.strip().upper()
    window_match: ExistingClaim | None = None
    for other in existing:
        if other.status in _NOT_COUNTED or other.victim_id.strip().upper() != victim:
            continue
        if event_id is not None and other.event_id == event_id:
            return other
        if (
            window_match is None
            and other.peril == peril
            and abs((other.incident_date - incident_date).days) <= window_days
        ):
            window_match = other
    return window_match


def check_duplicate(
    duplicate: ExistingClaim | None,
    *,
    override_reason: str | None = None,
    overrider_is_approver: bool = False,
) -> None:
    """Refuse a duplicate claim unless an approver overrides it with a reason.

    Args:
        duplicate: what ``find_duplicate`` returned.
        override_reason: the override's reason; ``None`` when nobody asked to override.
        overrider_is_approver: whether the user asking to override holds the approver role.

    Raises:
        DuplicateClaim: (409) ``field="victim"``, naming the other claim in the message and in
            ``extra["claim_id"]``, when there is no override.
        PermissionDenied: ``field="override_reason"`` when someone other than an approver tries to
            override.
        ReasonRequired: ``field="override_reason"`` when an approver overrides without a reason.
    """
    if duplicate is None:
        return
    if override_reason is None:
        same = "event" if duplicate.event_id is not None else "peril"
        raise DuplicateClaim(
            f"the victim already has claim {duplicate.claim_id} ({duplicate.peril}, "
            f"{duplicate.incident_date.isoformat()}, {duplicate.status}); only an approver may override",
            field="victim",
            rule=f"one claim per victim and {same} (or peril within the duplicate window)",
            extra={"claim_id": duplicate.claim_id},
        )
    check_override("the duplicate check", override_reason, overrider_is_approver, field="override_reason")


def unresolved_duplicate(
    claim: ExistingClaim, on_file: Iterable[ExistingClaim], *, window_days: int
) -> ExistingClaim | None:
    """Return a claim on file that ``claim`` duplicates and no override has accepted, or ``None``.

    A duplicate can be found after registration (a withdrawn or rejected claim reopened beside a
    newer one). An override, at registration or on the approval queue, links the pair through
    ``duplicate_of``; a pair linked from either side is accepted.

    Args:
        claim: the claim being decided.
        on_file: the victim's claims (``claim`` itself among them is skipped), e.g. ordered by id.
        window_days: ``RuleVersion.duplicate_window_days``.
    """
    others = [
        other
        for other in on_file
        if claim.claim_id not in (other.claim_id, other.duplicate_of) and claim.duplicate_of != other.claim_id
    ]
    return find_duplicate(
        claim.victim_id, claim.event_id, claim.peril, claim.incident_date, others, window_days=window_days
    )


def check_no_duplicate(duplicate: ExistingClaim | None) -> None:
    """Refuse to approve a claim while a duplicate found is not overridden.

    Raises:
        DuplicateClaim: (409) ``field="victim"``, naming the other claim in the message and in
            ``extra["claim_id"]``.
    """
    if duplicate is not None:
        raise DuplicateClaim(
            f"the victim also has claim {duplicate.claim_id} ({duplicate.peril}, "
            f"{duplicate.incident_date.isoformat()}, {duplicate.status}); an approver overrides the "
            "duplicate with a reason before approving",
            field="victim",
            rule="a duplicate found is overridden with a reason before approval",
            extra={"claim_id": duplicate.claim_id},
        )


def check_duplicate_override(duplicate: ExistingClaim | None, reason: str) -> ExistingClaim:
    """Allow overriding a duplicate found on the approval queue only with a reason; return it.

    Args:
        duplicate: what ``unresolved_duplicate`` returned.
        reason: the override's reason as given.

    Raises:
        NoDuplicateFound: (409) ``field="claim_no"`` when there is nothing to override.
        ReasonRequired: ``field="override_reason"`` when the reason is blank.
    """
    if duplicate is None:
        raise NoDuplicateFound(
            "no duplicate of this claim is found, so there is nothing to override",
            field="claim_no",
            rule="only a duplicate found can be overridden",
        )
    if not reason.strip():
        raise ReasonRequired(
            "overriding the duplicate check needs a reason", field="override_reason", rule="non-empty reason"
        )
    return duplicate


def check_override(check: str, reason: str, overrider_is_approver: bool, *, field: str) -> None:
    """Allow overriding a refusal only to an approver who gives a reason.

    Args:
        check: what is overridden, for the messages (e.g. ``"the duplicate check"``).
        reason: the override's reason as given.
        overrider_is_approver: whether the user asking to override holds the approver role.
        field: the input that carries the reason.

    Raises:
        PermissionDenied: when someone other than an approver tries to override.
        ReasonRequired: when the reason is blank.
    """
    if not overrider_is_approver:
        raise PermissionDenied(f"only an approver may override {check}", field=field, rule="approver role")
    if not reason.strip():
        raise ReasonRequired(f"overriding {check} needs a reason", field=field, rule="non-empty reason")


# --------------------------------------------------------------------------------------------------
# Documents


@dataclass(frozen=True, slots=True)
class MissingDocument:
    """A checklist line that is not yet satisfied.

    Args:
        requirement: the checklist line.
        still_needed: how many more documents it needs (1 for a single document).
        choices: the document codes that would count and are not yet present.
    """

    requirement: RequiredDocument
    still_needed: int
    choices: tuple[str, ...]


def checklist(
    policy: PolicyConfig, peril: str, heads: Iterable[BenefitHead | str]
) -> tuple[RequiredDocument, ...]:
    """The documents a claim needs, each listed once, in a stable order.

    Order: the documents every claim needs, the peril's, then per head in the order given.

    Args:
        policy: the configuration.
        peril: the claim's peril code.
        heads: the benefit heads claimed.

    Raises:
        InvalidInput: ``field="peril"`` for an unknown peril, ``field="heads"`` for a head the peril
            does not cover.
    """
    covered = policy.peril(peril).heads
    by_peril = policy.checklist.perils.get(peril, {})
    codes: list[str] = [*policy.checklist.all, *by_peril.get("all", ())]
    for value in heads:
        head = _head(value)
        if head not in covered:
            raise InvalidInput(
                f"peril {peril!r} does not cover {head}",
                field="heads",
                rule=f"heads covered under {peril}: " + ", ".join(covered),
            )
        codes += [*policy.checklist.heads.get(head, ()), *by_peril.get(head.value, ())]
    return tuple(policy.requirements[code] for code in dict.fromkeys(codes))


def missing_documents(
    required: Iterable[RequiredDocument], present: Iterable[str]
) -> tuple[MissingDocument, ...]:
    """What is still missing, as one list for the one-time notice (一次性告知).

    Args:
        required: the claim's checklist (``checklist(...)``).
        present: the document codes on file. Pass the *received* codes to build the notice, the
            *verified* codes to decide whether the documents are complete.
    """
    have = set(present)
    missing = []
    for requirement in required:
        needed = requirement.still_needed(have)
        if needed:
            choices = tuple(code for code in requirement.of if code not in have)
            missing.append(MissingDocument(requirement, needed, choices))
    return tuple(missing)


def documents_complete(required: Iterable[RequiredDocument], verified: Iterable[str]) -> bool:
    """Whether the verified documents satisfy the whole checklist."""
    return not missing_documents(required, verified)


def check_upload(size_bytes: int, content_type: str, limits: UploadLimits) -> str:
    """Check an uploaded document; return its normalised content type (lower case, no parameters).

    Raises:
        PayloadTooLarge: ``field="file"`` above ``limits.max_bytes``.
        UnsupportedMediaType: ``field="content_type"`` for a type not in ``limits.content_types``.
    """
    if size_bytes > limits.max_bytes:
        raise PayloadTooLarge(
            f"the file has {size_bytes} bytes; at most {limits.max_bytes} are accepted",
            field="file",
            rule=f"at most {limits.max_bytes} bytes",
        )
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in limits.content_types:
        raise UnsupportedMediaType(
            f"content type {content_type!r} is not accepted",
            field="content_type",
            rule="one of " + ", ".join(limits.content_types),
        )
    return media


# --------------------------------------------------------------------------------------------------
# Clocks


def _days(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{field} must be a whole number of days >= 0", field=field, rule="not negative")
    return value


def decision_due(documents_complete_on: dt.date, paused_days: int, clocks: Clocks) -> dt.date:
    """The date the decision is due: ``clocks.decision_days`` after the documents were complete.

    Args:
        documents_complete_on: the day the checklist was first complete.
        paused_days: days since then the claim spent waiting for documents again (the clock stops).
        clocks: ``PolicyConfig.clocks``.
    """
    return documents_complete_on + dt.timedelta(days=clocks.decision_days + _days(paused_days, "paused_days"))


def advance_payment_due(documents_complete_on: dt.date, paused_days: int, clocks: Clocks) -> dt.date:
    """The date from which the undisputed part must be advanced if the amount is still not fixed."""
    return documents_complete_on + dt.timedelta(
        days=clocks.advance_payment_days + _days(paused_days, "paused_days")
    )


def payment_due(approved_on: dt.date, clocks: Clocks, approved_fen: Fen | None = None) -> dt.date:
    """The date payment is due: ``clocks.payment_days`` after approval.

    Args:
        approved_on: the day of (final) approval.
        clocks: ``PolicyConfig.clocks``.
        approved_fen: the approved total; at or below ``clocks.same_day_payment_up_to_fen`` it is due
            the same day (Rizhao promise). ``None`` ignores that promise.
    """
    if approved_fen is not None and _check_fen(approved_fen, "approved") <= clocks.same_day_payment_up_to_fen:
        return approved_on
    return approved_on + dt.timedelta(days=clocks.payment_days)


def rejection_notice_due(rejected_on: dt.date, clocks: Clocks) -> dt.date:
    """The date the coded rejection notice is due."""
    return rejected_on + dt.timedelta(days=clocks.rejection_notice_days)


def limitation_ends(known_on: dt.date, clocks: Clocks) -> dt.date:
    """The last day a claim may be made: ``clocks.limitation_years`` after the incident became known.

    A 29 February start ends on 28 February when the end year has none.
    """
    year = known_on.year + clocks.limitation_years
    try:
        return known_on.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def is_time_barred(known_on: dt.date, reported_on: dt.date, clocks: Clocks) -> bool:
    """Whether a claim reported on ``reported_on`` is time-barred (reject with ``time_barred``)."""
    return reported_on > limitation_ends(known_on, clocks)


def is_overdue(due: dt.date, today: dt.date, *, done_on: dt.date | None = None) -> bool:
    """Whether a deadline was missed.

    Args:
        due: the deadline (the last allowed day).
        today: the current date in the business time zone.
        done_on: when the thing was done, or ``None`` if it is still open.

    Returns:
        ``True`` when it is still open after ``due``, or was done after ``due``.
    """
    return (done_on if done_on is not None else today) > due


def check_limitation(
    known_on: dt.date,
    reported_on: dt.date,
    clocks: Clocks,
    *,
    override_reason: str | None = None,
    overrider_is_approver: bool = False,
) -> bool:
    """Refuse a time-barred claim unless an approver overrides the limitation period with a reason.

    Args:
        known_on: the day the incident became known (the event's incident date).
        reported_on: the day the claim is registered.
        clocks: ``PolicyConfig.clocks``.
        override_reason: the override's reason; ``None`` when nobody asked to override.
        overrider_is_approver: whether the user asking to override holds the approver role.

    Returns:
        Whether the claim is time-barred (and so registered only by the override).

    Raises:
        ClaimTimeBarred: ``field="incident_date"``, the last day claims could be made in the message
            and in ``extra["limitation_ends"]``, when there is no override.
        PermissionDenied: ``field="limitation_override_reason"`` when someone other than an approver
            tries to override.
        ReasonRequired: ``field="limitation_override_reason"`` when the reason is blank.
    """
    if not is_time_barred(known_on, reported_on, clocks):
        return False
    if override_reason is None:
        ends = limitation_ends(known_on, clocks)
        raise ClaimTimeBarred(
            f"the incident of {known_on.isoformat()} is time-barred: claims could be made until "
            f"{ends.isoformat()}; only an approver may override",
            field="incident_date",
            rule=f"limitation period: {clocks.limitation_years} years after the incident",
            extra={"limitation_ends": ends.isoformat()},
        )
    check_override(
        "the limitation period", override_reason, overrider_is_approver, field="limitation_override_reason"
    )
    return True


class OverdueClock(StrEnum):
    """The deadlines the nightly job watches, each running while the claim is in certain statuses."""

    DECISION = "decision"
    ADVANCE_PAYMENT = "advance_payment"
    PAYMENT = "payment"
    REJECTION_NOTICE = "rejection_notice"


_RUNS_WHILE: Mapping[OverdueClock, frozenset[ClaimStatus]] = MappingProxyType(
    {
        # The amount is not fixed until approval: both the decision and the advance of the undisputed
        # part are owed while the claim is under review or assessed.
        OverdueClock.DECISION: frozenset({ClaimStatus.UNDER_REVIEW, ClaimStatus.ASSESSED}),
        OverdueClock.ADVANCE_PAYMENT: frozenset({ClaimStatus.UNDER_REVIEW, ClaimStatus.ASSESSED}),
        OverdueClock.PAYMENT: frozenset({ClaimStatus.APPROVED, ClaimStatus.PARTLY_PAID}),
        # Closing a rejected claim records that its coded notice went out.
        OverdueClock.REJECTION_NOTICE: frozenset({ClaimStatus.REJECTED}),
    }
)


def clock_statuses() -> tuple[str, ...]:
    """The statuses in which some clock runs (the only claims the overdue job needs to look at)."""
    return tuple(sorted({status.value for statuses in _RUNS_WHILE.values() for status in statuses}))


def overdue_clocks(
    status: ClaimStatus | str, due: Mapping[OverdueClock, dt.date | None], today: dt.date
) -> tuple[OverdueClock, ...]:
    """The clocks a claim has missed: those running in its status whose due date is before ``today``.

    Args:
        status: the claim's status.
        due: each clock's due date, ``None`` (or absent) when it has not started.
        today: the current business date.
    """
    current = _status(status)
    found = []
    for name, statuses in _RUNS_WHILE.items():
        day = due.get(name)
        if current in statuses and day is not None and is_overdue(day, today):
            found.append(name)
    return tuple(found)
