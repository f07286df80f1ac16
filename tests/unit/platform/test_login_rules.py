"""Sign-in lockout rules: which names share a count, when the count starts again, when a lock ends."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.platform.domain import LoginFailures, after_failure, login_key, password_matches

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def _fail(previous: LoginFailures | None, at: dt.datetime) -> LoginFailures:
    return after_failure(previous, now=at, threshold=5, minutes=15)


@pytest.mark.parametrize("spelling", ["carol", "Carol", " CAROL\t", "ｃａｒｏｌ"])
def test_spellings_of_a_name_share_one_key(spelling: str) -> None:
    assert login_key(spelling) == "carol"


def test_a_key_is_at_most_as_long_as_a_username() -> None:
    assert login_key("ß" * 64) == "ss" * 32


def test_the_fifth_failure_in_a_row_locks_for_fifteen_minutes() -> None:
    state = None
    for n in range(4):
        state = _fail(state, T0 + n * MINUTE)
        assert (state.failures, state.locked_until) == (n + 1, None)
    assert state is not None
    locked = _fail(state, T0 + 4 * MINUTE)
    assert (locked.failures, locked.locked_until) == (5, T0 + 19 * MINUTE)
    assert locked.locked_at(T0 + 19 * MINUTE - dt.timedelta(seconds=1))
    assert not locked.locked_at(T0 + 19 * MINUTE)


def test_the_count_starts_again_when_the_last_failure_is_older_than_the_window() -> None:
    state = _fail(_fail(None, T0), T0 + 15 * MINUTE)
    assert state.failures == 2
    assert _fail(state, T0 + 30 * MINUTE + dt.timedelta(seconds=1)).failures == 1


def test_the_count_starts_again_after_a_lock_ran_out() -> None:
    locked = LoginFailures(failures=5, last_failed_at=T0, locked_until=T0 + 15 * MINUTE)
    again = _fail(locked, T0 + 16 * MINUTE)
    assert (again.failures, again.locked_until) == (1, None)


def test_no_user_never_matches_not_even_an_empty_password() -> None:
    assert password_matches(None, "") is False
    assert password_matches("not-a-hash", "anything") is False
