"""Tranches of a grant and the grant's entries (see docs/decisions/0002-grant-accounting.md)."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.core.entries import Posting
from ledger.core.errors import InvalidInput
from ledger.core.money import Fen, format_amount
from ledger.funds.domain.accounts import (
    BANK,
    EXPENSES_PREFIX,
    GRANTS_PAYABLE,
    NET_ASSETS_RESTRICTED,
    NET_ASSETS_UNRESTRICTED,
    PROGRAM_COSTS,
)
from ledger.funds.domain.inputs import transfer, whole_fen
from ledger.funds.domain.receipts import Restriction
from ledger.funds.domain.status import GrantAction
from ledger.funds.errors import (
    ReportNotAccepted,
    TrancheOutOfOrder,
)


def check_tranche_percents(percents: Sequence[int], *, field: str = "tranche_percents") -> tuple[int, ...]:
    """Return ``percents`` as a tuple if each is a whole number above 0 and they sum to exactly 100."""
    values = tuple(percents)
    if (
        not values
        or any(isinstance(p, bool) or not isinstance(p, int) or p <= 0 for p in values)
        or sum(values) != 100
    ):
        raise InvalidInput(
            f"{field} must be whole percents above 0 that sum to 100: got {list(values)}",
            field=field,
            rule="whole percents > 0, sum 100",
        )
    return values


def tranche_schedule(amount_fen: Fen, percents: Sequence[int]) -> tuple[Fen, ...]:
    """Split a grant into tranches, exactly to the fen.

    Every tranche but the last is its percent of ``amount_fen`` rounded **down** to the fen; the last
    takes the remainder, so the tranches sum to ``amount_fen`` and the grantee never gets ahead of the
    schedule. 333,333.33 at 60/40 → 199,999.99 + 133,333.34.

    Raises:
        InvalidInput: bad percents (``tranche_percents``), or ``amount`` not above 0 or too small for
            every tranche to get at least one fen.
    """
    whole_fen(amount_fen, "amount")
    values = check_tranche_percents(percents)
    head = [amount_fen * p // 100 for p in values[:-1]]
    schedule = (*head, amount_fen - sum(head))
    if min(schedule) <= 0:
        raise InvalidInput(
            f"amount {format_amount(amount_fen)} is too small to split {list(values)}",
            field="amount",
            rule="each tranche at least 0.01",
        )
    return schedule


def check_tranche_order(
    tranche_number: int, *, tranche_count: int, paid_tranches: int, accepted_reports: int
) -> None:
    """Check that tranche ``tranche_number`` (1-based) may be paid now.

    Args:
        tranche_number: the tranche about to be paid.
        tranche_count: how many tranches the grant's schedule has.
        paid_tranches: how many are already paid.
        accepted_reports: how many tranche reports are accepted.

    Raises:
        TrancheOutOfOrder: it is not the next unpaid tranche of the schedule (field ``tranche``).
        ReportNotAccepted: the report on the previous tranche is not accepted (field ``tranche``).
    """
    if not 1 <= tranche_number <= tranche_count:
        raise TrancheOutOfOrder(
            f"tranche {tranche_number} is not in a schedule of {tranche_count}",
            field="tranche",
            rule=f"1 ≤ tranche ≤ {tranche_count}",
        )
    if tranche_number != paid_tranches + 1:
        state = "already paid" if tranche_number <= paid_tranches else "not next"
        raise TrancheOutOfOrder(
            f"tranche {tranche_number} is {state}: tranche {paid_tranches + 1} is next",
            field="tranche",
            rule="tranches in order, each once",
            extra={"next": paid_tranches + 1},
        )
    if accepted_reports < tranche_number - 1:
        raise ReportNotAccepted(
            f"tranche {tranche_number} needs the report on tranche {tranche_number - 1} accepted first",
            field="tranche",
            rule="previous report accepted",
        )


def report_acceptance_action(paid_tranches: int, tranche_count: int) -> GrantAction:
    """Return the action accepting the current report: final once every tranche is paid."""
    return GrantAction.ACCEPT_FINAL_REPORT if paid_tranches >= tranche_count else GrantAction.ACCEPT_REPORT


def _expense_account(account: str) -> str:
    if not account.startswith(EXPENSES_PREFIX):
        raise InvalidInput(
            f"expense_account must be a charity expense account ({EXPENSES_PREFIX}...): got {account}",
            field="expense_account",
            rule="charity expense account",
        )
    return account


def restriction_release_postings(amount_fen: Fen) -> tuple[Posting, Posting]:
    """Return the release of restricted net assets spent on their purpose: Dr 3102 / Cr 3101."""
    return transfer(NET_ASSETS_RESTRICTED, NET_ASSETS_UNRESTRICTED, amount_fen)


def restriction_reinstatement_postings(amount_fen: Fen) -> tuple[Posting, Posting]:
    """Return the reverse of a release, for restricted money not spent after all: Dr 3101 / Cr 3102."""
    return transfer(NET_ASSETS_UNRESTRICTED, NET_ASSETS_RESTRICTED, amount_fen)


def commitment_postings(
    amount_fen: Fen, restriction: Restriction, *, expense_account: str = PROGRAM_COSTS
) -> tuple[Posting, ...]:
    """Return the entry for a signed grant agreement.

    Dr 5101 programme cost / Cr 2209 grants payable; for a restricted fund also Dr 3102 / Cr 3101,
    because the restriction is met when the expense for its purpose is recognised (ADR 0002).
    """
    whole_fen(amount_fen, "amount")
    legs: tuple[Posting, ...] = (
        Posting(_expense_account(expense_account), amount_fen),
        Posting(GRANTS_PAYABLE, -amount_fen),
    )
    if Restriction(restriction) is Restriction.RESTRICTED:
        legs += restriction_release_postings(amount_fen)
    return legs


def tranche_payment_postings(amount_fen: Fen) -> tuple[Posting, Posting]:
    """Return the entry for a tranche paid to the grantee: Dr 2209 / Cr 1002."""
    return transfer(GRANTS_PAYABLE, BANK, amount_fen)


def _restricted_again(
    legs: tuple[Posting, Posting], amount_fen: Fen, restriction: Restriction
) -> tuple[Posting, ...]:
    """``legs``, and for a restricted fund Dr 3101 / Cr 3102: money back under its restriction."""
    if Restriction(restriction) is Restriction.RESTRICTED:
        return (*legs, *restriction_reinstatement_postings(amount_fen))
    return legs


def cancellation_postings(
    amount_fen: Fen, restriction: Restriction, *, expense_account: str = PROGRAM_COSTS
) -> tuple[Posting, ...]:
    """Return the entry releasing a signed grant's unpaid commitment (cancellation, or closing below it).

    Dr 2209 / Cr 5101; for a restricted fund also Dr 3101 / Cr 3102 (the money is restricted again).
    Nothing is posted for an unsigned (``AGREEMENT_PENDING``) grant: it never had an entry.
    """
    whole_fen(amount_fen, "amount")
    legs = transfer(GRANTS_PAYABLE, _expense_account(expense_account), amount_fen)
    return _restricted_again(legs, amount_fen, restriction)


def return_postings(
    amount_fen: Fen, restriction: Restriction, *, expense_account: str = PROGRAM_COSTS
) -> tuple[Posting, ...]:
    """Return the entry for unspent money a grantee paid back.

    Dr 1002 / Cr 5101; for a restricted fund also Dr 3101 / Cr 3102 (the money is restricted again).
    """
    whole_fen(amount_fen, "amount")
    legs = transfer(BANK, _expense_account(expense_account), amount_fen)
    return _restricted_again(legs, amount_fen, restriction)
