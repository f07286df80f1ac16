"""The moment every test runs at, and the handle tests use to move it (the ``pinned_clock`` fixture).

No test may depend on the real date: the service's clock (``ledger.core.clock``) is stopped at
``PINNED_AT`` before each test, so tests may write the dates that moment implies (claim numbers
``CL-2026-…``, "last month" is November 2026). Processes a test starts (the CLI, crash workers,
servers) inherit the moment through ``RELIEF_LEDGER_FIXED_NOW``, which the app and the CLI read when
they configure the clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ledger.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
PINNED_AT = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
"""A Tuesday morning in Shanghai, late in the only policy year the shipped policy defines."""
PINNED_TODAY = PINNED_AT.date()


class PinnedClock:
    """The stopped clock of one test; it moves only when the test says so.

    Args:
        monkeypatch: the test's monkeypatch, which restores the environment afterwards.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self._moment = PINNED_AT

    def set(self, moment: dt.datetime) -> dt.datetime:
        """Stop the clock at ``moment`` (aware), here and in processes started from now on; return it."""
        clock.pin(moment)
        self._monkeypatch.setenv(clock.FIXED_NOW_VARIABLE, moment.isoformat())
        self._moment = moment
        return moment

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move the clock forward by ``delta`` (backward if negative); return the new moment."""
        return self.set(self._moment + delta)

    @property
    def now(self) -> dt.datetime:
        """The pinned moment, as it was given."""
        return self._moment

    @property
    def today(self) -> dt.date:
        """The business date of the pinned moment (in the clock's zone)."""
        return self._moment.astimezone(clock.zone()).date()
