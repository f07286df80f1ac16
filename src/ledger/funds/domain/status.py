"""The status machines of applications and grants."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from ledger.core.errors import IllegalTransition, member_of


class ApplicationStatus(StrEnum):
    """Where an application is: draft → submitted → under review → approved | rejected; or withdrawn."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ApplicationAction(StrEnum):
    """What can happen to an application."""

    SUBMIT = "submit"
    REVIEW = "review"
    """Record an expert review (notes and score); the first one moves it under review."""
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


_A = ApplicationStatus
_AA = ApplicationAction
APPLICATION_TRANSITIONS: Mapping[tuple[ApplicationStatus, ApplicationAction], ApplicationStatus] = (
    MappingProxyType(
        {
            (_A.DRAFT, _AA.SUBMIT): _A.SUBMITTED,
            (_A.DRAFT, _AA.WITHDRAW): _A.WITHDRAWN,
            (_A.SUBMITTED, _AA.REVIEW): _A.UNDER_REVIEW,
            (_A.SUBMITTED, _AA.REJECT): _A.REJECTED,  # screened out before review (形式审查)
            (_A.SUBMITTED, _AA.WITHDRAW): _A.WITHDRAWN,
            (_A.UNDER_REVIEW, _AA.REVIEW): _A.UNDER_REVIEW,
            (_A.UNDER_REVIEW, _AA.APPROVE): _A.APPROVED,
            (_A.UNDER_REVIEW, _AA.REJECT): _A.REJECTED,
            (_A.UNDER_REVIEW, _AA.WITHDRAW): _A.WITHDRAWN,
        }
    )
)
"""(status, action) → next status. Approved, rejected and withdrawn are final."""


class GrantStatus(StrEnum):
    """Where a grant is, from approval to closing."""

    AGREEMENT_PENDING = "agreement_pending"
    """Approved (money committed, off-book) and the agreement not signed yet."""
    COMMITTED = "committed"
    """Agreement signed: Dr 5101 / Cr 2209 posted; no tranche paid yet."""
    IN_PROGRESS = "in_progress"
    """A tranche was paid; its report is due."""
    REPORT_SUBMITTED = "report_submitted"
    REPORT_ACCEPTED = "report_accepted"
    """The report on the latest tranche is accepted; the next tranche may be paid."""
    FINAL_ACCEPTED = "final_accepted"
    """The final report is accepted; unspent money may be returned, then the grant is closed."""
    CLOSED = "closed"
    CANCELLED = "cancelled"
    """Cancelled: the unpaid commitment is released; money paid may still be returned."""


class GrantAction(StrEnum):
    """What can happen to a grant."""

    SIGN = "sign"
    PAY_TRANCHE = "pay_tranche"
    SUBMIT_REPORT = "submit_report"
    ACCEPT_REPORT = "accept_report"
    ACCEPT_FINAL_REPORT = "accept_final_report"
    SEND_BACK_REPORT = "send_back_report"
    RECORD_RETURN = "record_return"
    CLOSE = "close"
    CANCEL = "cancel"


