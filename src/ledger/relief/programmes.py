"""The relief programmes and their effective-dated rates, from ``ledger/config/relief.toml``.

The file is data (BRIEF §4's defaults: 低保 660 a person a month, 特困 990 plus care of 1,200 urban or 900
rural, 爱心午餐 as a flat monthly amount per pupil); this module declares what it holds as frozen msgspec
Structs and reads it through ``ledger.config.loader``, which refuses a bad file with a ``ConfigError``
naming the file, the key and the rule. Money is a decimal string in yuan read as integer fen.

Pure: no database, web or Beancount imports; reading the file is the only I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

import msgspec

from ledger.config.loader import CONFIG_DIR, ConfigStruct, Money, Source, Text, Texts, load
from ledger.core.errors import InvalidInput

__all__ = [
    "DEFAULT_RELIEF_FILE",
    "Bank",
    "BankColumn",
    "BankField",
    "ExpenditureTest",
    "Programme",
    "ProgrammeKind",
    "Rate",
    "ReliefConfig",
    "load_relief_config",
]

DEFAULT_RELIEF_FILE = CONFIG_DIR / "relief.toml"
"""The shipped programmes (``ledger/config/relief.toml``)."""


class ProgrammeKind(StrEnum):
    """How a programme computes a household's monthly amount (``domain.monthly_amount``)."""

    GAP = "gap"
    """低保: standard x members - the household's monthly income, plus members' supplements."""
    BASIC_AND_CARE = "basic_and_care"
    """特困: standard per member plus the care allowance for members unable to look after themselves."""
    PER_MEMBER = "per_member"
    """A flat amount per member in the programme's member category (爱心午餐)."""


class BankField(StrEnum):
    """What a bank file's column holds."""

    ACCOUNT_NO = "account_no"
    HOLDER = "holder"
    AMOUNT = "amount"
    MEMO = "memo"
    HOUSEHOLD_NO = "household_no"
    ROW_NO = "row_no"


class Rate(ConfigStruct, frozen=True):
    """The amounts of a programme in force from ``starts`` (the first day of a month).

    Args:
        starts: the first day of the first month the rate applies to.
        standard_fen: 低保 standard per person, 特困 basic living per person, or the flat amount.
        care_urban_fen: 特困 care allowance for an urban member unable to look after themselves.
        care_rural_fen: the same for a rural member.
        supplements: member category -> monthly supplement (低保).
    """

    starts: dt.date = msgspec.field(name="from")
    standard_fen: Money = msgspec.field(name="standard")
    care_urban_fen: Money = msgspec.field(default=0, name="care_urban")
    care_rural_fen: Money = msgspec.field(default=0, name="care_rural")
    supplements: Mapping[str, Money] = msgspec.field(default_factory=dict)


class Programme(ConfigStruct, frozen=True):
    """One relief programme.

    Args:
        code: the stable key (``dibao``).
        cn: the Chinese name (最低生活保障).
        title: the English name.
        kind: how the monthly amount is computed.
        account: the expense account of the relief book it posts to.
        rates: the rates, oldest first.
        member_category: for ``per_member``, the category of member paid for (``pupil``).
    """

    code: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*$")]
    cn: Text
    title: Text
    kind: ProgrammeKind
    account: Text
    rates: Annotated[tuple[Rate, ...], msgspec.Meta(min_length=1)]
    member_category: str = ""

    def rate_on(self, month_start: dt.date) -> Rate:
        """The rate in force in the month starting on ``month_start``.

        Raises:
            InvalidInput: ``field="month"`` for a month before the first rate.
        """
        found = [rate for rate in self.rates if rate.starts <= month_start]
        if not found:
            raise InvalidInput(
                f"programme {self.code!r} has no rate before {self.rates[0].starts}",
                field="month",
                rule=f"on or after {self.rates[0].starts:%Y-%m}",
            )
        return found[-1]


class ExpenditureTest(ConfigStruct, frozen=True):
    """支出型困难家庭: the income test net of rigid spending.

    Args:
        treated_as: the programme whose standard the net income is compared with, and which the
            household then joins.
        rigid_spending: the kinds of rigid spending deducted (``medical``, ``education``, ``rent``).
    """

    treated_as: Text
    rigid_spending: Texts


