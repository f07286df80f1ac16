"""The fund's and a grant's money: available never below zero, arithmetic exact to the fen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ledger.core.entries import Posting
from ledger.core.errors import InvalidInput, RuleViolation
from ledger.funds import domain as d
from ledger.funds.domain import FundPosition, GrantBalance
from ledger.funds.errors import ExceedsCommitment, ExceedsPaid, InsufficientFunds

YUAN = 100
GRANT = 1_000_000 * YUAN  # the guidance grant, 1,000,000.00


def test_receipts_make_money_available() -> None:
    pos = d.after_receipt(FundPosition(), GRANT)
    pos = d.after_receipt(pos, 200_000 * YUAN + 5)
    assert pos.received == 120_000_005
    assert pos.available == 120_000_005
    assert pos.cash == 120_000_005


def test_commit_pay_cancel_return_to_the_fen() -> None:
    pos = d.after_receipt(FundPosition(), GRANT)
    pos = d.after_commit(pos, 33_333_333)  # 333,333.33
    assert pos.available == 66_666_667
    assert pos.committed_unpaid == pos.payable == 33_333_333

    pos = d.after_tranche_paid(pos, 19_999_999)  # 60% → 199,999.99
    assert (pos.available, pos.committed_unpaid, pos.paid) == (66_666_667, 13_333_334, 19_999_999)
    assert pos.cash == 80_000_001

    pos = d.after_cancel(pos, 13_333_334)  # the 40% is never paid
    assert (pos.available, pos.committed_unpaid) == (80_000_001, 0)

    pos = d.after_return(pos, 1)  # one fen comes back
    assert pos.available == 80_000_002
    assert pos.paid_net == 19_999_998
    assert pos.received == pos.available + pos.committed_unpaid + pos.paid_net


def test_commit_above_available_is_refused_naming_both_amounts() -> None:
    pos = d.after_receipt(FundPosition(), GRANT)
    pos = d.after_commit(pos, GRANT)  # every fen committed: allowed
    assert pos.available == 0
    with pytest.raises(InsufficientFunds) as err:
        d.after_commit(pos, 1)
    assert isinstance(err.value, RuleViolation)
    assert err.value.field == "amount"
    assert "0.00 available" in err.value.message
    assert "0.01 asked" in err.value.message
    assert err.value.extra == {"available": "0.00", "asked": "0.01"}


def test_insufficient_funds_one_fen_over() -> None:
    pos = d.after_receipt(FundPosition(), 100_000)
    with pytest.raises(InsufficientFunds, match=r"1000\.00 available, 1000\.01 asked"):
        d.after_commit(pos, 100_001)


def test_cancelled_commitment_can_be_committed_again() -> None:
    pos = d.after_commit(d.after_receipt(FundPosition(), GRANT), GRANT)
    pos = d.after_cancel(pos, GRANT)
    assert pos.available == GRANT
    assert d.after_commit(pos, GRANT).available == 0


def test_returned_money_is_available_again() -> None:
    pos = d.after_receipt(FundPosition(), 1_000)
    pos = d.after_tranche_paid(d.after_commit(pos, 1_000), 1_000)
    assert pos.available == 0
    with pytest.raises(InsufficientFunds):
        d.after_commit(pos, 1)
    pos = d.after_return(pos, 400)
    assert pos.available == 400
    assert d.after_commit(pos, 400).available == 0


def test_unsigned_commitment_is_not_payable() -> None:
    pos = d.after_receipt(FundPosition(), 10_000)
    pos = d.after_commit(pos, 6_000, signed=False)
    assert (pos.available, pos.committed_unpaid, pos.unsigned, pos.payable) == (4_000, 6_000, 6_000, 0)
    with pytest.raises(ExceedsCommitment) as err:
        d.after_tranche_paid(pos, 1)
    assert err.value.field == "amount"
    pos = d.after_signing(pos, 6_000)
    assert (pos.available, pos.unsigned, pos.payable) == (4_000, 0, 6_000)
    with pytest.raises(ExceedsCommitment):
        d.after_signing(pos, 1)


def test_unsigned_cancellation_releases_the_earmark() -> None:
    pos = d.after_commit(d.after_receipt(FundPosition(), 10_000), 3_000, signed=False)
    pos = d.after_commit(pos, 2_000)
    with pytest.raises(ExceedsCommitment):
        d.after_cancel(pos, 3_001, signed=False)
    with pytest.raises(ExceedsCommitment):
        d.after_cancel(pos, 2_001)  # only 2,000 signed
    pos = d.after_cancel(pos, 3_000, signed=False)
    assert (pos.available, pos.unsigned, pos.payable) == (8_000, 0, 2_000)


def test_tranche_above_commitment_and_return_above_paid_are_refused() -> None:
    pos = d.after_commit(d.after_receipt(FundPosition(), 10_000), 5_000)
    with pytest.raises(ExceedsCommitment, match=r"50\.00, 50\.01 asked"):
        d.after_tranche_paid(pos, 5_001)
    pos = d.after_tranche_paid(pos, 5_000)
    with pytest.raises(ExceedsPaid) as err:
        d.after_return(pos, 5_001)
    assert err.value.field == "amount"
    pos = d.after_return(pos, 5_000)
    with pytest.raises(ExceedsPaid):
        d.after_return(pos, 1)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "100"])
@pytest.mark.parametrize(
    "step",
    [d.after_receipt, d.after_commit, d.after_signing, d.after_tranche_paid, d.after_return, d.after_cancel],
)
def test_amounts_must_be_positive_int_fen(step: object, bad: object) -> None:
    pos = FundPosition(received=10_000, committed_unpaid=5_000, unsigned=1_000, paid=1_000)
    with pytest.raises(InvalidInput) as err:
        step(pos, bad)  # type: ignore[operator]
    assert err.value.field == "amount"


@pytest.mark.parametrize(
    "fields",
    [
        {"received": -1},
        {"received": 10, "committed_unpaid": 11},  # available below zero
        {"received": 10, "committed_unpaid": 1, "unsigned": 2},
        {"received": 10, "paid": 1, "returned": 2},
        {"received": 1.0},
    ],
)
def test_unreachable_positions_are_refused(fields: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="position"):
        FundPosition(**fields)


def test_grant_balance_arithmetic() -> None:
    grant = GrantBalance(amount=33_333_333)
    grant = d.grant_after_tranche_paid(grant, 19_999_999)
    assert grant.unpaid == 13_333_334
    with pytest.raises(ExceedsCommitment):
        d.grant_after_tranche_paid(grant, 13_333_335)
    grant = d.grant_after_tranche_paid(grant, 13_333_334)
    assert grant.unpaid == 0
    grant = d.grant_after_return(grant, 1_000_000)
    assert grant.paid_net == 32_333_333
    with pytest.raises(ExceedsPaid):
        d.grant_after_return(grant, 32_333_334)
    with pytest.raises(ExceedsCommitment):
        d.grant_after_release(grant, 1)


def test_grant_cancellation_releases_the_unpaid_rest() -> None:
    grant = d.grant_after_tranche_paid(GrantBalance(amount=33_333_333), 19_999_999)
    grant = d.grant_after_release(grant, grant.unpaid)
    assert (grant.unpaid, grant.released, grant.paid) == (0, 13_333_334, 19_999_999)
    with pytest.raises(ValueError, match="grant balance"):
        GrantBalance(amount=10, paid=8, released=3)


# ---------------------------------------------------------------------------------------------------
# Property: any sequence of operations keeps available >= 0, the identity, and the ledger in step
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Grant:
    balance: GrantBalance
    signed: bool


_amounts = st.one_of(st.integers(1, 200), st.integers(1, 150_000_000))
_ops = st.lists(
    st.tuples(
        # weighted: payments and returns need a signed commitment before them
        st.sampled_from(
            [
                "receipt",
                "commit",
                "commit",
                "sign",
                "pay",
                "pay",
                "pay",
                "cancel",
                "return",
                "return",
                "close",
            ]
        ),
        _amounts,
        st.integers(0, 50),
        st.booleans(),
    ),
    min_size=5,
    max_size=40,
)


def _one_step(
    step: tuple[str, int, int, bool], pos: FundPosition, grants: list[_Grant], *, restriction: d.Restriction
) -> tuple[FundPosition, tuple[Posting, ...]]:
    """Apply one operation with the domain functions, return the new position and the entry posted.

    ``pick`` chooses the grant; unless it is 3 modulo 4 the grant is one the operation suits and the
    amount is clamped to what the rules allow (so most operations succeed), otherwise both are used
    as drawn (so refusals are exercised too).
    ``flag`` picks the receipt kind, and marks a commitment as approved but not yet signed.
    """
    op, amount, pick, flag = step
    clamp = pick % 4 != 3

    def fit(most: int) -> int:
        return min(amount, most) if clamp and most > 0 else amount

    if op == "receipt":
        kind = d.ReceiptKind.DONATION if flag else d.ReceiptKind.GOVERNMENT_GRANT
        return d.after_receipt(pos, amount), d.receipt_postings(kind, restriction, amount)
    if op == "commit":
        amount = fit(pos.available)
        if amount > pos.available:
            with pytest.raises(InsufficientFunds) as err:
                d.after_commit(pos, amount, signed=not flag)
            assert err.value.field == "amount"
            return pos, ()
        new = d.after_commit(pos, amount, signed=not flag)
        grants.append(_Grant(GrantBalance(amount), signed=not flag))
        return new, (() if flag else d.commitment_postings(amount, restriction))
    live = {
        "sign": lambda g: not g.signed and g.balance.unpaid > 0,
        "pay": lambda g: g.signed and g.balance.unpaid > 0,
        "cancel": lambda g: g.balance.unpaid > 0,
        "return": lambda g: g.balance.paid_net > 0,
    }[op]
    candidates = [g for g in grants if live(g)] if clamp else grants
    if not candidates:
        return pos, ()
    grant = candidates[pick % len(candidates)]
    if op == "sign":
        if grant.signed or grant.balance.unpaid == 0:
            return pos, ()
        new = d.after_signing(pos, grant.balance.unpaid)
        grant.signed = True
        return new, d.commitment_postings(grant.balance.unpaid, restriction)
    if op == "pay":
        if not grant.signed:
            with pytest.raises(ExceedsCommitment):
                d.after_tranche_paid(pos, pos.payable + 1)
            return pos, ()
        amount = fit(grant.balance.unpaid)
        if amount > grant.balance.unpaid:
            with pytest.raises(ExceedsCommitment):
                d.grant_after_tranche_paid(grant.balance, amount)
            return pos, ()
        grant.balance = d.grant_after_tranche_paid(grant.balance, amount)
        return d.after_tranche_paid(pos, amount), d.tranche_payment_postings(amount)
    if op == "cancel":
        unpaid = grant.balance.unpaid
        if unpaid == 0:
            return pos, ()
        new = d.after_cancel(pos, unpaid, signed=grant.signed)
        grant.balance = d.grant_after_release(grant.balance, unpaid)
        return new, (d.cancellation_postings(unpaid, restriction) if grant.signed else ())
    if op == "return":
        amount = fit(grant.balance.paid_net)
        if amount > grant.balance.paid_net:
            with pytest.raises(ExceedsPaid):
                d.grant_after_return(grant.balance, amount)
            return pos, ()
        grant.balance = d.grant_after_return(grant.balance, amount)
        return d.after_return(pos, amount), d.return_postings(amount, restriction)
    raise AssertionError(op)


@settings(max_examples=300, deadline=None)
@given(opening=_amounts, ops=_ops, restriction=st.sampled_from(list(d.Restriction)))
def test_any_sequence_keeps_available_non_negative_and_books_in_step(
    opening: int,
    ops: list[tuple[str, int, int, bool]],
    restriction: d.Restriction,
    fold: Callable[..., dict[str, int]],
) -> None:
    apply = fold  # the conftest fold: (balances, postings) -> balances
    pos = d.after_receipt(FundPosition(), opening)
    books = apply({}, d.receipt_postings(d.ReceiptKind.GOVERNMENT_GRANT, restriction, opening))
    grants: list[_Grant] = []
    closed_net_assets = restriction is d.Restriction.RESTRICTED
    for op, amount, pick, flag in ops:
        if op == "close":
            entry = d.period_close_postings(books)
            books = apply(books, entry)
            assert not any(a.startswith(("Income:", "Expenses:")) for a in books)
            own = d.NET_ASSETS_RESTRICTED if closed_net_assets else d.NET_ASSETS_UNRESTRICTED
            other = d.NET_ASSETS_UNRESTRICTED if closed_net_assets else d.NET_ASSETS_RESTRICTED
            assert -books.get(own, 0) == pos.available + pos.unsigned
            assert books.get(other, 0) == 0
        else:
            pos, entry = _one_step((op, amount, pick, flag), pos, grants, restriction=restriction)
            books = apply(books, entry)
        event(f"{op}: {'entry' if entry else 'no entry'}")
        assert sum(p.fen for p in entry) == 0
        # the invariants
        assert pos.available >= 0
        assert pos.received == pos.available + pos.committed_unpaid + pos.paid_net
        assert pos.committed_unpaid == sum(g.balance.unpaid for g in grants)
        assert pos.unsigned == sum(g.balance.unpaid for g in grants if not g.signed)
        assert pos.paid_net == sum(g.balance.paid_net for g in grants)
        # the ledger agrees with the position
        assert books.get(d.BANK, 0) == pos.cash == pos.available + pos.committed_unpaid
        assert -books.get(d.GRANTS_PAYABLE, 0) == pos.payable
        net_assets = sum(fen for a, fen in books.items() if a.startswith(("Equity:", "Income:", "Expenses:")))
        assert -net_assets == pos.available + pos.unsigned
        if closed_net_assets:
            # releases keep unrestricted net assets at zero: expenses are met from restricted money
            unrestricted = books.get(d.NET_ASSETS_UNRESTRICTED, 0) + sum(
                fen for a, fen in books.items() if a.startswith("Expenses:")
            )
            assert unrestricted == 0
