"""Limit layers, the usage of a limit, and scale-back to a limit by largest remainder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from ledger.core.errors import InvalidInput
from ledger.core.money import Fen

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison


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


def check_fen(value: object, field: str) -> Fen:
    """``value`` as fen, refusing anything but a whole, non-negative number naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(
            f"{field} must be a whole number of fen, not negative: got {value!r}",
            field=field,
            rule="not negative",
        )
    return value


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
    check_fen(limit_fen, "limit")
    for value in approved.values():
        check_fen(value, "approved")
    total = sum(approved.values())
    if total <= limit_fen:
        return dict(approved)
    shares = {key: amount * limit_fen // total for key, amount in approved.items()}
    remainders = {key: amount * limit_fen % total for key, amount in approved.items()}
    left = limit_fen - sum(shares.values())
    for key in sorted(approved, key=lambda k: (-remainders[k], k))[:left]:
        shares[key] += 1
    return shares
