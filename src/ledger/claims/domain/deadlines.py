"""Deadlines: the decision, payment and notice clocks, the limitation period, overdue claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from ledger.claims.domain.approval import check_override
from ledger.claims.domain.limits import check_fen
from ledger.claims.domain.status import ClaimStatus, as_status
from ledger.claims.errors import ClaimTimeBarred
from ledger.claims.policy import Clocks
from ledger.core.errors import InvalidInput
from ledger.core.money import Fen


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
    if approved_fen is not None and check_fen(approved_fen, "approved") <= clocks.same_day_payment_up_to_fen:
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
    current = as_status(status)
    found = []
    for name, statuses in _RUNS_WHILE.items():
        day = due.get(name)
        if current in statuses and day is not None and is_overdue(day, today):
            found.append(name)
    return tuple(found)
