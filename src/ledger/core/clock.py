"""The one place that reads the wall clock, so tests and jobs can pin time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)


def today(tz: dt.tzinfo = BUSINESS_TZ) -> dt.date:
    """Today's date in the business time zone (Asia/Shanghai by default)."""
    return dt.datetime.now(tz).date()
