"""Pro-rata scale-back of an event's payouts: the sum equals the event limit exactly, to the fen."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.claims.domain import scale_back
from ledger.core.errors import InvalidInput


def test_three_equal_claims_against_100000() -> None:
    # 3 x 33,333.34 = 100,000.02 > 100,000.00: each gets 33,333.33 and the one fen left goes to the first key
    result = scale_back({101: 3_333_334, 102: 3_333_334, 103: 3_333_334}, 10_000_000)
    assert result == {101: 3_333_334, 102: 3_333_333, 103: 3_333_333}
    assert sum(result.values()) == 10_000_000


def test_tie_break_is_by_key_not_by_insertion_order() -> None:
    assert scale_back({"c": 1, "a": 1, "b": 1}, 2) == {"c": 0, "a": 1, "b": 1}
    assert list(scale_back({"c": 1, "a": 1, "b": 1}, 2)) == ["c", "a", "b"]


def test_larger_remainder_gets_the_fen_first() -> None:
    # exact shares: 7 x 10/17 = 4.117..., 5 x 10/17 = 2.941..., 5 x 10/17 = 2.941...
    result = scale_back({1: 7, 2: 5, 3: 5}, 10)
    assert result == {1: 4, 2: 3, 3: 3}
    # exact shares 1.5 / 3.5 / 5.0 of 10: both halves tie, one fen left, key 1 wins
    assert scale_back({1: 3, 2: 7, 3: 10}, 10) == {1: 2, 2: 3, 3: 5}


def test_event_over_its_40_million_limit() -> None:
    # 30M + 20M yuan approved against a 40M event limit: 80 % each
    assert scale_back({1: 3_000_000_000, 2: 2_000_000_000}, 4_000_000_000) == {
        1: 2_400_000_000,
        2: 1_600_000_000,
    }
    # one fen more approved: exact shares 2,399,999,999.52 / 1,599,999,999.68 / 0.80 fen;
    # the two fen left go to the largest remainders (0.80, then 0.68)
    result = scale_back({1: 3_000_000_000, 2: 2_000_000_000, 3: 1}, 4_000_000_000)
    assert result == {1: 2_399_999_999, 2: 1_600_000_000, 3: 1}
    assert sum(result.values()) == 4_000_000_000


def test_unchanged_at_or_below_the_limit() -> None:
    approved = {1: 5_000, 2: 5_000}
    assert scale_back(approved, 10_000) == approved
    assert scale_back(approved, 20_000) == approved
    assert scale_back(approved, 10_000) is not approved
    assert scale_back({}, 0) == {}


def test_zero_limit_pays_nothing() -> None:
    assert scale_back({1: 100, 2: 200}, 0) == {1: 0, 2: 0}


@pytest.mark.parametrize(("approved", "limit", "field"), [({1: -1}, 10, "approved"), ({1: 1}, -1, "limit")])
def test_negative_amounts_are_refused(approved: dict[int, int], limit: int, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        scale_back(approved, limit)
    assert info.value.field == field


@given(
    approved=st.dictionaries(st.integers(0, 10_000), st.integers(0, 10**12), max_size=40),
    limit=st.integers(0, 10**13),
)
def test_scale_back_properties(approved: dict[int, int], limit: int) -> None:
    result = scale_back(approved, limit)
    total = sum(approved.values())
    assert sum(result.values()) == min(total, limit)
    assert list(result) == list(approved)
    for key, amount in approved.items():
        assert 0 <= result[key] <= amount
        if total > limit:
            # within one fen of the exact pro-rata share
            assert amount * limit // total <= result[key] <= -(-amount * limit // total)
    # deterministic, and independent of the order the claims are given in
    assert scale_back(approved, limit) == result
    assert scale_back(dict(reversed(list(approved.items()))), limit) == result
