"""The chart of accounts (``ledger/config/accounts.toml``) and the rules an entry must meet to be booked.

The chart is data: two books told apart by the second account segment (``Assets:Charity:Bank`` belongs to
``charity``), English Beancount names with Chinese names and statutory codes. ``load_chart`` reads it
through ``ledger.config.loader`` (once while the file is unchanged). ``Chart.problems`` holds the pure
checks an entry must pass before it is committed, so that ``bean-check`` passes once it is exported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

import msgspec

from ledger.books._text import text_problems
from ledger.config.loader import CONFIG_DIR, ConfigStruct, Source, Text, load
from ledger.core.entries import JournalEntry
from ledger.core.errors import InvalidInput
from ledger.core.money import CURRENCY, format_amount

#: Beancount's five root account types.
ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
#: A book name is also a Beancount tag and, capitalised, an account segment.
_BOOK_NAME = re.compile(r"[a-z][a-z0-9]*")
DEFAULT_CHART_FILE = CONFIG_DIR / "accounts.toml"
"""The shipped chart of accounts (``ledger/config/accounts.toml``)."""


class Book(ConfigStruct, frozen=True):
    """One self-balancing book of the ledger.

    Args:
        name: the lower-case book name used in entries (``insurance``, ``charity``); capitalised, it is
            the second segment of every account of the book.
        cn: the Chinese name (政府救助责任保险).
        title: the English title.
    """

    name: Text
    cn: Text
    title: Text


class Account(ConfigStruct, frozen=True):
    """One account of the chart.

    Args:
        name: the Beancount account name, e.g. ``Assets:Charity:Bank``.
        cn: the Chinese name printed as ``name-cn`` metadata on the ``open`` directive.
        code: the statutory account code (会计科目编码), printed as ``code`` metadata.
        opened: the first date the account may be posted to.
        closed: the first date it may no longer be posted to, or ``None`` while it is in use.
    """

    name: Text
    cn: Text
    code: Text
    opened: dt.date
    closed: dt.date | None = None

    @property
    def book(self) -> str:
        """The name of the book the account belongs to: its second segment, lower-cased."""
        return self.name.split(":")[1].lower()

    def is_open(self, on: dt.date) -> bool:
        """Return whether the account may be posted to on ``on``."""
        return self.opened <= on and (self.closed is None or on < self.closed)


class Chart(ConfigStruct, frozen=True):
    """The books and accounts of the ledger, in the order of the TOML file.

    Args:
        books: book name -> ``Book``.
        accounts: account name -> ``Account``.
    """

    books: Mapping[str, Book]
    accounts: Mapping[str, Account]

    def account(self, name: str) -> Account:
        """Return the account called ``name``.

        Raises:
            InvalidInput: when the chart has no such account.
        """
        try:
            return self.accounts[name]
        except KeyError:
            raise InvalidInput(
                f"account {name!r} is not in the chart of accounts",
                field="account",
                rule="account in chart of accounts",
            ) from None

    def is_open(self, name: str, on: dt.date) -> bool:
        """Return whether account ``name`` exists and may be posted to on ``on``."""
        account = self.accounts.get(name)
        return account is not None and account.is_open(on)

    def problems(self, entry: JournalEntry) -> list[str]:
        """Return why ``entry`` may not be booked; ``[]`` when it may.

        Checks, without Beancount: at least two postings, no zero posting, every account in the chart, open
        on ``entry.date`` and in ``entry.book``, only the ledger currency, postings summing to zero per
        currency, and text that prints into Beancount unchanged.

        Args:
            entry: the journal entry to check (its ``seq`` and ``hash`` are not looked at).

        Returns:
            Human messages, each naming the account or field and the rule it breaks.
        """
        problems: list[str] = []
        if entry.book not in self.books:
            problems.append(f"book {entry.book!r} is not in the chart of accounts ({', '.join(self.books)})")
        if len(entry.postings) < 2:
            problems.append(f"an entry needs at least 2 postings, this one has {len(entry.postings)}")
        sums: dict[str, int] = {}
        for posting in entry.postings:
            sums[posting.currency] = sums.get(posting.currency, 0) + posting.fen
            problems.extend(self._posting_problems(entry, posting.account, posting.fen, posting.currency))
        problems.extend(
            f"the postings do not balance: they sum to {format_amount(total)} {currency}, not 0.00"
            for currency, total in sums.items()
            if total != 0
        )
        problems.extend(text_problems(entry))
        return problems

    def _posting_problems(self, entry: JournalEntry, name: str, fen: int, currency: str) -> list[str]:
        problems: list[str] = []
        if fen == 0:
            problems.append(f"{name}: a posting must not be zero")
        if currency != CURRENCY:
            problems.append(f"{name}: currency {currency!r} is not the ledger currency {CURRENCY}")
        account = self.accounts.get(name)
        if account is None:
            problems.append(f"{name}: account is not in the chart of accounts")
            return problems
        if not account.is_open(entry.date):
            until = f", closed from {account.closed}" if account.closed else ""
            problems.append(f"{name}: account is not open on {entry.date} (opened {account.opened}{until})")
        if account.book != entry.book:
            problems.append(
                f"{name}: account belongs to book {account.book!r}, not {entry.book!r}; "
                "an entry may not cross books"
            )
        return problems


def load_chart(path: Path | None = None) -> Chart:
    """Read and validate the chart of accounts (decoded once while the file is unchanged).

    Args:
        path: a TOML file with ``[[books]]`` and ``[[accounts]]`` tables; ``None`` for the packaged
            ``ledger/config/accounts.toml``.

    Raises:
        ConfigError: (a ``ValueError``) naming the file, the key and the rule it breaks (missing
            field, unknown book, duplicate name, bad dates).
    """
    return load(path if path is not None else DEFAULT_CHART_FILE, _build_chart)


class _ChartFile(ConfigStruct, frozen=True):
    """The whole ``accounts.toml``."""

    books: Annotated[tuple[Book, ...], msgspec.Meta(min_length=1)]
    accounts: Annotated[tuple[Account, ...], msgspec.Meta(min_length=1)]


def _build_chart(source: Source) -> Chart:
    file = source.decode(_ChartFile)
    books: dict[str, Book] = {}
    for index, book in enumerate(file.books):
        if not _BOOK_NAME.fullmatch(book.name):
            source.fail(
                f"books[{index}].name", f"book name {book.name!r} must be lower-case letters and digits"
            )
        if book.name in books:
            source.fail(f"books[{index}].name", f"book {book.name!r} is defined twice")
        books[book.name] = book
    accounts: dict[str, Account] = {}
    for index, account in enumerate(file.accounts):
        key, name = f"accounts[{index}]", account.name
        segments = name.split(":")
        if len(segments) < 3 or segments[0] not in ROOTS or not all(s[:1].isupper() for s in segments[1:]):
            source.fail(
                f"{key}.name",
                f"account {name!r} must be <{'|'.join(ROOTS)}>:<Book>:<Name>..., "
                "each segment starting with a capital letter",
            )
        if account.book not in books:
            source.fail(
                f"{key}.name", f"account {name!r} names book {account.book!r}, which is not in [[books]]"
            )
        if account.closed is not None and account.closed <= account.opened:
            source.fail(
                f"{key}.closed",
                f"account {name!r} is closed ({account.closed}) before it opens ({account.opened})",
            )
        if name in accounts:
            source.fail(f"{key}.name", f"account {name!r} is defined twice")
        accounts[name] = account
    return Chart(books=MappingProxyType(books), accounts=MappingProxyType(accounts))