_G = GrantStatus
_GA = GrantAction
GRANT_TRANSITIONS: Mapping[tuple[GrantStatus, GrantAction], GrantStatus] = MappingProxyType(
    {
        (_G.AGREEMENT_PENDING, _GA.SIGN): _G.COMMITTED,
        (_G.AGREEMENT_PENDING, _GA.CANCEL): _G.CANCELLED,
        (_G.COMMITTED, _GA.PAY_TRANCHE): _G.IN_PROGRESS,
        (_G.COMMITTED, _GA.CANCEL): _G.CANCELLED,
        (_G.IN_PROGRESS, _GA.SUBMIT_REPORT): _G.REPORT_SUBMITTED,
        (_G.IN_PROGRESS, _GA.CANCEL): _G.CANCELLED,
        (_G.REPORT_SUBMITTED, _GA.ACCEPT_REPORT): _G.REPORT_ACCEPTED,
        (_G.REPORT_SUBMITTED, _GA.ACCEPT_FINAL_REPORT): _G.FINAL_ACCEPTED,
        (_G.REPORT_SUBMITTED, _GA.SEND_BACK_REPORT): _G.IN_PROGRESS,
        (_G.REPORT_SUBMITTED, _GA.CANCEL): _G.CANCELLED,
        (_G.REPORT_ACCEPTED, _GA.PAY_TRANCHE): _G.IN_PROGRESS,
        (_G.REPORT_ACCEPTED, _GA.CANCEL): _G.CANCELLED,
        (_G.FINAL_ACCEPTED, _GA.RECORD_RETURN): _G.FINAL_ACCEPTED,
        (_G.FINAL_ACCEPTED, _GA.CLOSE): _G.CLOSED,
        (_G.CANCELLED, _GA.RECORD_RETURN): _G.CANCELLED,
    }
)
"""(status, action) → next status. Closed is final; cancelled only accepts returns."""


_EnumT = TypeVar("_EnumT", bound=StrEnum)
_ActionT = TypeVar("_ActionT", bound=StrEnum)


def _next(
    table: Mapping[tuple[_EnumT, _ActionT], _EnumT], what: str, current: _EnumT, action: _ActionT
) -> _EnumT:
    try:
        return table[current, action]
    except KeyError:
        allowed = sorted(a.value for (s, a) in table if s == current)
        allowed_from = sorted(s.value for (s, a) in table if a == action)
        raise IllegalTransition(
            f"cannot {action} {what} that is {current}"
            + (f" (possible: {', '.join(allowed)})" if allowed else f" ({current} is final)"),
            field="status",
            rule=f"{action} is allowed only from " + (", ".join(allowed_from) or "no status"),
            extra={
                "status": current.value,
                "action": action.value,
                "allowed_from": allowed_from,
                "allowed_actions": allowed,
            },
        ) from None


def next_application_status(
    current: ApplicationStatus | str, action: ApplicationAction | str
) -> ApplicationStatus:
    """Return the status ``action`` leads to from ``current``.

    Raises:
        IllegalTransition: (a ``Conflict``) ``field="status"``; the message names the status and the
            action; ``extra`` has ``status``, ``action``, ``allowed_from``, ``allowed_actions``.
        InvalidInput: an unknown status or action (``field`` ``status`` / ``action``).
    """
    status = member_of(ApplicationStatus, current, "status", "status")
    move = member_of(ApplicationAction, action, "action", "action")
    return _next(APPLICATION_TRANSITIONS, "an application", status, move)


def application_actions(current: ApplicationStatus | str) -> frozenset[ApplicationAction]:
    """Return the actions possible on an application in ``current`` status (for buttons and hints)."""
    status = member_of(ApplicationStatus, current, "status", "status")
    return frozenset(a for (s, a) in APPLICATION_TRANSITIONS if s == status)


def next_grant_status(current: GrantStatus | str, action: GrantAction | str) -> GrantStatus:
    """Return the status ``action`` leads to from ``current``.

    Raises:
        IllegalTransition: (a ``Conflict``) ``field="status"``; the message names the status and the
            action; ``extra`` has ``status``, ``action``, ``allowed_from``, ``allowed_actions``.
        InvalidInput: an unknown status or action (``field`` ``status`` / ``action``).
    """
    status = member_of(GrantStatus, current, "status", "status")
    return _next(GRANT_TRANSITIONS, "a grant", status, member_of(GrantAction, action, "action", "action"))


def grant_actions(current: GrantStatus | str) -> frozenset[GrantAction]:
    """Return the actions possible on a grant in ``current`` status (for buttons and hints)."""
    status = member_of(GrantStatus, current, "status", "status")
    return frozenset(a for (s, a) in GRANT_TRANSITIONS if s == status)
