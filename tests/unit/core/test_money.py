"""Money conversions: fen <-> Decimal <-> API strings, capital numerals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.errors import InvalidInput
from ledger.core.money import (
    MAX_FEN,
    capital_numerals,
    format_amount,
    format_cny,
    from_decimal,
    parse_amount,
    percent_of,
    share,
    to_decimal,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12345.67", 1234567),
        ("0.01", 1),
        ("10", 1000),
        ("10.5", 1050),
        (" 7.00 ", 700),
        ("100000000.00", 10**10),
    ],
)
def test_parse_amount(text: str, fen: int) -> None:
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1.234", "at most 2 decimal places"),
        ("-5.00", "not negative"),
        ("0", "greater than 0"),
        ("NaN", "decimal string"),
        ("Infinity", "decimal string"),
        ("1e3", "decimal string"),
        ("", "decimal string"),
        ("12,345.67", "decimal string"),
        (12.5, "decimal string"),
        (12, "decimal string"),
        (True, "decimal string"),
        (None, "decimal string"),
        # Past 64-bit fen these were an OverflowError in the database driver (a 500), so far less is taken.
        ("10000000000000.01", "at most 10000000000000.00"),
        ("92233720368547758.08", "at most 10000000000000.00"),
        ("1" + "0" * 30, "at most 10000000000000.00"),
    ],
)
def test_parse_amount_refuses(value: object, rule: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_amount(value, field="claimed")
    assert caught.value.field == "claimed"
    assert caught.value.rule == rule
    assert "claimed" in caught.value.message


def test_json_number_message_names_the_form() -> None:
    with pytest.raises(
        InvalidInput, match=r'amount must be a decimal string such as "12345.67", not a JSON float'
    ):
        parse_amount(1.5)


def test_zero_and_negative_when_allowed() -> None:
    assert parse_amount("0.00", allow_zero=True) == 0
    assert parse_amount("-0.05", allow_negative=True) == -5


def test_the_largest_amount_is_taken_and_bounds_negatives_too() -> None:
    assert parse_amount("10000000000000.00") == MAX_FEN == 10**15
    assert parse_amount("-10000000000000.00", allow_negative=True) == -MAX_FEN
    with pytest.raises(InvalidInput) as caught:
        parse_amount("-10000000000000.01", allow_negative=True)
    assert caught.value.rule == "at most 10000000000000.00"


def test_formats() -> None:
    assert format_amount(1234567) == "12345.67"
    assert format_amount(-5) == "-0.05"
    assert format_amount(0) == "0.00"
    assert format_cny(123456789) == "1,234,567.89"
    assert to_decimal(1050) == Decimal("10.50")
    assert str(to_decimal(1050)) == "10.50"


def test_from_decimal_refuses_fractions_of_fen() -> None:
    with pytest.raises(InvalidInput):
        from_decimal(Decimal("0.001"))
    assert from_decimal(Decimal("0.10")) == 10


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (1234567, "壹万贰仟叁佰肆拾伍元陆角柒分"),
        (1000, "壹拾元整"),
        (10001005, "壹拾万零壹拾元零伍分"),
        (100000000, "壹佰万元整"),
        (1, "壹分"),
    ],
)
def test_capital_numerals(fen: int, text: str) -> None:
    assert capital_numerals(fen) == text


def test_rounding_is_half_up_in_one_place() -> None:
    assert percent_of(1000005, Decimal(90)) == 900005  # 9000.045 -> 9000.05
    assert share(100, 1, 3) == 33
    assert share(200, 1, 3) == 67


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_round_trip_fen_string_fen(fen: int) -> None:
    assert parse_amount(format_amount(fen), allow_zero=True, allow_negative=True) == fen
    assert from_decimal(to_decimal(fen)) == fen


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e12"), places=2, allow_nan=False))
def test_round_trip_decimal(amount: Decimal) -> None:
    fen = parse_amount(str(amount))
    assert to_decimal(fen) == amount
