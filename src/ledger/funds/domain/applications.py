"""Calls, the matching rule, reviews, grantees; four eyes and conflicts of interest in the decision."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import TypeVar

from ledger.core.errors import FourEyesViolation, InvalidInput
from ledger.core.ids import validate_credit_code
from ledger.core.money import Fen, format_amount
from ledger.funds.domain.inputs import required_text, whole_fen
from ledger.funds.errors import (
    CallBudgetExceeded,
    ConflictOfInterest,
    MatchingRuleBroken,
    OutsideCallWindow,
)


def check_call(budget_fen: Fen, opens_on: dt.date, closes_on: dt.date) -> None:
    """Check a call for applications: a budget above zero and a window that closes on or after it opens.

    Raises:
        InvalidInput: naming ``budget`` or ``closes_on``.
    """
    whole_fen(budget_fen, "budget")
    if closes_on < opens_on:
        raise InvalidInput(
            f"closes_on {closes_on.isoformat()} is before opens_on {opens_on.isoformat()}",
            field="closes_on",
            rule="closes_on ≥ opens_on",
        )


def check_in_window(
    opens_on: dt.date, closes_on: dt.date, on: dt.date, *, field: str = "submitted_on"
) -> None:
    """Raise ``OutsideCallWindow`` unless ``opens_on <= on <= closes_on`` (both ends included)."""
    if not opens_on <= on <= closes_on:
        raise OutsideCallWindow(
            f"the call is open from {opens_on.isoformat()} to {closes_on.isoformat()}, "
            f"not on {on.isoformat()}",
            field=field,
            rule="within the call window",
        )


def check_call_budget(budget_fen: Fen, approved_so_far_fen: Fen, approving_fen: Fen) -> None:
    """Raise ``CallBudgetExceeded`` (field ``approved_amount``) if the call's approvals would pass its budget.

    Args:
        budget_fen: the call's budget.
        approved_so_far_fen: the sum approved in this call so far, less cancelled grants' releases.
        approving_fen: the amount about to be approved.
    """
    whole_fen(budget_fen, "budget")
    whole_fen(approved_so_far_fen, "approved_so_far", allow_zero=True)
    whole_fen(approving_fen, "approved_amount")
    left = budget_fen - approved_so_far_fen
    if approving_fen > left:
        raise CallBudgetExceeded(
            f"the call has {format_amount(left)} of its {format_amount(budget_fen)} budget left, "
            f"{format_amount(approving_fen)} asked",
            field="approved_amount",
            rule="approvals ≤ call budget",
            extra={"left": format_amount(left), "asked": format_amount(approving_fen)},
        )


@dataclass(frozen=True, slots=True)
class MatchingRule:
    """How much of a project the fund pays; the rest is pledged by the applicant or donors (配套资金).

    Args:
        max_fund_share_percent: the fund pays at most this percent of the project budget (0 < p ≤ 100).
        require_full_funding: the requested amount and the pledged matching money together must cover
            the whole project budget.
        max_grant_fen: an absolute cap per project, or ``None`` for none.
    """

    max_fund_share_percent: Decimal = Decimal(50)
    require_full_funding: bool = True
    max_grant_fen: Fen | None = None

    def __post_init__(self) -> None:
        """Refuse a rule that makes no sense."""
        share = self.max_fund_share_percent
        if not isinstance(share, Decimal) or not share.is_finite() or not Decimal(0) < share <= Decimal(100):
            raise InvalidInput(
                f"max_fund_share_percent must be a Decimal above 0 and at most 100: got {share!r}",
                field="max_fund_share_percent",
                rule="0 < percent ≤ 100",
            )
        if self.max_grant_fen is not None:
            whole_fen(self.max_grant_fen, "max_grant")


def max_fund_share_fen(rule: MatchingRule, project_budget_fen: Fen) -> Fen:
    """Return the most the fund may pay towards a project: the share of its budget, rounded *down*.

    Rounding down keeps the share strictly within the percent: a budget of 333,333.33 at 50% allows
    166,666.66, not 166,666.67. The per-project cap applies too.
    """
    exact = Decimal(project_budget_fen) * rule.max_fund_share_percent / Decimal(100)
    most = int(exact.quantize(Decimal(1), rounding=ROUND_FLOOR))
    if rule.max_grant_fen is not None:
        most = min(most, rule.max_grant_fen)
    return most


def check_matching(
    rule: MatchingRule,
    project_budget_fen: Fen,
    requested_fen: Fen,
    pledged_fen: Fen,
    approved_fen: Fen | None = None,
) -> None:
    """Check an application (and, when given, the approved amount) against the call's matching rule.

    Rules, in order:

    1. ``requested <= max_fund_share_fen(rule, budget)`` (the percent, and ``max_grant_fen`` if set);
    2. with ``require_full_funding``: ``requested + pledged >= budget``;
    3. ``0 < approved <= requested``. A lower approval only lowers the fund's share, so rule 1 still
       holds; rule 2 is judged on the application as submitted.

    Args:
        rule: the call's matching rule.
        project_budget_fen: the project's whole budget.
        requested_fen: what the applicant asks from the fund.
        pledged_fen: the matching money pledged by the applicant or donors (may be 0).
        approved_fen: the amount the decider approves, if deciding now.

    Raises:
        InvalidInput: an amount is zero or negative (``project_budget``, ``requested_amount``,
            ``pledged_amount``, ``approved_amount``).
        MatchingRuleBroken: naming ``requested_amount``, ``pledged_amount`` or ``approved_amount``.
    """
    whole_fen(project_budget_fen, "project_budget")
    whole_fen(requested_fen, "requested_amount")
    whole_fen(pledged_fen, "pledged_amount", allow_zero=True)
    most = max_fund_share_fen(rule, project_budget_fen)
    if requested_fen > most:
        capped = rule.max_grant_fen is not None and most == rule.max_grant_fen
        limit = (
            f"the per-project cap of {format_amount(most)}"
            if capped
            else f"{rule.max_fund_share_percent}% of the project budget {format_amount(project_budget_fen)}"
            f" = {format_amount(most)}"
        )
        raise MatchingRuleBroken(
            f"requested_amount {format_amount(requested_fen)} is more than {limit}",
            field="requested_amount",
            rule="per-project cap" if capped else f"fund share ≤ {rule.max_fund_share_percent}% of budget",
            extra={"max_requested": format_amount(most)},
        )
    if rule.require_full_funding and requested_fen + pledged_fen < project_budget_fen:
        gap = project_budget_fen - requested_fen - pledged_fen
        raise MatchingRuleBroken(
            f"requested {format_amount(requested_fen)} + pledged {format_amount(pledged_fen)} leave "
            f"{format_amount(gap)} of the project budget {format_amount(project_budget_fen)} unfunded",
            field="pledged_amount",
            rule="requested + pledged ≥ project budget",
            extra={"shortfall": format_amount(gap)},
        )
    if approved_fen is not None:
        whole_fen(approved_fen, "approved_amount")
        if approved_fen > requested_fen:
            raise MatchingRuleBroken(
                f"approved_amount {format_amount(approved_fen)} is more than the "
                f"{format_amount(requested_fen)} requested",
                field="approved_amount",
                rule="approved ≤ requested",
            )


def check_rejection_reason(reason: str) -> str:
    """Return the stripped rejection reason; a rejection without one is refused (field ``reason``)."""
    return required_text(reason, "reason")


@dataclass(frozen=True, slots=True)
class ScoreScale:
    """The expert review's score scale (whole points, both ends included) and its pass mark."""

    minimum: int = 0
    maximum: int = 100
    pass_mark: int = 60

    def __post_init__(self) -> None:
        """Refuse a scale whose pass mark lies outside it."""
        if not self.minimum <= self.pass_mark <= self.maximum or self.minimum >= self.maximum:
            raise InvalidInput(
                f"score scale must have minimum ≤ pass_mark ≤ maximum and minimum < maximum: {self!r}",
                field="score_scale",
                rule="minimum ≤ pass_mark ≤ maximum",
            )


