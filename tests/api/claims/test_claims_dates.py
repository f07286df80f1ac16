"""Claim numbers and deadlines follow the business date in Shanghai, not the UTC date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from tests.api.claims.conftest import Claims
from tests.pinned_clock import SHANGHAI, PinnedClock

LINES = [{"head": "medical", "claimed": "1000.00", "unreimbursed": "1000.00"}]


async def test_numbers_and_deadlines_take_the_year_of_shanghai(
    api: Claims, login: Callable[..., Awaitable[dict[str, str]]], pinned_clock: PinnedClock
) -> None:
    event_no = await api.event()
    registered = []
    for moment in (
        dt.datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI),
        dt.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI),  # 2026-12-31 16:30 in UTC
    ):
        pinned_clock.set(moment)
        api.headers["adjuster"] = await login("adjuster")
        claim = await api.register(event_no, LINES)
        registered.append((claim["claim_no"], claim["decision_due"]))
    # complete on registration, so the 30-day decision clock starts on the business date
    assert registered == [("CL-2026-000001", "2027-01-30"), ("CL-2027-000001", "2027-01-31")]
