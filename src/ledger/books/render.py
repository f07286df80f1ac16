"""Journal entries as Beancount text, and back again.

Entries are printed with Beancount's own ``data.Transaction`` and ``printer.format_entry`` under a fixed
display context (two decimals for CNY), so the same entry always prints to the same bytes: the exporter
compares the files with the journal byte for byte, and ``from_transaction`` reads an entry back exactly so
its hash can be recomputed from the files alone.

Layout of one printed entry::

    2025-01-15 * "张三" "火灾爆炸救助 赔付 CL-1" #insurance
      seq: 17
      hash: "3f1c…"
      cause: "claim-payment:17"
      actor: "li.si"
      book: "insurance"
      claim: "CL-1"
      Expenses:Insurance:Claims:FireExplosion   12345.67 CNY
      Liabilities:Insurance:ClaimsPayable      -12345.67 CNY
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from beancount.core import data, display_context
from beancount.core.amount import Amount
from beancount.parser import printer
from beancount.utils.misc_utils import escape_string

from ledger.books._text import RESERVED_KEYS, has_control_characters, text_problems
from ledger.books.chart import Chart
from ledger.core.entries import JournalEntry, Posting
from ledger.core.errors import InvalidInput, LedgerValidationFailed
from ledger.core.money import CURRENCY, from_decimal, to_decimal

#: Pseudo file name of directives built here (Beancount's convention for generated entries).
SOURCE = "<relief-ledger>"
FLAG = "*"
COMMODITY_DATE = dt.date(1990, 1, 1)
MAIN_FILENAME = "main.beancount"


def _cny_display_context() -> display_context.DisplayContext:
    dcontext = display_context.DisplayContext()
    dcontext.update(Decimal("0.01"), CURRENCY)
    return dcontext


#: Built once and never updated, so every amount prints with exactly two decimals.
_DCONTEXT = _cny_display_context()


def year_filename(year: int) -> str:
    """Return the name of the file holding the entries dated in ``year``: ``2025.beancount``."""
    return f"{year:04d}.beancount"


def to_transaction(entry: JournalEntry) -> data.Transaction:
    """Return ``entry`` as a Beancount transaction carrying its journal metadata.

    Args:
        entry: a journal entry (with its ``hash`` set).

    Raises:
        InvalidInput: when the entry's text would not read back unchanged (line breaks, bad link keys).
    """
    problems = text_problems(entry)
    if problems:
        raise InvalidInput(
            f"journal entry {entry.seq} cannot be printed: {'; '.join(problems)}",
            field="entry",
            rule="printable in Beancount",
        )
    meta: dict[str, Any] = {
        "seq": Decimal(entry.seq),
        "hash": entry.hash,
        "cause": entry.cause,
        "actor": entry.actor,
        "book": entry.book,
    }
    meta.update(sorted(entry.links))
    if entry.reverses is not None:
        meta["reverses"] = Decimal(entry.reverses)
    postings = [
        data.Posting(p.account, Amount(to_decimal(p.fen), p.currency), None, None, None, None)
        for p in entry.postings
    ]
    return data.Transaction(
        data.new_metadata(SOURCE, 0, meta),
        entry.date,
        FLAG,
        entry.payee or None,
        entry.narration,
        frozenset({entry.book}),
        data.EMPTY_SET,
        postings,
    )


def render_entry(entry: JournalEntry) -> str:
    """Return the Beancount text of ``entry``, ending with a newline; identical on every call.

    Raises:
        InvalidInput: see ``to_transaction``.
    """
    return printer.format_entry(to_transaction(entry), _DCONTEXT)


def ledger_seq(txn: data.Transaction) -> int | None:
    """Return the journal ``seq`` of a transaction written by the exporter, else ``None``.

    A transaction is ours when it has a positive whole-number ``seq`` and a string ``hash`` metadata.
    """
    seq = txn.meta.get("seq")
    if not isinstance(seq, Decimal) or not isinstance(txn.meta.get("hash"), str):
        return None
    if seq != seq.to_integral_value() or seq < 1:
        return None
    return int(seq)


def from_transaction(txn: data.Transaction) -> JournalEntry:
    """Return the journal entry printed as ``txn``: the exact inverse of ``to_transaction``.

    Args:
        txn: a transaction as loaded from the ledger files.

    Raises:
        LedgerValidationFailed: when ``txn`` is not exactly what ``to_transaction`` prints (missing or
            mistyped metadata, another flag or tag, costs, prices, fractions of a fen ...).
    """
    meta = txn.meta
    seq = ledger_seq(txn)
    if seq is None:
        raise _unlike_export(txn, "it has no journal seq and hash metadata")
    book, cause, actor = meta.get("book"), meta.get("cause"), meta.get("actor")
    if not (isinstance(book, str) and isinstance(cause, str) and isinstance(actor, str)):
        raise _unlike_export(txn, "book, cause and actor metadata must be strings")
    if txn.flag != FLAG or txn.tags != {book} or txn.links:
        raise _unlike_export(txn, "its flag, tags or links differ from what was exported")
    reverses = meta.get("reverses")
    if reverses is not None and not (
        isinstance(reverses, Decimal) and reverses == reverses.to_integral_value()
    ):
        raise _unlike_export(txn, "'reverses' must be a whole number")
    links = []
    for key, value in meta.items():
        if key in RESERVED_KEYS or key.startswith("__"):
            continue
        if not isinstance(value, str):
            raise _unlike_export(txn, f"metadata {key!r} must be a string")
        links.append((key, value))
    return JournalEntry(
        seq=seq,
        date=txn.date,
        book=book,
        payee=txn.payee or "",
        narration=txn.narration or "",
        postings=tuple([_posting(txn, p) for p in txn.postings]),
        cause=cause,
        actor=actor,
        links=tuple(sorted(links)),
        reverses=None if reverses is None else int(reverses),
        hash=meta["hash"],
    )


def _posting(txn: data.Transaction, posting: data.Posting) -> Posting:
    units = posting.units
    if (
        not isinstance(units, Amount)
        or not isinstance(units.number, Decimal)
        or posting.cost is not None
        or posting.price is not None
        or posting.flag is not None
    ):
        raise _unlike_export(txn, f"{posting.account}: the posting is not a plain amount")
    try:
        fen = from_decimal(units.number)
    except InvalidInput as error:
        raise _unlike_export(txn, f"{posting.account}: {error.message}") from None
    return Posting(account=posting.account, fen=fen, currency=units.currency)


def _unlike_export(txn: data.Transaction, reason: str) -> LedgerValidationFailed:
    meta = txn.meta
    seq = meta.get("seq", "?")
    return LedgerValidationFailed(
        f"{meta.get('filename')}:{meta.get('lineno')}: transaction (seq {seq}) is not as exported: {reason}"
    )


def render_main(chart: Chart, title: str, years: Iterable[int]) -> str:
    """Return ``main.beancount``: options, the commodity, one ``open`` per account, closes, includes.

    Args:
        chart: the chart of accounts; each ``open`` carries ``name-cn`` and ``code`` metadata.
        title: the ledger title (Fava derives its URL from it).
        years: the years that have a file; each gets an ``include``.

    Raises:
        ValueError: when ``title`` holds a line break or control character.
    """
    if has_control_characters(title):
        raise ValueError(f"ledger title must be one line of text: {title!r}")
    parts = [
        "; 救助账本 Relief Ledger: generated from ledger/config/accounts.toml by ledger.books.\n"
        "; Do not edit; the year files hold the journal entries.\n"
        f'option "title" "{escape_string(title)}"\n'
        f'option "operating_currency" "{CURRENCY}"\n',
        printer.format_entry(data.Commodity(data.new_metadata(SOURCE, 0), COMMODITY_DATE, CURRENCY)),
    ]
    for book in chart.books.values():
        accounts = [a for a in chart.accounts.values() if a.book == book.name]
        directives: list[data.Directive] = [
            data.Open(
                data.new_metadata(SOURCE, 0, {"name-cn": a.cn, "code": a.code}),
                a.opened,
                a.name,
                [CURRENCY],
                None,
            )
            for a in accounts
        ]
        directives.extend(
            data.Close(data.new_metadata(SOURCE, 0), a.closed, a.name) for a in accounts if a.closed
        )
        header = f"; ── Book {book.name}: {book.cn} ({book.title}) ──\n"
        parts.append(header + "".join(printer.format_entry(d) for d in directives))
    parts.append(
        "; ── Entries, one file per year ──\n"
        + "".join(f'include "{year_filename(y)}"\n' for y in sorted(set(years)))
    )
    return "\n".join(parts)


def year_header(year: int) -> str:
    """Return the comment that opens a new year file (no blank line inside, ends with a newline)."""
    return (
        f"; 救助账本 Relief Ledger: journal entries dated {year}, appended in seq order by the exporter.\n"
        "; Do not edit: every entry is hash-chained to the one before and checked by `ledger check`.\n"
    )
