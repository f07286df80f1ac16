"""Approval: one or two approvers, four eyes, approving for less, and overriding a refusal with a reason."""

from __future__ import annotations

from ledger.claims.domain.limits import check_fen
from ledger.claims.errors import ApprovedAboveAssessed, ReasonRequired
from ledger.claims.policy import RuleVersion
from ledger.core.errors import FourEyesViolation, PermissionDenied
from ledger.core.money import Fen, format_amount, format_cny


def needs_second_approval(total_fen: Fen, rules: RuleVersion) -> bool:
    """Whether a claim with payable ``total_fen`` needs a second approver (strictly above the threshold)."""
    return check_fen(total_fen, "total") > rules.second_approval_above_fen


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
