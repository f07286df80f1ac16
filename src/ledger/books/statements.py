"""What statements need from the loaded ledger: turnover per account, sums by link, entries of a period.

Reports may not import Beancount; these functions walk the loaded directives once each and hand back
plain values (fen, ``JournalEntry``). ``load_checked`` loads the files once and runs the same checks as
``check_ledger`` on that one load, so a statement costs one Beancount load, not two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from beancount.core import data

from ledger.books.check import CheckReport, JournalSummary, check_loaded
from ledger.books.query import LoadedLedger, cny_number, load, paused_gc
from ledger.books.render import from_transaction
from ledger.core.entries import JournalEntry
from ledger.core.errors import LedgerValidationFailed
from ledger.core.money import Fen, from_decimal


@dataclass(frozen=True, slots=True)
class Turnover:
    """One account over a period, in fen (debits positive, as Beancount signs them).

    Args:
        opening: the balance before the period.
        debit: the sum of the positive postings in the period.
        credit: the sum of the negative postings in the period, as a positive number.
    """

    opening: Fen = 0
    debit: Fen = 0
    credit: Fen = 0

    @property
    def closing(self) -> Fen:
        """The balance at the end of the period."""
        return self.opening + self.debit - self.credit


def load_checked(directory: Path, journal: JournalSummary) -> tuple[LoadedLedger, CheckReport]:
    """Load the ledger once (with ``bean-check``'s validations) and check it on that load.

    Args:
        directory: the ledger directory.
        journal: what the database journal says the files must hold.

    Returns:
        The loaded ledger and the same report ``check_ledger`` would give.
    """
    with paused_gc():
        loaded = load(directory, hardcore=True)
    report = check_loaded(directory, loaded, journal)
    return loaded, report


def _book_of(account: str) -> str:
    parts = account.split(":")
    return parts[1].lower() if len(parts) > 1 else ""


def _postings(
    entries: Iterable[data.Directive], book: str | None, end: dt.date | None
) -> Iterator[tuple[data.Transaction, str, Fen]]:
    """Yield (transaction, account, fen) of every CNY posting of ``book`` dated on or before ``end``."""
    for entry in entries:
        if not isinstance(entry, data.Transaction) or (end is not None and entry.date > end):
            continue
        for posting in entry.postings:
            number = cny_number(posting)
            if number is not None and (book is None or _book_of(posting.account) == book):
                yield entry, posting.account, from_decimal(number)


def turnover(
    entries: Iterable[data.Directive], book: str, start: dt.date, end: dt.date
) -> dict[str, Turnover]:
    """Return account -> opening balance, debits and credits of ``[start, end]``, for one book.

    Args:
        entries: loaded directives.
        book: ``insurance`` / ``charity``.
        start: first day of the period.
        end: last day of the period.
    """
    sums: dict[str, list[int]] = {}
    for entry, account, fen in _postings(entries, book, end):
        row = sums.setdefault(account, [0, 0, 0])
        if entry.date < start:
            row[0] += fen
        elif fen > 0:
            row[1] += fen
        else:
            row[2] -= fen
    return {account: Turnover(*row) for account, row in sums.items()}


def sums(
    entries: Iterable[data.Directive],
    book: str | None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    exclude_causes: tuple[str, ...] = (),
) -> dict[str, Fen]:
    """Return account -> sum of the postings dated in ``[start, end]`` (``None``: unbounded).

    Args:
        entries: loaded directives.
        book: the book, or ``None`` for every book.
        start: first day, or ``None``.
        end: last day, or ``None``.
        exclude_causes: leave out entries whose ``cause`` starts with one of these (``period-close:``).
    """
    totals: dict[str, int] = {}
    for entry, account, fen in _postings(entries, book, end):
        if start is not None and entry.date < start:
            continue
        if exclude_causes and str(entry.meta.get("cause", "")).startswith(exclude_causes):
            continue
        totals[account] = totals.get(account, 0) + fen
    return totals


def link_sums(
    entries: Iterable[data.Directive],
    *,
    key: str,
    cause: str,
    account_prefix: str,
    end: dt.date | None = None,
) -> dict[str, Fen]:
    """Return link value -> sum of postings to ``account_prefix*`` of the entries caused by ``cause*``.

    E.g. ``key="claim", cause="claim-payment:", account_prefix="Expenses:Insurance:Claims:"`` gives what
    the ledger paid on each claim (reversals carry the same links and cancel out).

    Args:
        entries: loaded directives.
        key: the metadata key that links an entry to its document (``claim``, ``grant``).
        cause: the cause prefix of the entries to count.
        account_prefix: the accounts whose postings count.
        end: only entries dated on or before this day; ``None`` for all.
    """
    totals: dict[str, int] = {}
    for entry, account, fen in _postings(entries, None, end):
        link = entry.meta.get(key)
        if (
            isinstance(link, str)
            and account.startswith(account_prefix)
            and str(entry.meta.get("cause", "")).startswith(cause)
        ):
            totals[link] = totals.get(link, 0) + fen
    return totals


def journal_entries(
    entries: Iterable[data.Directive],
    *,
    book: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    seq: int | None = None,
) -> list[JournalEntry]:
    """Return the exported journal entries among the loaded directives, in ``seq`` order.

    Transactions that no longer read back as exported are left out: the chain check names them.

    Args:
        entries: loaded directives.
        book: only this book.
        start: only entries dated on or after this day.
        end: only entries dated on or before this day.
        seq: only the entry with this journal number.
    """
    found: list[JournalEntry] = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if (start is not None and entry.date < start) or (end is not None and entry.date > end):
            continue
        if book is not None and entry.meta.get("book") != book:
            continue
        try:
            journal_entry = from_transaction(entry)
        except LedgerValidationFailed:
            continue
        if seq is None or journal_entry.seq == seq:
            found.append(journal_entry)
    found.sort(key=lambda e: e.seq)
    return found


__all__ = ["Turnover", "journal_entries", "link_sums", "load_checked", "sums", "turnover"]
