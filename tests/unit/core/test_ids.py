"""Resident ID numbers (GB 11643) and unified social credit codes (GB 32100)."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.core.errors import InvalidInput
from ledger.core.ids import mask_resident_id, upgrade_ric15, validate_credit_code, validate_resident_id
from tests.pinned_clock import PinnedClock


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        ("440524188001010014", "440524188001010014"),
        ("110105 19491231 002X", "11010519491231002X"),
        ("110105491231002", "11010519491231002X"),
    ],
)
def test_valid_resident_ids(given: str, canonical: str) -> None:
    assert validate_resident_id(given) == canonical


@pytest.mark.parametrize(
    ("given", "rule"),
    [
        ("360426199101010072", "GB 11643 check character"),
        ("1101051949123100", "GB 11643 length"),
        ("11010519491331002X", "GB 11643 check character"),
        ("11010A19491231002X", "GB 11643 format"),
        ("99999919900101123X", "GB 11643 check character"),
    ],
)
def test_invalid_resident_ids(given: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_resident_id(given, field="victim_id")
    assert caught.value.rule == rule
    assert caught.value.field == "victim_id"


def test_birth_date_in_the_future_is_refused() -> None:
    body = "11010520300101001"
    from stdnum.cn import ric

    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(InvalidInput) as caught:
        validate_resident_id(number, today=dt.date(2026, 11, 29))
    assert caught.value.rule == "birth date not in future"


def test_a_baby_born_today_in_shanghai_is_not_born_in_the_future(pinned_clock: PinnedClock) -> None:
    """At 00:30 in Shanghai it is still yesterday in UTC; the birth date is judged by the business date."""
    pinned_clock.set(dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC))
    born_today, born_tomorrow = _ric("37021420261201001"), _ric("37021420261202001")
    assert validate_resident_id(born_today) == born_today
    with pytest.raises(InvalidInput) as caught:
        validate_resident_id(born_tomorrow)
    assert caught.value.rule == "birth date not in future"


def _ric(body: str) -> str:
    """``body`` (the first 17 characters) with its check character."""
    from stdnum.cn import ric

    return body + ric.calc_check_digit(body + "0")


def test_impossible_birth_date_is_refused() -> None:
    from stdnum.cn import ric

    body = "11010519490231001"
    with pytest.raises(InvalidInput) as caught:
        validate_resident_id(body + ric.calc_check_digit(body + "0"))
    assert caught.value.rule == "GB 11643 birth date"


def test_unknown_area_code_is_refused() -> None:
    from stdnum.cn import ric

    body = "00000019900101001"
    with pytest.raises(InvalidInput) as caught:
        validate_resident_id(body + ric.calc_check_digit(body + "0"))
    assert caught.value.rule == "GB 11643 area code"


def test_fifteen_digit_upgrade() -> None:
    assert upgrade_ric15("110105491231002") == "11010519491231002X"


def test_masking() -> None:
    assert mask_resident_id("370214199001011234") == "370214********1234"
    assert mask_resident_id("short") == "*****"


def test_credit_codes() -> None:
    assert validate_credit_code("91110000802100433b") == "91110000802100433B"
    with pytest.raises(InvalidInput) as caught:
        validate_credit_code("91110000802100433C", field="credit_code")
    assert caught.value.rule == "GB 32100 check character"
    assert caught.value.field == "credit_code"
    assert caught.value.extra == {"expected": "B"}  # what the page shows beside the field
    with pytest.raises(InvalidInput) as short:
        validate_credit_code("9111000080210043", field="credit_code")
    assert short.value.rule == "GB 32100"