def check_score(score: int, scale: ScoreScale) -> int:
    """Return ``score`` if it is a whole number on ``scale``; otherwise raise ``InvalidInput`` (``score``)."""
    if isinstance(score, bool) or not isinstance(score, int) or not scale.minimum <= score <= scale.maximum:
        raise InvalidInput(
            f"score must be a whole number from {scale.minimum} to {scale.maximum}: got {score!r}",
            field="score",
            rule=f"{scale.minimum} ≤ score ≤ {scale.maximum}",
        )
    return score


def mean_score(scores: Iterable[int]) -> Decimal | None:
    """Return the reviewers' mean score to two places (half up), or ``None`` without reviews."""
    values = list(scores)
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def validate_grantee_credit_code(
    value: str, *, registration_authorities: Collection[str] = ("5",), field: str = "credit_code"
) -> str:
    """Return a grantee's canonical unified social credit code (GB 32100-2015).

    Grantees are social organisations: their code's first character, the registration authority, is
    ``5`` (民政, civil affairs: 社会团体, 民办非企业单位/社会服务机构, 基金会) unless configured otherwise.

    Raises:
        InvalidInput: the code is invalid, or registered with another authority (``field``).
    """
    code = validate_credit_code(value, field=field)
    if code[0] not in registration_authorities:
        allowed = ", ".join(sorted(registration_authorities))
        raise InvalidInput(
            f"{field} {code} is not a social organisation's code: its registration authority is {code[0]}, "
            f"expected {allowed}",
            field=field,
            rule="social organisation (registration authority " + allowed + ")",
        )
    return code


