"""The one place that reads the wall clock: every "now" and "today" of the service comes from here.

Dates are business dates in the configured zone (``LEDGER_TIMEZONE``, default Asia/Shanghai): a baby
born at 01:00 in Shanghai is born "today" although it is still yesterday in UTC, and a claim registered
at 00:30 on 1 January is numbered in the new year.

The app and the CLI call ``configure`` when they start; nothing is read at import. Tests stop the clock
with ``pin`` (through the ``pinned_clock`` fixture), and a process a test starts inherits the pinned
moment through ``RELIEF_LEDGER_FIXED_NOW``, which ``configure`` reads. That variable is for tests only
and lives outside the ``LEDGER_`` namespace, whose settings refuse names they do not know.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

FIXED_NOW_VARIABLE = "RELIEF_LEDGER_FIXED_NOW"
DEFAULT_ZONE = "Asia/Shanghai"

log = logging.getLogger("ledger.clock")


@dataclass(slots=True)
class _Clock:
    zone: ZoneInfo
    pinned: dt.datetime | None = None


_clock = _Clock(ZoneInfo(DEFAULT_ZONE))


def _parse_moment(text: str) -> dt.datetime:
    """Return the aware moment ``text`` names (ISO 8601 with a UTC offset) or raise ``ValueError``."""
    msg = f"{FIXED_NOW_VARIABLE} must be an ISO 8601 moment with its UTC offset, not {text!r}"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(msg) from None
    if moment.tzinfo is None:
        raise ValueError(msg)
    return moment


def configure(timezone: str, environ: Mapping[str, str] | None = None) -> None:
    """Set the business zone and, when a test asks for one, the fixed moment; called at app and CLI start.

    Args:
        timezone: the business zone's IANA name (``Settings.timezone``).
        environ: where to look for ``RELIEF_LEDGER_FIXED_NOW`` (default: ``os.environ``); when set, the
            clock stops at that moment, as ``pin`` does.
    """
    _clock.zone = ZoneInfo(timezone)
    fixed = (os.environ if environ is None else environ).get(FIXED_NOW_VARIABLE)
    pin(_parse_moment(fixed) if fixed else None)
    if fixed:
        log.info("the clock is stopped at %s by %s (for tests only)", fixed, FIXED_NOW_VARIABLE)


def pin(moment: dt.datetime | None) -> None:
    """Stop the clock at ``moment`` until pinned again; ``None`` lets it follow the wall clock.

    Args:
        moment: an aware datetime, or ``None``.
    """
    if moment is not None and moment.tzinfo is None:
        msg = "the clock can only be pinned to an aware datetime"
        raise ValueError(msg)
    _clock.pinned = moment


def zone() -> ZoneInfo:
    """The business time zone."""
    return _clock.zone


def now() -> dt.datetime:
    """The current moment, in UTC (how moments are stored)."""
    return (_clock.pinned or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


def local_now() -> dt.datetime:
    """The current moment in the business time zone (for what people read: report times, periods)."""
    return now().astimezone(_clock.zone)


def today() -> dt.date:
    """Today's date in the business time zone."""
    return local_now().date()
