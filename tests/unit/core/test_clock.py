"""The one clock: business dates in the configured zone, pinnable by tests and by a test's subprocesses."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from ledger.app import create_app
from ledger.config.settings import Settings, settings_from_env
from ledger.core import clock
from tests.pinned_clock import PINNED_AT, SHANGHAI, PinnedClock

SRC = Path(clock.__file__).resolve().parents[1]
NEW_YEAR_SHANGHAI = dt.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI)  # still 2026-12-31 16:30 in UTC


def test_every_test_starts_at_the_pinned_moment() -> None:
    assert clock.now() == PINNED_AT
    assert clock.now().tzinfo == dt.UTC
    assert clock.local_now().isoformat() == "2026-12-01T10:00:00+08:00"
    assert clock.today() == dt.date(2026, 12, 1)


def test_today_is_the_business_date_not_the_utc_date(pinned_clock: PinnedClock) -> None:
    pinned_clock.set(dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC))
    assert clock.today() == dt.date(2026, 12, 1)
    pinned_clock.set(NEW_YEAR_SHANGHAI)
    assert (clock.today(), clock.local_now().hour) == (dt.date(2027, 1, 1), 0)
    clock.configure("UTC", {clock.FIXED_NOW_VARIABLE: NEW_YEAR_SHANGHAI.isoformat()})
    assert clock.today() == dt.date(2026, 12, 31)
    assert pinned_clock.today == dt.date(2026, 12, 31)


def test_configure_reads_the_fixed_moment_only_when_asked() -> None:
    clock.configure("Asia/Shanghai", {clock.FIXED_NOW_VARIABLE: "2027-01-01T00:30:00+08:00"})
    assert clock.now() == NEW_YEAR_SHANGHAI
    clock.configure("Asia/Shanghai", {})
    wall = dt.datetime.now(dt.UTC)
    assert abs(clock.now() - wall) < dt.timedelta(seconds=5)
    assert clock.local_now().utcoffset() == dt.timedelta(hours=8)


def test_the_app_configures_the_clock_from_its_settings(tmp_path: Path, pinned_clock: PinnedClock) -> None:
    pinned_clock.set(NEW_YEAR_SHANGHAI)
    create_app(Settings(data_dir=tmp_path, secret_key="k" * 32, timezone="UTC"))
    assert clock.now() == NEW_YEAR_SHANGHAI  # the pinned moment travels through the environment
    assert (str(clock.zone()), clock.today()) == ("UTC", dt.date(2026, 12, 31))


@pytest.mark.parametrize("text", ["2027-01-01T00:30:00", "tomorrow", "2027-13-01T00:00:00+08:00"])
def test_a_fixed_moment_must_be_iso_with_an_offset(text: str) -> None:
    with pytest.raises(ValueError, match="RELIEF_LEDGER_FIXED_NOW must be an ISO 8601 moment"):
        clock.configure("Asia/Shanghai", {clock.FIXED_NOW_VARIABLE: text})
    with pytest.raises(ValueError, match="aware"):
        clock.pin(dt.datetime(2027, 1, 1))


def test_the_zone_setting_is_checked_when_read() -> None:
    assert settings_from_env({"LEDGER_TIMEZONE": "Europe/Berlin"}).timezone == "Europe/Berlin"
    for bad in ("Asia/Shanghia", "", "../etc/passwd"):
        with pytest.raises(ValueError, match="LEDGER_TIMEZONE must be an IANA time zone name"):
            settings_from_env({"LEDGER_TIMEZONE": bad})


WALL_CLOCK = re.compile(
    r"\b(?:datetime|date)\.(?:now|utcnow|today)\(|\btime\.(?:time|time_ns|localtime|gmtime|ctime|strftime)\("
    r"|\b(?:TimestamptzNow|TimestampNow|DateNow)\("
)


def test_only_the_clock_reads_the_wall_clock() -> None:
    """Every "now" and "today" of the service goes through ``ledger.core.clock``."""
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "clock.py" and "piccolo_migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WALL_CLOCK.search(line)
    ]
    assert offenders == []