UserT = TypeVar("UserT", bound=Hashable)
"""A user reference: a user id or a user name; use the same kind in every argument of one call."""


def _user(user: Hashable) -> Hashable:
    """User names compare without case or surrounding blanks (as in claims); ids compare as they are."""
    return user.strip().casefold() if isinstance(user, str) else user


def _users(users: Iterable[Hashable]) -> set[Hashable]:
    return {_user(u) for u in users}


def check_reviewer(
    reviewer: UserT, conflicted_users: Iterable[UserT], *, recorded_by: UserT | None = None
) -> None:
    """Check that ``reviewer`` may review an organisation's application.

    Args:
        reviewer: the user recording a review (an id or a user name; names compare without case
            or surrounding blanks).
        conflicted_users: users linked to the applicant organisation (conflict-of-interest links).
        recorded_by: who recorded the application, if that user may not review it too.

    Raises:
        ConflictOfInterest: ``reviewer`` is linked to the organisation (field ``reviewed_by``).
        FourEyesViolation: ``reviewer`` recorded the application (field ``reviewed_by``).
    """
    if _user(reviewer) in _users(conflicted_users):
        raise ConflictOfInterest(
            f"user {reviewer} is linked to the applicant organisation and may not review its applications",
            field="reviewed_by",
            rule="no conflict of interest",
        )
    if recorded_by is not None and _user(reviewer) == _user(recorded_by):
        raise FourEyesViolation(
            f"user {reviewer} recorded this application and may not review it",
            field="reviewed_by",
            rule="four-eyes: the recorder may not review",
        )


def check_decider(
    decider: UserT,
    recorded_by: UserT,
    reviewers: Iterable[UserT],
    conflicted_users: Iterable[UserT],
    *,
    field: str = "decided_by",
) -> None:
    """Check that ``decider`` may approve or reject (or accept a grant report).

    Args:
        decider: the user deciding.
        recorded_by: who recorded the application (or report).
        reviewers: everyone who recorded a review of it.
        conflicted_users: users linked to the applicant organisation.
        field: the input to name in the error.

    Raises:
        ConflictOfInterest: ``decider`` is linked to the organisation (checked first).
        FourEyesViolation: ``decider`` recorded or reviewed it.
    """
    if _user(decider) in _users(conflicted_users):
        raise ConflictOfInterest(
            f"user {decider} is linked to the applicant organisation and may not decide its applications",
            field=field,
            rule="no conflict of interest",
        )
    if _user(decider) == _user(recorded_by):
        raise FourEyesViolation(
            f"user {decider} recorded this and may not also decide it",
            field=field,
            rule="four-eyes: the recorder may not decide",
        )
    if _user(decider) in _users(reviewers):
        raise FourEyesViolation(
            f"user {decider} reviewed this and may not also decide it",
            field=field,
            rule="four-eyes: a reviewer may not decide",
        )
