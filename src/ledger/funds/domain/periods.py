"""Period close (期末结转: 业务活动表 accounts into 净资产) and the closed-period rule for bookings."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from ledger.core.entries import Posting
from ledger.core.errors import InvalidInput
from ledger.core.money import Fen
from ledger.funds.domain.accounts import (
    EXPENSES_PREFIX,
    INCOME_PREFIX,
    NET_ASSETS_RESTRICTED,
    NET_ASSETS_UNRESTRICTED,
)
from ledger.funds.errors import (
    PeriodAlreadyClosed,
)

# ASCII digits only and the whole string: ``\d`` would let "٢٠٢٥" through as another spelling of 2025,
# and ``$`` a trailing newline; year 0000 is no calendar year.
_PERIOD = re.compile(r"(?!0000)[0-9]{4}(-(0[1-9]|1[0-2]))?")


def _check_period(period: str) -> str:
    if not isinstance(period, str) or not _PERIOD.fullmatch(period):
        raise InvalidInput(
            f"period must be a year (2025) or a month (2025-12): got {period!r}",
            field="period",
            rule="YYYY or YYYY-MM",
        )
    return period


def period_close_key(period: str) -> str:
    """Return the unique key a close of ``period`` claims first (``charity-close:2025``), so it runs once."""
    return f"charity-close:{_check_period(period)}"


def period_end(period: str) -> dt.date:
    """The last day of ``2026-10`` or ``2026`` (``InvalidInput`` naming ``period`` for anything else)."""
    year = int(_check_period(period)[:4])
    if len(period) == 4:
        return dt.date(year, 12, 31)
    month = int(period[5:])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    """The latest closed period of the charity book.

    Args:
        period: ``2026-10`` or ``2026``.
        ends_on: its last day.
    """

    period: str
    ends_on: dt.date


def closed_period_of(on: dt.date, latest: ClosedPeriod | None) -> ClosedPeriod | None:
    """The closed period a date falls in, or ``None`` when the date is still open.

    Periods are closed in order, so every day up to the latest closed period's last day is closed: a
    booking dated then is refused, and a period ending then cannot be closed any more.

    Args:
        on: the date of a booking (or the last day of a period to close).
        latest: the latest closed period, ``None`` when none is closed.
    """
    if latest is not None and on <= latest.ends_on:
        return latest
    return None


def check_period_open(period: str, closed_periods: Collection[str]) -> None:
    """Raise ``PeriodAlreadyClosed`` (field ``period``) if ``period`` is among ``closed_periods``."""
    if _check_period(period) in closed_periods:
        raise PeriodAlreadyClosed(
            f"period {period} is already closed", field="period", rule="close once per period"
        )


def _close_target(account: str) -> str | None:
    if account.startswith(EXPENSES_PREFIX):
        return NET_ASSETS_UNRESTRICTED
    if not account.startswith(INCOME_PREFIX):
        return None
    segments = account.split(":")
    if "Restricted" in segments:
        return NET_ASSETS_RESTRICTED
    if "Unrestricted" in segments:
        return NET_ASSETS_UNRESTRICTED
    raise InvalidInput(
        f"income account {account} does not say whether it is Restricted or Unrestricted",
        field="balances",
        rule="income account names its restriction",
    )


def period_close_postings(balances: Mapping[str, Fen]) -> tuple[Posting, ...]:
    """Return the period-end closing entry of the charity book.

    As 《民间非营利组织会计制度》 prescribes, restricted income (``Income:Charity:...:Restricted``,
    4xxx02) closes into 3102 限定性净资产; unrestricted income (``...:Unrestricted``, 4xxx01) and every
    expense (``Expenses:Charity:...``, 5xxx) close into 3101 非限定性净资产.

    Args:
        balances: each account's balance at the end of the period, Beancount sign (income negative,
            expenses positive). Accounts other than charity income and expenses are ignored, as are
            zero balances.

    Returns:
        One leg per non-zero income or expense account that zeroes it (sorted by account), then one
        net leg per net-asset account that receives something; ``()`` when there is nothing to close.
        The legs sum to zero.

    Raises:
        InvalidInput: an income account's name does not say Restricted or Unrestricted; a balance is
            not an int (field ``balances``).
    """
    closing: list[Posting] = []
    into: dict[str, Fen] = {}
    for account in sorted(balances):
        fen = balances[account]
        if isinstance(fen, bool) or not isinstance(fen, int):
            raise InvalidInput(f"balance of {account} must be int fen", field="balances", rule="integer fen")
        target = _close_target(account)
        if target is None or fen == 0:
            continue
        closing.append(Posting(account, -fen))
        into[target] = into.get(target, 0) + fen
    closing.extend(
        Posting(target, into[target])
        for target in (NET_ASSETS_UNRESTRICTED, NET_ASSETS_RESTRICTED)
        if into.get(target, 0) != 0
    )
    return tuple(closing)
