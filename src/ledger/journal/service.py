"""Posting to the journal, reversing, exporting to the Beancount files and checking them.

``post`` runs inside the caller's write transaction, so an entry commits or rolls back with the state
change that caused it. The export to the files happens after the commit; if the process dies in
between, the next export (after any commit, at startup, by the scheduled job or by hand) catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ledger import db
from ledger.books import (
    CheckReport,
    ExportResult,
    JournalSummary,
    LedgerFiles,
    check_ledger,
    export,
    load_chart,
)
from ledger.books.chart import Chart
from ledger.config import Settings
from ledger.core import clock
from ledger.core.entries import GENESIS_HASH, JournalEntry, Posting, entry_hash
from ledger.core.errors import Conflict, InvalidInput, NotFound
from ledger.journal.repository import JournalRepository, LedgerCheckRepository

log = logging.getLogger("ledger.journal")
JOURNAL_LOCK = "journal-append"
EXPORT_LOCK = "ledger-export"


@lru_cache(maxsize=1)
def chart() -> Chart:
    """The chart of accounts, read once per process."""
    return load_chart()


class UnbalancedEntry(InvalidInput):
    """The journal entry does not balance or breaks a chart-of-accounts rule."""


async def post(
    *,
    date: dt.date,
    book: str,
    narration: str,
    postings: Sequence[Posting],
    cause: str,
    actor: str,
    payee: str = "",
    links: Mapping[str, str] | None = None,
    reverses: int | None = None,
) -> JournalEntry:
    """Append a balanced entry to the journal inside the caller's write transaction.

    Args:
        date: the booking date.
        book: ``insurance`` or ``charity``; every posting's account must belong to it.
        narration: what happened.
        postings: the legs, summing to zero per currency, in whole fen.
        cause: what caused it, ``<kind>:<id>`` (``claim-payment:17``).
        actor: the user name behind it.
        payee: who is paid or pays.
        links: metadata linking back to documents (``claim``, ``grant``, ``payment-ref`` ...).
        reverses: the ``seq`` this entry reverses.

    Raises:
        UnbalancedEntry: naming the rule the entry breaks; nothing is written.
    """
    await db.serialize(JOURNAL_LOCK)
    repo = JournalRepository()
    head = await repo.head()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    draft = JournalEntry(
        seq=seq,
        date=date,
        book=book,
        payee=payee,
        narration=narration,
        postings=tuple(postings),
        cause=cause,
        actor=actor,
        links=tuple(sorted((links or {}).items())),
        reverses=reverses,
    )
    problems = chart().problems(draft)
    if problems:
        raise UnbalancedEntry(
            "; ".join(problems), field="postings", rule="balanced entry on open accounts of one book"
        )
    entry = JournalEntry(**{**_fields(draft), "hash": entry_hash(prev_hash, draft)})
    await repo.add([entry], clock.now())
    return entry


async def reverse(seq: int, *, reason: str, actor: str, date: dt.date | None = None) -> JournalEntry:
    """Post the reversing entry of ``seq`` (same legs, opposite signs) inside the caller's transaction.

    Raises:
        NotFound: no entry ``seq``.
        Conflict: ``seq`` is itself a reversal or was already reversed.
    """
    repo = JournalRepository()
    original = await repo.entry(seq)
    if original is None:
        raise NotFound(f"journal entry {seq} does not exist", field="seq")
    if original.reverses is not None:
        raise Conflict(
            f"entry {seq} is a reversal; post a new entry instead",
            field="seq",
            rule="no reversal of reversal",
        )
    already = await repo.reversal_of(seq)
    if already is not None:
        raise Conflict(
            f"entry {seq} was already reversed by entry {already}", field="seq", rule="reverse once"
        )
    if not reason.strip():
        raise InvalidInput("a reversal needs a reason", field="reason", rule="not empty")
    return await post(
        date=date or clock.today(),
        book=original.book,
        payee=original.payee,
        narration=f"冲销 #{seq}: {reason.strip()}",
        postings=[Posting(p.account, -p.fen, p.currency) for p in original.postings],
        cause=original.cause,
        actor=actor,
        links=dict(original.links),
        reverses=seq,
    )


def _fields(entry: JournalEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in JournalEntry.__dataclass_fields__}


async def balances(book: str | None, as_of: dt.date | None = None) -> dict[str, int]:
    """Account -> balance in fen from the journal, for one book (or all) up to ``as_of``."""
    if book is not None and chart().books.get(book) is None:
        raise InvalidInput(f"unknown book {book!r}", field="book", rule="known book")
    return await JournalRepository().sums(book=book, as_of=as_of)


@dataclass(frozen=True, slots=True)
class AccountPage:
    """A page of an account's journal.

    Args:
        opening: the balance before the first line of the page.
        lines: posting rows with their entry's fields.
        running: the balance after each line.
        total: how many lines match in all.
    """

    opening: int
    lines: list[dict[str, Any]]
    running: list[int]
    total: int


async def account_journal(
    account: str,
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    cause: str | None,
    limit: int,
    offset: int,
) -> AccountPage:
    """A page of ``account``'s postings with running balances (the balance starts before ``date_from``)."""
    chart().account(account)
    repo = JournalRepository()
    lines, total = await repo.account_lines(
        account, date_from=date_from, date_to=date_to, cause=cause, limit=limit, offset=offset
    )
    opening = await repo.opening_balance(account, date_from) if date_from else 0
    if offset and lines:
        earlier, _ = await repo.account_lines(
            account, date_from=date_from, date_to=date_to, cause=cause, limit=offset, offset=0
        )
        opening += sum(int(row["fen"]) for row in earlier)
    running: list[int] = []
    balance = opening
    for line in lines:
        balance += int(line["fen"])
        running.append(balance)
    return AccountPage(opening=opening, lines=lines, running=running, total=total)


