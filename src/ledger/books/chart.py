"""The chart of accounts (``ledger/config/accounts.toml``) and the rules an entry must meet to be booked.

The chart is data: two books told apart by the second account segment (``Assets:Charity:Bank`` belongs to
``charity``), English Beancount names with Chinese names and statutory codes. ``Chart.problems`` holds the
pure checks an entry must pass before it is committed, so that ``bean-check`` passes once it is exported.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ledger.books._text import text_problems
from ledger.core.entries import JournalEntry
from ledger.core.errors import InvalidInput
from ledger.core.money import CURRENCY, format_amount

#: Beancount's five root account types.
ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")
#: A book name is also a Beancount tag and, capitalised, an account segment.
_BOOK_NAME = re.compile(r"[a-z][a-z0-9]*")


@dataclass(frozen=True, slots=True)
class Book:
    """One self-balancing book of the ledger.

    Args:
        name: the lower-case book name used in entries (``insurance``, ``charity``); capitalised, it is
            the second segment of every account of the book.
        cn: the Chinese name (政府救助责任保险).
        title: the English title.
    """

    name: str
    cn: str
    title: str


@dataclass(frozen=True, slots=True)
class Account:
    """One account of the chart.

    Args:
        name: the Beancount account name, e.g. ``Assets:Charity:Bank``.
        cn: the Chinese name printed as ``name-cn`` metadata on the ``open`` directive.
        code: the statutory account code (会计科目编码), printed as ``code`` metadata.
        book: the name of the book the account belongs to (its second segment, lower-cased).
        opened: the first date the account may be posted to.
        closed: the first date it may no longer be posted to, or ``None`` while it is in use.
    """

    name: str
    cn: str
    code: str
    book: str
    opened: dt.date
    closed: dt.date | None = None

    def is_open(self, on: dt.date) -> bool:
        """Return whether the account may be posted to on ``on``."""
        return self.opened <= on and (self.closed is None or on < self.closed)


@dataclass(frozen=True, slots=True)
class Chart:
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
    """Read and validate the chart of accounts.

    Args:
        path: a TOML file with ``[[books]]`` and ``[[accounts]]`` tables; ``None`` for the packaged
            ``ledger/config/accounts.toml``.

    Raises:
        ValueError: when the file breaks a rule (missing field, unknown book, duplicate name, bad dates).
    """
    if path is None:
        text = resources.files("ledger").joinpath("config", "accounts.toml").read_text(encoding="utf-8")
        source = "ledger/config/accounts.toml"
    else:
        text = path.read_text(encoding="utf-8")
        source = str(path)
    return parse_chart(tomllib.loads(text), source=source)


def parse_chart(document: Mapping[str, Any], *, source: str = "<chart>") -> Chart:
    """Build a ``Chart`` from the parsed TOML ``document``; ``source`` names it in error messages.

    Raises:
        ValueError: see ``load_chart``.
    """
    books: dict[str, Book] = {}
    for table in document.get("books", []):
        book = Book(
            name=_string(table, "name", source),
            cn=_string(table, "cn", source),
            title=_string(table, "title", source),
        )
        if not _BOOK_NAME.fullmatch(book.name):
            raise ValueError(f"{source}: book name {book.name!r} must be lower-case letters and digits")
        if book.name in books:
            raise ValueError(f"{source}: book {book.name!r} is defined twice")
        books[book.name] = book
    accounts: dict[str, Account] = {}
    for table in document.get("accounts", []):
        account = _account(table, books, source)
        if account.name in accounts:
            raise ValueError(f"{source}: account {account.name!r} is defined twice")
        accounts[account.name] = account
    if not books or not accounts:
        raise ValueError(f"{source}: the chart needs at least one book and one account")
    return Chart(books=MappingProxyType(books), accounts=MappingProxyType(accounts))


def _account(table: Mapping[str, Any], books: Mapping[str, Book], source: str) -> Account:
    name = _string(table, "name", source)
    segments = name.split(":")
    if len(segments) < 3 or segments[0] not in ROOTS or not all(s[:1].isupper() for s in segments[1:]):
        raise ValueError(
            f"{source}: account {name!r} must be <{'|'.join(ROOTS)}>:<Book>:<Name>..., "
            "each segment starting with a capital letter"
        )
    book = segments[1].lower()
    if book not in books:
        raise ValueError(f"{source}: account {name!r} names book {book!r}, which is not in [[books]]")
    opened = _date(table, "opened", source)
    closed = _date(table, "closed", source) if "closed" in table else None
    if closed is not None and closed <= opened:
        raise ValueError(f"{source}: account {name!r} is closed ({closed}) before it opens ({opened})")
    return Account(
        name=name,
        cn=_string(table, "cn", source),
        code=_string(table, "code", source),
        book=book,
        opened=opened,
        closed=closed,
    )


def _string(table: Mapping[str, Any], key: str, source: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{source}: {key!r} must be a non-empty string in {dict(table)!r}")
    return value


def _date(table: Mapping[str, Any], key: str, source: str) -> dt.date:
    value = table.get(key)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(f"{source}: {key!r} must be a TOML date such as 2020-01-01 in {dict(table)!r}")
    return value
