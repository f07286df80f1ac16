"""The fund's position (received, committed, paid, returned, available) and one grant's money."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from ledger.core.money import Fen, format_amount
from ledger.funds.domain.inputs import whole_fen
from ledger.funds.errors import (
    ExceedsCommitment,
    ExceedsPaid,
    InsufficientFunds,
)


@dataclass(frozen=True, slots=True)
class FundPosition:
    """How much of a fund's money is where. All fields are fen, none negative.

    The identity ``received == available + committed_unpaid + paid - returned`` holds by construction,
    and ``available >= 0`` is an invariant every transition keeps.

    Args:
        received: all money received into the fund (guidance grant and donations).
        committed_unpaid: approved grants not yet paid out (the issue's "committed but unpaid"),
            whether or not their agreement is signed yet.
        unsigned: the part of ``committed_unpaid`` whose grant agreement is not signed yet. It has no
            journal entry (an off-book earmark); the rest, ``payable``, equals the balance of 2209.
        paid: all tranches paid to grantees.
        returned: unspent money grantees paid back into the fund; it is available again.
    """

    received: Fen = 0
    committed_unpaid: Fen = 0
    unsigned: Fen = 0
    paid: Fen = 0
    returned: Fen = 0

    def __post_init__(self) -> None:
        """Refuse a position that no sequence of transitions can reach (corrupt stored data)."""
        parts = (self.received, self.committed_unpaid, self.unsigned, self.paid, self.returned)
        if any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for p in parts):
            msg = f"every part of a fund position is a non-negative int: {self!r}"
            raise ValueError(msg)
        if self.unsigned > self.committed_unpaid or self.returned > self.paid or self.available < 0:
            msg = f"inconsistent fund position: {self!r}"
            raise ValueError(msg)

    @property
    def paid_net(self) -> Fen:
        """Paid out and not returned: ``paid - returned``."""
        return self.paid - self.returned

    @property
    def payable(self) -> Fen:
        """Committed under a signed agreement and unpaid; equals the fund's share of 2209's balance."""
        return self.committed_unpaid - self.unsigned

    @property
    def available(self) -> Fen:
        """Free to commit: ``received - committed_unpaid - paid + returned``; never below zero."""
        return self.received - self.committed_unpaid - self.paid + self.returned

    @property
    def cash(self) -> Fen:
        """Money the fund still holds in the bank: ``received - paid + returned``."""
        return self.received - self.paid + self.returned


def after_receipt(position: FundPosition, amount_fen: Fen) -> FundPosition:
    """Return ``position`` after ``amount_fen`` was received (available grows by it)."""
    whole_fen(amount_fen, "amount")
    return replace(position, received=position.received + amount_fen)


def check_available(position: FundPosition, amount_fen: Fen) -> None:
    """Raise ``InsufficientFunds`` (field ``amount``) unless ``amount_fen <= position.available``."""
    if amount_fen > position.available:
        raise InsufficientFunds(
            f"the fund has {format_amount(position.available)} available, {format_amount(amount_fen)} asked",
            field="amount",
            rule="amount ≤ available",
            extra={"available": format_amount(position.available), "asked": format_amount(amount_fen)},
        )


def after_commit(position: FundPosition, amount_fen: Fen, *, signed: bool = True) -> FundPosition:
    """Return ``position`` after an approval committed ``amount_fen`` to a grant.

    Args:
        position: the fund before.
        amount_fen: the approved amount.
        signed: whether the grant agreement is signed in the same step. If not, the amount is also
            counted in ``unsigned`` until ``after_signing``; either way it stops being available now.

    Raises:
        InsufficientFunds: ``amount_fen`` is more than ``available``.
    """
    whole_fen(amount_fen, "amount")
    check_available(position, amount_fen)
    return replace(
        position,
        committed_unpaid=position.committed_unpaid + amount_fen,
        unsigned=position.unsigned + (0 if signed else amount_fen),
    )


def _exceeds_commitment(open_fen: Fen, amount_fen: Fen, what: str) -> ExceedsCommitment:
    return ExceedsCommitment(
        f"{what} is {format_amount(open_fen)}, {format_amount(amount_fen)} asked",
        field="amount",
        rule=f"amount ≤ {what}",
        extra={"open": format_amount(open_fen), "asked": format_amount(amount_fen)},
    )


def _returnable(paid_net: Fen, amount_fen: Fen, paid: str, extra: dict[str, str] | None = None) -> Fen:
    """``amount_fen`` if it is whole fen and no more than was ``paid`` and not yet returned."""
    whole_fen(amount_fen, "amount")
    if amount_fen > paid_net:
        raise ExceedsPaid(
            f"{format_amount(paid_net)} was {paid} and not returned, {format_amount(amount_fen)} asked",
            field="amount",
            rule="amount ≤ paid - returned",
            extra=extra,
        )
    return amount_fen


def after_signing(position: FundPosition, amount_fen: Fen) -> FundPosition:
    """Return ``position`` after the agreement of an approved, unsigned grant was signed.

    Available does not change; the amount moves from ``unsigned`` into ``payable`` (2209).

    Raises:
        ExceedsCommitment: ``amount_fen`` is more than ``unsigned``.
    """
    whole_fen(amount_fen, "amount")
    if amount_fen > position.unsigned:
        raise _exceeds_commitment(position.unsigned, amount_fen, "the unsigned commitment")
    return replace(position, unsigned=position.unsigned - amount_fen)


def after_tranche_paid(position: FundPosition, amount_fen: Fen) -> FundPosition:
    """Return ``position`` after a tranche of ``amount_fen`` was paid under a signed agreement.

    Available does not change: the money was already committed.

    Raises:
        ExceedsCommitment: ``amount_fen`` is more than ``payable`` (signed and unpaid).
    """
    whole_fen(amount_fen, "amount")
    if amount_fen > position.payable:
        raise _exceeds_commitment(position.payable, amount_fen, "the signed, unpaid commitment")
    return replace(
        position, committed_unpaid=position.committed_unpaid - amount_fen, paid=position.paid + amount_fen
    )


def after_return(position: FundPosition, amount_fen: Fen) -> FundPosition:
    """Return ``position`` after a grantee paid ``amount_fen`` of unspent money back (available grows).

    Raises:
        ExceedsPaid: ``amount_fen`` is more than ``paid_net``.
    """
    extra = {"paid_net": format_amount(position.paid_net), "asked": format_amount(amount_fen)}
    returned = _returnable(position.paid_net, amount_fen, "paid out", extra)
    return replace(position, returned=position.returned + returned)


def after_cancel(position: FundPosition, amount_fen: Fen, *, signed: bool = True) -> FundPosition:
    """Return ``position`` after ``amount_fen`` of unpaid commitment was released (available grows).

    Used when a grant is cancelled, and when a grant closes below its amount (the unpaid rest).

    Args:
        position: the fund before.
        amount_fen: the unpaid commitment released.
        signed: whether the grant's agreement was signed (released from ``payable``, with a journal
            entry) or not (released from ``unsigned``, no entry).

    Raises:
        ExceedsCommitment: ``amount_fen`` is more than the open commitment of that kind.
    """
    whole_fen(amount_fen, "amount")
    open_fen = position.payable if signed else position.unsigned
    if amount_fen > open_fen:
        what = "the signed, unpaid commitment" if signed else "the unsigned commitment"
        raise _exceeds_commitment(open_fen, amount_fen, what)
    return replace(
        position,
        committed_unpaid=position.committed_unpaid - amount_fen,
        unsigned=position.unsigned - (0 if signed else amount_fen),
    )


@dataclass(frozen=True, slots=True)
class GrantBalance:
    """One grant's money. All fields are fen, none negative.

    Args:
        amount: the approved (agreed) grant.
        paid: tranches paid so far.
        returned: unspent money the grantee paid back.
        released: commitment released without payment (cancellation, or closing below ``amount``).
    """

    amount: Fen
    paid: Fen = 0
    returned: Fen = 0
    released: Fen = 0

    def __post_init__(self) -> None:
        """Refuse a balance no sequence of transitions can reach (corrupt stored data)."""
        parts = (self.amount, self.paid, self.returned, self.released)
        if any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for p in parts):
            msg = f"every part of a grant balance is a non-negative int: {self!r}"
            raise ValueError(msg)
        if self.unpaid < 0 or self.returned > self.paid:
            msg = f"inconsistent grant balance: {self!r}"
            raise ValueError(msg)

    @property
    def unpaid(self) -> Fen:
        """Still committed and unpaid: ``amount - paid - released``."""
        return self.amount - self.paid - self.released

    @property
    def paid_net(self) -> Fen:
        """Paid and not returned (what the grantee spent, once the grant is closed)."""
        return self.paid - self.returned


def _within_unpaid(grant: GrantBalance, amount_fen: Fen) -> Fen:
    """``amount_fen`` if it is whole fen and no more than what the grant has unpaid."""
    whole_fen(amount_fen, "amount")
    if amount_fen > grant.unpaid:
        raise _exceeds_commitment(grant.unpaid, amount_fen, "the grant's unpaid amount")
    return amount_fen


def grant_after_tranche_paid(grant: GrantBalance, amount_fen: Fen) -> GrantBalance:
    """Return ``grant`` after a tranche of ``amount_fen`` was paid.

    Raises:
        ExceedsCommitment: ``amount_fen`` is more than ``grant.unpaid``.
    """
    return replace(grant, paid=grant.paid + _within_unpaid(grant, amount_fen))


def grant_after_return(grant: GrantBalance, amount_fen: Fen) -> GrantBalance:
    """Return ``grant`` after the grantee paid back ``amount_fen``.

    Raises:
        ExceedsPaid: ``amount_fen`` is more than ``grant.paid_net``.
    """
    returned = _returnable(grant.paid_net, amount_fen, "paid on this grant")
    return replace(grant, returned=grant.returned + returned)


def grant_after_release(grant: GrantBalance, amount_fen: Fen) -> GrantBalance:
    """Return ``grant`` after ``amount_fen`` of its unpaid commitment was released.

    Cancelling releases ``grant.unpaid``; closing releases whatever is left unpaid.

    Raises:
        ExceedsCommitment: ``amount_fen`` is more than ``grant.unpaid``.
    """
    return replace(grant, released=grant.released + _within_unpaid(grant, amount_fen))


@dataclass(frozen=True, slots=True)
class MonthFlow:
    """What moved in a fund in one month (all fen): the dashboard's month-by-month chart.

    Args:
        month: ``2026-11``.
        received: receipts with a value date in the month.
        committed: grants approved in the month (the amount approved).
        paid: tranches paid in the month.
        returned: money grantees paid back in the month.
    """

    month: str
    received: Fen = 0
    committed: Fen = 0
    paid: Fen = 0
    returned: Fen = 0


FLOW_KINDS = ("received", "committed", "paid", "returned")


def monthly_flows(dated: Mapping[str, Iterable[tuple[dt.date, Fen]]]) -> list[MonthFlow]:
    """Sum dated amounts of each kind in ``FLOW_KINDS`` by month, every month from the first to the last.

    Args:
        dated: kind -> (date, fen) pairs; a missing kind counts as none.

    Returns:
        One ``MonthFlow`` per calendar month, oldest first, months without movement included; empty
        when nothing happened.
    """
    sums: dict[str, dict[str, Fen]] = {}
    for kind in FLOW_KINDS:
        for on, fen in dated.get(kind, ()):
            bucket = sums.setdefault(f"{on.year:04d}-{on.month:02d}", dict.fromkeys(FLOW_KINDS, 0))
            bucket[kind] += int(fen)
    if not sums:
        return []
    year, month = (int(part) for part in min(sums).split("-"))
    last = max(sums)
    flows = []
    while (key := f"{year:04d}-{month:02d}") <= last:
        flows.append(MonthFlow(key, **sums.get(key, {})))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return flows


@dataclass(frozen=True, slots=True)
class ProgrammeTotal:
    """Grants of one programme area (a call for applications), all fen.

    Args:
        area: the call's title.
        granted: approved, less what cancellations and closings released.
        paid: tranches paid, less what was returned.
    """

    area: str
    granted: Fen
    paid: Fen


def programme_totals(grants: Iterable[tuple[str, GrantBalance]]) -> list[ProgrammeTotal]:
    """Sum grants by programme area, in the order the areas first appear."""
    totals: dict[str, tuple[Fen, Fen]] = {}
    for area, balance in grants:
        granted, paid = totals.get(area, (0, 0))
        totals[area] = (granted + balance.amount - balance.released, paid + balance.paid_net)
    return [ProgrammeTotal(area, granted, paid) for area, (granted, paid) in totals.items()]