class _DatabaseJournal:
    """The database journal as the exporter's ``JournalSource``."""

    def __init__(self) -> None:
        self.repo = JournalRepository()

    async def entries_after(self, seq: int, limit: int) -> Sequence[JournalEntry]:
        return await self.repo.entries_after(seq, limit)

    async def entry(self, seq: int) -> JournalEntry | None:
        return await self.repo.entry(seq)


@dataclass(frozen=True, slots=True)
class Ledger:
    """The Beancount ledger of one installation.

    Args:
        directory: where ``main.beancount`` and the year files live.
        title: the ``title`` option (Fava shows it).
    """

    directory: Path
    title: str

    @classmethod
    def of(cls, settings: Settings) -> Ledger:
        """The ledger that ``settings`` name."""
        return cls(directory=settings.resolved_ledger_dir, title=settings.ledger_title)

    @property
    def files(self) -> LedgerFiles:
        """The ledger directory's files."""
        return LedgerFiles(self.directory)

    @contextlib.asynccontextmanager
    async def _writer_lock(self) -> AsyncIterator[None]:
        """One exporter at a time across processes, reading the journal through one connection.

        PostgreSQL: an advisory lock held by the export's transaction (several hosts may share the
        database). SQLite: a file lock beside the ledger, and a read-only (deferred) transaction, which
        in WAL mode blocks no writer while sparing a new connection per query.
        """
        engine = db.current_engine()
        if db.is_postgres():
            async with engine.transaction():
                await db.serialize(EXPORT_LOCK)
                yield
        else:
            async with self.files.file_lock(), engine.transaction():
                yield

    async def export(self) -> ExportResult:
        """Append every journal entry not yet in the files, exactly once; repair a torn last write."""
        result = await export(self.files, _DatabaseJournal(), chart(), self.title, self._writer_lock())
        for message in result.repaired:
            log.warning("ledger export repaired a torn write: %s", message)
        return result

    async def export_quietly(self) -> ExportResult | None:
        """Export after a commit: a failure is logged, never raised, since the commit already stands.

        The scheduled export and the next commit retry; ``ledger check`` reports what is missing meanwhile.
        Inside a unit of work (a keyed request) the commit is still to come: the export waits for it.
        """
        if db.after_commit(self.export_quietly):
            return None
        try:
            return await self.export()
        except Exception:
            log.exception("ledger export failed; it will be retried")
            return None

    async def health(self) -> dict[str, Any]:
        """A cheap status for ``/health``: journal head, what the files hold, the last kept check."""
        head = await JournalRepository().head()
        kept = await LedgerCheckRepository().latest()
        journal_seq = head[0] if head else 0
        exported_seq = self.files.exported_seq()
        return {
            "journal_seq": journal_seq,
            "exported_seq": exported_seq,
            "in_sync": journal_seq == exported_seq,
            "last_check": None if kept is None else {"at": kept["at"].isoformat(), "ok": kept["ok"]},
        }

    async def summary(self) -> JournalSummary:
        """What the journal says the files must hold."""
        repo = JournalRepository()
        return JournalSummary(count=await repo.count(), sums=await repo.sums(), hashes=await repo.hashes())

    async def check(self, *, keep: bool = False) -> CheckReport:
        """Validate the files with Beancount, verify the hash chain and reconcile them with the journal.

        Args:
            keep: store the result (the nightly job does, so auditors see when it last passed).
        """
        # A new installation has no files until its first export; an empty ledger is still a ledger.
        self.files.ensure_main(chart(), self.title)
        summary = await self.summary()
        # Loading a large ledger takes seconds of CPU: keep the event loop serving meanwhile.
        report = await asyncio.to_thread(check_ledger, self.directory, summary)
        if keep:
            async with db.write_transaction():
                await LedgerCheckRepository().add(
                    at=clock.now(),
                    ok=report.ok,
                    entries=summary.count,
                    head_hash=report.chain.head_hash,
                    report=report.to_dict(),
                )
        return report
