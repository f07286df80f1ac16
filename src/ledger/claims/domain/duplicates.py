"""Duplicate relief: the same victim paid twice for one event (or one peril within a window)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ledger.claims.domain.approval import check_override
from ledger.claims.domain.status import ClaimStatus
from ledger.claims.errors import DuplicateClaim, NoDuplicateFound, ReasonRequired


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