class BankColumn(ConfigStruct, frozen=True):
    """One column of a bank's batch file: its heading and what it holds."""

    title: Text
    field: BankField


class Bank(ConfigStruct, frozen=True):
    """A bank that takes batch payment files, with its column template."""

    code: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*$")]
    cn: Text
    columns: Annotated[tuple[BankColumn, ...], msgspec.Meta(min_length=1)]


class ReliefConfig(ConfigStruct, frozen=True):
    """Every relief parameter.

    Args:
        draft_day: the day of the month the scheduler drafts the month's cycles.
        expenditure_test: the 支出型困难家庭 test.
        programmes: code -> programme, in file order.
        banks: code -> bank, in file order.
    """

    draft_day: int
    expenditure_test: ExpenditureTest
    programmes: Mapping[str, Programme]
    banks: Mapping[str, Bank]

    def programme(self, code: str) -> Programme:
        """The programme ``code``.

        Raises:
            InvalidInput: ``field="programme"`` naming the known ones.
        """
        try:
            return self.programmes[code]
        except KeyError:
            raise InvalidInput(
                f"unknown programme {code!r}",
                field="programme",
                rule="one of " + ", ".join(self.programmes),
            ) from None

    def bank(self, code: str, *, field: str = "bank") -> Bank:
        """The bank ``code``.

        Raises:
            InvalidInput: naming ``field`` and the known banks.
        """
        try:
            return self.banks[code]
        except KeyError:
            raise InvalidInput(
                f"unknown bank {code!r}", field=field, rule="one of " + ", ".join(self.banks)
            ) from None


def load_relief_config(path: str | Path | None = None) -> ReliefConfig:
    """Load the programmes from ``path``, or from the packaged ``ledger/config/relief.toml``.

    Raises:
        ConfigError: (a ``ValueError``) naming the file, the key and the rule it breaks.
    """
    return load(Path(path) if path is not None else DEFAULT_RELIEF_FILE, _build)


class _File(ConfigStruct, frozen=True):
    """The whole ``relief.toml``."""

    draft_day: Annotated[int, msgspec.Meta(ge=1, le=28)]
    expenditure_test: ExpenditureTest
    programmes: Annotated[tuple[Programme, ...], msgspec.Meta(min_length=1)]
    banks: Annotated[tuple[Bank, ...], msgspec.Meta(min_length=1)]


def _build(source: Source) -> ReliefConfig:
    file = source.decode(_File)
    programmes: dict[str, Programme] = {}
    for index, programme in enumerate(file.programmes):
        key = f"programmes[{index}]"
        if programme.code in programmes:
            source.fail(f"{key}.code", f"programme {programme.code!r} is defined twice")
        if not programme.account.startswith("Expenses:Relief:"):
            source.fail(f"{key}.account", f"must be an Expenses:Relief: account, got {programme.account!r}")
        if (programme.kind is ProgrammeKind.PER_MEMBER) != bool(programme.member_category):
            source.fail(f"{key}.member_category", "is required for kind per_member and only for it")
        previous: dt.date | None = None
        for position, rate in enumerate(programme.rates):
            where = f"{key}.rates[{position}].from"
            if rate.starts.day != 1:
                source.fail(where, f"must be the first of a month, got {rate.starts}")
            if previous is not None and rate.starts <= previous:
                source.fail(where, f"must be after the rate before ({previous})")
            previous = rate.starts
        programmes[programme.code] = programme
    test = file.expenditure_test
    if test.treated_as not in programmes or programmes[test.treated_as].kind is not ProgrammeKind.GAP:
        source.fail(
            "expenditure_test.treated_as", f"must name a programme of kind gap, got {test.treated_as!r}"
        )
    banks: dict[str, Bank] = {}
    for index, bank in enumerate(file.banks):
        if bank.code in banks:
            source.fail(f"banks[{index}].code", f"bank {bank.code!r} is defined twice")
        fields = [column.field for column in bank.columns]
        for needed in (BankField.ACCOUNT_NO, BankField.HOLDER, BankField.AMOUNT):
            if needed not in fields:
                source.fail(f"banks[{index}].columns", f"needs a column for {needed.value}")
        banks[bank.code] = bank
    return ReliefConfig(
        draft_day=file.draft_day,
        expenditure_test=test,
        programmes=MappingProxyType(programmes),
        banks=MappingProxyType(banks),
    )
