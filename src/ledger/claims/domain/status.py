"""The claim status machine: statuses, actions, the transitions between them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from ledger.claims.errors import ReasonRequired
from ledger.core.errors import IllegalTransition, InvalidInput, member_of

E = TypeVar("E", bound=StrEnum)


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


def as_status(value: ClaimStatus | str) -> ClaimStatus:
    """``value`` as a claim status (``field="status"``)."""
    return member_of(ClaimStatus, value, "status", "claim status")


def _action(value: ClaimAction | str) -> ClaimAction:
    return member_of(ClaimAction, value, "action", "action")


def _quoted_choice(values: Sequence[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def allowed_actions(status: ClaimStatus | str) -> tuple[ClaimAction, ...]:
    """The actions a claim in ``status`` allows, in ``ClaimAction`` order (for buttons and error hints)."""
    current = as_status(status)
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
    status = as_status(current)
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
    status = as_status(current)
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
