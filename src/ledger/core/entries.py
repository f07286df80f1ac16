"""The journal's value types and the hash chain that makes the ledger tamper-evident.

A ``JournalEntry`` is what the database journal stores and what the exporter prints into Beancount.
Its hash covers every printed field, so it can be recomputed from the ledger files alone
(``ledger.books.verify``) and any edit, removal, insertion or reordering is located.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from ledger.core.errors import InvalidInput
from ledger.core.money import CURRENCY, Fen

GENESIS_HASH = "0" * 64
BOOKS = ("insurance", "charity", "relief")


class UnbalancedEntry(InvalidInput):
    """The journal entry does not balance or breaks a chart-of-accounts rule."""


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg of an entry.

    Args:
        account: a Beancount account name from the chart of accounts, e.g. ``Assets:Charity:Bank``.
        fen: signed amount in fen; debits positive, credits negative (Beancount's convention).
        currency: ISO currency code.
    """

    account: str
    fen: Fen
    currency: str = CURRENCY


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One balanced, immutable journal entry.

    Args:
        seq: position in the journal, 1, 2, 3, ... with no gaps.
        date: the booking date.
        book: ``insurance``, ``charity`` or ``relief``; every account of the entry belongs to it.
        payee: who is paid or pays (may be empty).
        narration: what happened, in words.
        postings: the legs; they sum to zero per currency.
        cause: what caused the entry, ``<kind>:<id>`` such as ``claim-payment:17``.
        actor: the user name that caused it.
        links: extra metadata linking back to documents (``claim``, ``grant``, ``payment-ref`` ...),
            sorted key/value pairs; keys start with a lower-case letter.
        reverses: the ``seq`` of the entry this one reverses, or ``None``.
        hash: sha256 of the previous entry's hash and this entry's content.
    """

    seq: int
    date: dt.date
    book: str
    payee: str
    narration: str
    postings: tuple[Posting, ...]
    cause: str
    actor: str
    links: tuple[tuple[str, str], ...] = ()
    reverses: int | None = None
    hash: str = ""


def entry_hash(prev_hash: str, entry: JournalEntry) -> str:
    """Return the chained hash of ``entry``.

    Args:
        prev_hash: the hash of the entry with ``seq - 1`` (``GENESIS_HASH`` for the first).
        entry: the entry; its own ``hash`` field is ignored.
    """
    content = [
        prev_hash,
        entry.seq,
        entry.date.isoformat(),
        entry.book,
        entry.payee,
        entry.narration,
        [[p.account, p.fen, p.currency] for p in entry.postings],
        entry.cause,
        entry.actor,
        [list(pair) for pair in sorted(entry.links)],
        entry.reverses,
    ]
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
