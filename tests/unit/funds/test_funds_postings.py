"""Posting builders: balanced, only chart accounts, the legs ADR 0002 decides; the period close."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.entries import Posting
from ledger.core.errors import InvalidInput
from ledger.funds import domain as d
from ledger.funds.errors import PeriodAlreadyClosed

R = d.Restriction.RESTRICTED
U = d.Restriction.UNRESTRICTED
AMOUNT = 33_333_333  # 333,333.33


def _legs(postings: tuple[Posting, ...], codes: dict[str, str]) -> list[tuple[str, int]]:
    """Postings as (statutory code, signed fen), the way an accountant reads them."""
    return [(codes[p.account], p.fen) for p in postings]


def _all_builders() -> list[tuple[Posting, ...]]:
    built: list[tuple[Posting, ...]] = []
    for restriction in d.Restriction:
        built.extend(d.receipt_postings(kind, restriction, AMOUNT) for kind in d.ReceiptKind)
        built.append(d.commitment_postings(AMOUNT, restriction))
        built.append(d.cancellation_postings(AMOUNT, restriction))
        built.append(d.return_postings(AMOUNT, restriction))
    built.append(d.tranche_payment_postings(AMOUNT))
    built.append(d.restriction_release_postings(AMOUNT))
    built.append(d.restriction_reinstatement_postings(AMOUNT))
    return built


def test_every_named_account_is_in_the_chart(charity_accounts: frozenset[str]) -> None:
    assert charity_accounts >= d.CHARITY_ACCOUNTS


@pytest.mark.parametrize("postings", _all_builders())
def test_every_builder_balances_and_uses_chart_accounts(
    postings: tuple[Posting, ...], charity_accounts: frozenset[str]
) -> None:
    assert sum(p.fen for p in postings) == 0
    assert all(p.fen != 0 for p in postings)
    assert {p.account for p in postings} <= charity_accounts
    assert {p.currency for p in postings} == {"CNY"}


def test_guidance_grant_and_matching_donation(account_codes: dict[str, str]) -> None:
    grant = d.receipt_postings(d.ReceiptKind.GOVERNMENT_GRANT, R, 100_000_000)
    assert _legs(grant, account_codes) == [("1002", 100_000_000), ("440102", -100_000_000)]
    donation = d.receipt_postings(d.ReceiptKind.DONATION, R, 20_000_000)
    assert _legs(donation, account_codes) == [("1002", 20_000_000), ("410102", -20_000_000)]
    unrestricted = d.receipt_postings(d.ReceiptKind.DONATION, U, 5)
    assert _legs(unrestricted, account_codes) == [("1002", 5), ("410101", -5)]
    assert (
        d.income_account(d.ReceiptKind.GOVERNMENT_GRANT, U) == "Income:Charity:GovernmentGrant:Unrestricted"
    )


def test_commitment_on_signing_releases_the_restriction(account_codes: dict[str, str]) -> None:
    assert _legs(d.commitment_postings(AMOUNT, R), account_codes) == [
        ("5101", AMOUNT),
        ("2209", -AMOUNT),
        ("3102", AMOUNT),
        ("3101", -AMOUNT),
    ]
    assert _legs(d.commitment_postings(AMOUNT, U), account_codes) == [("5101", AMOUNT), ("2209", -AMOUNT)]


def test_tranche_payment_settles_the_payable(account_codes: dict[str, str]) -> None:
    assert _legs(d.tranche_payment_postings(19_999_999), account_codes) == [
        ("2209", 19_999_999),
        ("1002", -19_999_999),
    ]


def test_cancellation_and_return_reinstate_the_restriction(account_codes: dict[str, str]) -> None:
    assert _legs(d.cancellation_postings(13_333_334, R), account_codes) == [
        ("2209", 13_333_334),
        ("5101", -13_333_334),
        ("3101", 13_333_334),
        ("3102", -13_333_334),
    ]
    assert _legs(d.return_postings(1_000_000, R), account_codes) == [
        ("1002", 1_000_000),
        ("5101", -1_000_000),
        ("3101", 1_000_000),
        ("3102", -1_000_000),
    ]
    assert _legs(d.cancellation_postings(7, U), account_codes) == [("2209", 7), ("5101", -7)]
    assert _legs(d.return_postings(7, U), account_codes) == [("1002", 7), ("5101", -7)]


def test_release_legs(account_codes: dict[str, str]) -> None:
    assert _legs(d.restriction_release_postings(9), account_codes) == [("3102", 9), ("3101", -9)]
    assert _legs(d.restriction_reinstatement_postings(9), account_codes) == [("3101", 9), ("3102", -9)]


def test_a_programme_subaccount_may_be_used() -> None:
    legs = d.commitment_postings(100, R, expense_account="Expenses:Charity:Programs:ElderlyCare")
    assert legs[0] == Posting("Expenses:Charity:Programs:ElderlyCare", 100)
    with pytest.raises(InvalidInput) as err:
        d.return_postings(100, R, expense_account="Expenses:Insurance:Claims:FireExplosion")
    assert err.value.field == "expense_account"


@pytest.mark.parametrize(
    "build",
    [
        lambda a: d.receipt_postings(d.ReceiptKind.DONATION, R, a),
        lambda a: d.commitment_postings(a, R),
        d.tranche_payment_postings,
        lambda a: d.cancellation_postings(a, R),
        lambda a: d.return_postings(a, U),
        d.restriction_release_postings,
    ],
)
@pytest.mark.parametrize("bad", [0, -100])
def test_builders_refuse_non_positive_amounts(build: Callable[[int], object], bad: int) -> None:
    with pytest.raises(InvalidInput) as err:
        build(bad)
    assert err.value.field == "amount"


# ---------------------------------------------------------------------------------------------------
# Period close
# ---------------------------------------------------------------------------------------------------


def test_period_close_moves_income_and_expense_into_net_assets(
    account_codes: dict[str, str], fold: Callable[..., dict[str, int]]
) -> None:
    balances = {
        "Assets:Charity:Bank": 87_666_667,
        "Equity:Charity:NetAssets:Restricted": 32_333_333,
        "Equity:Charity:NetAssets:Unrestricted": -32_333_333 - 300_000,
        "Income:Charity:GovernmentGrant:Restricted": -100_000_000,
        "Income:Charity:Donations:Restricted": -20_000_000,
        "Income:Charity:Donations:Unrestricted": -500_000,
        "Income:Charity:GovernmentGrant:Unrestricted": 0,
        "Expenses:Charity:Programs": 32_333_333,
        "Expenses:Charity:Admin": 200_000,
        "Assets:Insurance:Bank": 123,  # the other book: ignored
        "Income:Insurance:Premium": -123,
    }
    close = d.period_close_postings(balances)
    assert _legs(close, account_codes) == [
        ("5201", -200_000),
        ("5101", -32_333_333),
        ("410102", 20_000_000),
        ("410101", 500_000),
        ("440102", 100_000_000),
        ("3101", 32_333_333 + 200_000 - 500_000),
        ("3102", -120_000_000),
    ]
    assert sum(p.fen for p in close) == 0
    after = fold(balances, close)
    assert not [a for a in after if a.startswith(("Income:Charity:", "Expenses:Charity:"))]
    assert after["Equity:Charity:NetAssets:Restricted"] == -87_666_667
    # 3,000.00 unrestricted before + 5,000.00 unrestricted income − 2,000.00 admin cost
    assert after["Equity:Charity:NetAssets:Unrestricted"] == -600_000
    assert after["Income:Insurance:Premium"] == -123


def test_period_close_of_nothing_is_empty() -> None:
    assert d.period_close_postings({}) == ()
    assert d.period_close_postings({"Assets:Charity:Bank": 5, "Expenses:Charity:Programs": 0}) == ()


def test_period_close_nets_a_target_to_nothing() -> None:
    close = d.period_close_postings(
        {"Income:Charity:Donations:Unrestricted": -500, "Expenses:Charity:Admin": 500}
    )
    assert close == (
        Posting("Expenses:Charity:Admin", -500),
        Posting("Income:Charity:Donations:Unrestricted", 500),
    )


def test_period_close_closes_a_negative_expense() -> None:
    # a later-period return credits 5101 below zero; the close still zeroes it, into 3101
    close = d.period_close_postings({"Expenses:Charity:Programs": -1_000})
    assert close == (Posting("Expenses:Charity:Programs", 1_000), Posting(d.NET_ASSETS_UNRESTRICTED, -1_000))


def test_period_close_refuses_an_income_account_without_restriction() -> None:
    with pytest.raises(InvalidInput) as err:
        d.period_close_postings({"Income:Charity:Interest": -5})
    assert err.value.field == "balances"
    with pytest.raises(InvalidInput):
        d.period_close_postings({"Income:Charity:Donations:Restricted": 1.5})  # type: ignore[dict-item]


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "Income:Charity:Donations:Restricted",
                "Income:Charity:Donations:Unrestricted",
                "Income:Charity:GovernmentGrant:Restricted",
                "Income:Charity:GovernmentGrant:Unrestricted",
                "Expenses:Charity:Programs",
                "Expenses:Charity:Admin",
                "Assets:Charity:Bank",
                "Liabilities:Charity:GrantsPayable",
                "Equity:Charity:NetAssets:Restricted",
            ]
        ),
        st.integers(-(10**12), 10**12),
    )
)
def test_period_close_always_balances_and_zeroes(balances: dict[str, int]) -> None:
    close = d.period_close_postings(balances)
    assert sum(p.fen for p in close) == 0
    after = dict(balances)
    for p in close:
        after[p.account] = after.get(p.account, 0) + p.fen
    assert all(fen == 0 for a, fen in after.items() if a.startswith(("Income:", "Expenses:")))
    # restricted income only ever reaches 3102; everything else 3101
    restricted_in = sum(
        fen for a, fen in balances.items() if a.endswith(":Restricted") and a.startswith("Income")
    )
    into_3102 = sum(p.fen for p in close if p.account == d.NET_ASSETS_RESTRICTED)
    assert into_3102 == restricted_in


def test_period_is_closed_once() -> None:
    assert d.period_close_key("2025") == "charity-close:2025"
    assert d.period_close_key("2025-12") == "charity-close:2025-12"
    d.check_period_open("2025", {"2024"})
    with pytest.raises(PeriodAlreadyClosed) as err:
        d.check_period_open("2025", {"2024", "2025"})
    assert err.value.field == "period"
    # Year 0000 is no calendar year; a trailing newline or non-ASCII digits ("٢٠٢٥") would be another
    # spelling of a period, so another close key, and reached int() / date() as a 500 before.
    for bad in ("25", "2025-13", "2025-1", "2025/12", "", "0000", "0000-01", "2025\n", "2025-12\n", "٢٠٢٥"):
        with pytest.raises(InvalidInput) as refused:
            d.period_close_key(bad)
        assert (refused.value.field, refused.value.rule) == ("period", "YYYY or YYYY-MM")
