"""Journal rows as typed records, handed out by the repository (entries themselves are
``ledger.core.entries.JournalEntry`` values)."""

from __future__ import annotations

import datetime as dt

from ledger.core.records import Record


class PostingLine(
    Record,
    frozen=True,
    rename={
        "narration": "entry.narration",
        "payee": "entry.payee",
        "cause": "entry.cause",
        "actor": "entry.actor",
        "hash": "entry.hash",
    },
):
    """One posting to an account with the fields of its entry."""

    seq: int
    date: dt.date
    fen: int
    currency: str
    narration: str
    payee: str
    cause: str
    actor: str
    hash: str


class KeptOutcome(Record, frozen=True):
    """A kept ledger check, verification or export (``ledger_check``, without its full report)."""

    id: int
    at: dt.datetime
    ok: bool
    entries: int
    summary: str

    @property
    def at_iso(self) -> str:
        """When it ran, to the second."""
        return self.at.isoformat(timespec="seconds")


class AccountFilter(Record, frozen=True):
    """Which of an account's postings to show: dated from and to (inclusive), caused by a prefix."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    cause: str | None = None
