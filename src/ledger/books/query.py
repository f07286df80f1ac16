"""Loading the ledger and asking it questions: balances and account postings, in fen.

Reports use these to cross-check the database against the files. Beancount's pickle cache is never used:
it would write ``.main.beancount.picklecache`` beside the ledger.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data, realization
from beancount.core.amount import Amount
from beancount.ops import validation

from ledger.books.render import MAIN_FILENAME, ledger_seq
from ledger.core.entries import BOOKS
from ledger.core.errors import InvalidInput
from ledger.core.money import CURRENCY, Fen, from_decimal


@dataclass(frozen=True, slots=True)
class LoadedLedger:
    """What Beancount's loader returns for the ledger.

    Args:
        entries: all directives, sorted by date as Beancount sorts them.
        errors: Beancount's errors (``message``, ``source`` with ``filename`` and ``lineno``).
        options: Beancount's options map.
    """

    entries: list[data.Directive]
    errors: list[data.BeancountError]
    options: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PostingRow:
    """One posting to an account, with the account's balance after it.

    Args:
        date: the entry date.
        seq: the journal ``seq`` of the entry (``None`` for a transaction the exporter did not write).
        payee: the entry's payee ("" when none).
        narration: the entry's narration.
        fen: the posting amount.
        balance: the account balance after this posting, in fen.
    """

    date: dt.date
    seq: int | None
    payee: str
    narration: str
    fen: Fen
    balance: Fen


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while loading and walking a ledger.

    Beancount's loader allocates millions of long-lived objects and no reference cycles; the collector
    would traverse them again and again (a fifth of the time of a 100,000-entry load, with the same
    peak memory). It is restored on exit, also when nested.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(directory: Path, *, hardcore: bool = False) -> LoadedLedger:
    """Load ``<directory>/main.beancount`` without Beancount's pickle cache.

    Args:
        directory: the ledger directory.
        hardcore: also run the slow data-type validations ``bean-check`` runs.
    """
    # The same switch ``bean-check --no-cache`` uses: no cache is read or written, and a stale
    # ``.picklecache`` beside the file is deleted. Relief Ledger never wants the cache, so it stays off.
    loader.initialize(use_cache=False)
    with paused_gc():
        entries, errors, options = loader.load_file(
            directory / MAIN_FILENAME,
            extra_validations=validation.HARDCORE_VALIDATIONS if hardcore else None,
        )
    return LoadedLedger(entries=entries, errors=errors, options=options)


def balances(
    entries: Iterable[data.Directive], book: str | None = None, as_of: dt.date | None = None
) -> dict[str, Fen]:
    """Return the CNY balance of every account that has postings, in fen, by Beancount's realization.

    Args:
        entries: loaded directives.
        book: only accounts of this book (``insurance`` / ``charity``); ``None`` for both.
        as_of: only directives dated on or before this day; ``None`` for all.

    Raises:
        InvalidInput: when ``book`` is not a book of the ledger.
    """
    if book is not None and book not in BOOKS:
        raise InvalidInput(f"unknown book {book!r}", field="book", rule=f"one of {', '.join(BOOKS)}")
    dated = [e for e in entries if as_of is None or e.date <= as_of]
    return {
        real.account: from_decimal(real.balance.get_currency_units(CURRENCY).number)
        for real in realization.iter_children(realization.realize(dated))
        if any(isinstance(p, data.TxnPosting) for p in real.txn_postings)
        and (book is None or real.account.split(":")[1].lower() == book)
    }


def account_postings(
    entries: Iterable[data.Directive],
    account: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[PostingRow]:
    """Return the CNY postings to ``account`` in date order, with the running balance.

    Args:
        entries: loaded directives (date-sorted, as the loader returns them).
        account: the account name.
        start: first day to list (the balance still counts earlier postings); ``None`` from the start.
        end: last day to list; ``None`` to the end.
    """
    rows: list[PostingRow] = []
    balance = 0
    for entry in entries:
        if not isinstance(entry, data.Transaction) or (end is not None and entry.date > end):
            continue
        for posting in entry.postings:
            number = cny_number(posting)
            if posting.account != account or number is None:
                continue
            fen = from_decimal(number)
            balance += fen
            if start is None or entry.date >= start:
                rows.append(
                    PostingRow(
                        date=entry.date,
                        seq=ledger_seq(entry),
                        payee=entry.payee or "",
                        narration=entry.narration or "",
                        fen=fen,
                        balance=balance,
                    )
                )
    return rows


def cny_number(posting: data.Posting) -> Decimal | None:
    """Return the CNY amount of a loaded posting, ``None`` for another currency or a missing amount."""
    units = posting.units
    if isinstance(units, Amount) and units.currency == CURRENCY and isinstance(units.number, Decimal):
        return units.number
    return None


def transactions(entries: Iterable[data.Directive]) -> list[data.Transaction]:
    """Return the transactions among ``entries`` in file order (file name, then line)."""
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    txns.sort(key=lambda t: (t.meta["filename"], t.meta["lineno"]))
    return txns
