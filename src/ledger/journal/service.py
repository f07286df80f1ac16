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
    ChainReport,
    CheckReport,
    ExportResult,
    JournalSummary,
    LedgerFiles,
    check_ledger,
    complete_seq,
    export,
    load_chart,
)
from ledger.books.chart import Chart
from ledger.config import Settings
from ledger.core import clock
from ledger.core.entries import GENESIS_HASH, JournalEntry, Posting, UnbalancedEntry, entry_hash
from ledger.core.errors import Conflict, InvalidInput, LedgerValidationFailed, NotFound
from ledger.journal.records import AccountFilter, KeptOutcome, PostingLine
from ledger.journal.repository import JournalRepository, LedgerCheckRepository
from ledger.platform.domain import Principal
from ledger.platform.service import record_audit

log = logging.getLogger("ledger.journal")
JOURNAL_LOCK = "journal-append"
INSERT_CHUNK = 1000
"""Entries inserted per statement: 1,000 entries of 11 values and their postings stay far below the
32,767 values asyncpg binds to one statement."""
EXPORT_LOCK = "ledger-export"


@lru_cache(maxsize=1)
def chart() -> Chart:
    """The chart of accounts, read once per process."""
    return load_chart()


@dataclass(frozen=True, slots=True)
class Draft:
    """An entry to post; ``post`` documents each field."""

    date: dt.date
    book: str
    narration: str
    postings: Sequence[Posting]
    cause: str
    actor: str
    payee: str = ""
    links: Mapping[str, str] | None = None
    reverses: int | None = None


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
        book: ``insurance``, ``charity`` or ``relief``; every posting's account must belong to it.
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
    draft = Draft(date, book, narration, postings, cause, actor, payee, links, reverses)
    return (await post_many([draft]))[0]


async def post_many(drafts: Sequence[Draft]) -> list[JournalEntry]:
    """Append several entries, numbered and chained in order, in two statements, inside the caller's
    write transaction: for a month's relief cycle of thousands of households.

    Raises:
        UnbalancedEntry: naming the first entry's rule broken (by its cause); nothing is written.
    """
    await db.serialize(JOURNAL_LOCK)
    repo = JournalRepository()
    head = await repo.head()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    entries: list[JournalEntry] = []
    for item in drafts:
        draft = JournalEntry(
            seq=seq,
            date=item.date,
            book=item.book,
            payee=item.payee,
            narration=item.narration,
            postings=tuple(item.postings),
            cause=item.cause,
            actor=item.actor,
            links=tuple(sorted((item.links or {}).items())),
            reverses=item.reverses,
        )
        problems = chart().problems(draft)
        if problems:
            where = f"{item.cause}: " if len(drafts) > 1 else ""
            raise UnbalancedEntry(
                where + "; ".join(problems),
                field="postings",
                rule="balanced entry on open accounts of one book",
            )
        prev_hash = entry_hash(prev_hash, draft)
        entries.append(JournalEntry(**{**_fields(draft), "hash": prev_hash}))
        seq += 1
    now = clock.now()
    for start in range(0, len(entries), INSERT_CHUNK):  # asyncpg binds at most 32,767 values a statement
        await repo.add(entries[start : start + INSERT_CHUNK], now)
    return entries


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
    lines: list[PostingLine]
    running: list[int]
    total: int


async def account_journal(account: str, where: AccountFilter, *, limit: int, offset: int) -> AccountPage:
    """A page of ``account``'s postings with running balances (the balance starts before ``date_from``)."""
    chart().account(account)
    repo = JournalRepository()
    lines, total = await repo.account_lines(account, where, limit=limit, offset=offset)
    opening = await repo.opening_balance(account, where.date_from) if where.date_from else 0
    if offset and lines:
        earlier, _ = await repo.account_lines(account, where, limit=offset, offset=0)
        opening += sum(row.fen for row in earlier)
    running: list[int] = []
    balance = opening
    for line in lines:
        balance += line.fen
        running.append(balance)
    return AccountPage(opening=opening, lines=lines, running=running, total=total)


#: How long committed entries may wait for the export before ``/health`` reports the files behind.
EXPORT_LAG_GRACE = dt.timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class LedgerHealth:
    """What ``/health`` says about the ledger.

    Args:
        journal_seq: the journal's last ``seq`` (0 when empty).
        exported_seq: the ``seq`` up to which the files hold every entry whole (a torn last block does
            not count); ``None`` when they cannot be read.
        lag_entries: how many committed entries the files do not hold yet.
        lag_seconds: how long ago the oldest of them was committed (0 when none).
        last_check: the latest kept check (``at``, ``ok``), if any.
        last_verify: the latest kept verification, if any.
        export_failure: the latest failed export (``at``, ``ok``, ``summary``), unless one succeeded since.
        reasons: why the ledger is degraded, each ``<code>: <sentence>``; empty when all is well.
    """

    journal_seq: int
    exported_seq: int | None
    lag_entries: int
    lag_seconds: int
    last_check: dict[str, Any] | None
    last_verify: dict[str, Any] | None
    export_failure: dict[str, Any] | None
    reasons: list[str]

    def to_dict(self) -> dict[str, Any]:
        """The status as JSON-serialisable data (without ``reasons``, which ``/health`` lists on top)."""
        return {
            "journal_seq": self.journal_seq,
            "exported_seq": self.exported_seq,
            "in_sync": self.exported_seq == self.journal_seq,
            "lag_entries": self.lag_entries,
            "lag_seconds": self.lag_seconds,
            "last_check": self.last_check,
            "last_verify": self.last_verify,
            "export_failure": self.export_failure,
        }


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
        """Append every journal entry not yet in the files, exactly once; repair a torn last write.

        A failure is logged with its context and kept for ``/health`` before it is raised again; the
        next export that succeeds clears it.
        """
        try:
            # In a task of its own: when the database drops mid-export, Piccolo can leave the broken
            # transaction current in the task that ran it (its exit raised before resetting it), and
            # keeping the failure below must not inherit it.
            result = await asyncio.create_task(
                export(self.files, _DatabaseJournal(), chart(), self.title, self._writer_lock())
            )
        except Exception as exc:
            await self._export_failed(exc)
            raise
        for message in result.repaired:
            log.warning("ledger export repaired a torn write: %s", message)
        await self._export_succeeded(result)
        return result

    async def export_quietly(self) -> ExportResult | None:
        """Export after a commit: a failure is not raised, since the commit already stands.

        ``export`` has logged and kept the failure; the next commit and the hourly job retry, and
        ``/health`` reports the files behind meanwhile. Inside a unit of work (a keyed request) the
        commit is still to come: the export waits for it.
        """
        if db.after_commit(self.export_quietly):
            return None
        with contextlib.suppress(Exception):
            return await self.export()
        return None

    async def _export_failed(self, error: Exception) -> None:
        """Log a failed export with where the journal and the files stand, and keep it for ``/health``."""
        journal_seq = exported_seq = None
        with contextlib.suppress(OSError):  # the files may be what failed
            exported_seq = self.files.exported_seq()
        with contextlib.suppress(Exception):  # or the database; else a torn last entry is not counted
            head = await JournalRepository().head()
            journal_seq = head[0] if head else 0
            exported_seq, _ = await self._exported_seq()
        log.error(
            "ledger export to %s failed (journal at seq %s, files at seq %s): %s",
            self.directory,
            journal_seq,
            exported_seq,
            error,
            exc_info=error,
        )
        try:
            await self._keep(
                "export",
                ok=False,
                entries=exported_seq or 0,
                summary=_failure_summary(error),
                report={
                    "error": f"{type(error).__name__}: {error}",
                    "directory": str(self.directory),
                    "journal_seq": journal_seq,
                    "exported_seq": exported_seq,
                },
            )
        except Exception as keeping:  # the export's own error is what matters
            log.error("could not keep the failed ledger export for /health: %s", keeping)

    async def _export_succeeded(self, result: ExportResult) -> None:
        """After a failure was kept, keep the success that clears it (nothing is kept otherwise)."""
        try:
            last = await LedgerCheckRepository().latest("export")
            if last is None or last.ok:
                return
            summary = f"caught up: appended {result.appended}, files at seq {result.last_seq}"
            await self._keep(
                "export", ok=True, entries=result.last_seq, summary=summary, report={"summary": summary}
            )
            log.info("ledger export %s, after the failure kept at %s", summary, last.at_iso)
        except Exception as keeping:  # the export itself succeeded
            log.error("could not keep the recovered ledger export for /health: %s", keeping)

    async def _keep(
        self,
        kind: str,
        *,
        ok: bool,
        entries: int,
        summary: str,
        report: dict[str, Any],
        head_hash: str = "",
    ) -> None:
        """Store an outcome for ``/health`` and auditors (see ``LedgerCheckRepository.add``)."""
        async with db.write_transaction():
            await LedgerCheckRepository().add(
                kind=kind,
                at=clock.now(),
                ok=ok,
                entries=entries,
                head_hash=head_hash,
                summary=summary,
                report=report,
            )

    async def health(self, *, lag_grace: dt.timedelta = EXPORT_LAG_GRACE) -> LedgerHealth:
        """A cheap status for ``/health``: the kept outcomes and how far the files trail the journal.

        Reads the journal head, three kept rows, the tails of the year files and the journal entries
        they end with (a torn or edited last block shows here); never the whole ledger.

        Args:
            lag_grace: how long committed entries may wait for their export before the files count as
                behind (each commit exports at once, so a moment's lag is normal).
        """
        repo, kept = JournalRepository(), LedgerCheckRepository()
        head = await repo.head()
        journal_seq = head[0] if head else 0
        check, verify, exported = [await kept.latest(kind) for kind in ("check", "verify", "export")]
        exported_seq, files_problem = await self._exported_seq()
        lag = max(journal_seq - exported_seq, 0) if exported_seq is not None else 0
        waited = 0
        if lag and exported_seq is not None:
            committed = await repo.created_at(exported_seq + 1)
            waited = max(int((clock.now() - committed).total_seconds()), 0) if committed else 0
        failure = exported if exported is not None and not exported.ok else None
        reasons = _kept_reasons(check, verify, failure)
        if exported_seq is not None and exported_seq > journal_seq:
            reasons.append(
                f"ledger-files-ahead: the files hold seq {exported_seq}, "
                f"the journal ends at seq {journal_seq}"
            )
        elif files_problem:  # an entry the journal lacks is "ahead" rather than "edited"
            reasons.append(files_problem)
        elif lag and waited > lag_grace.total_seconds():
            reasons.append(
                f"ledger-export-behind: the files are {lag} entries behind the journal; the oldest "
                f"waiting entry was committed {waited} s ago"
            )
        return LedgerHealth(
            journal_seq=journal_seq,
            exported_seq=exported_seq,
            lag_entries=lag,
            lag_seconds=waited,
            last_check=_outcome(check),
            last_verify=_outcome(verify),
            export_failure=_outcome(failure),
            reasons=reasons,
        )

    async def _exported_seq(self) -> tuple[int | None, str | None]:
        """The ``seq`` up to which the files hold complete entries, and the reason their tails are wrong.

        Returns ``(None, reason)`` for unreadable files, and the highest ``seq`` with a reason when a last
        block is not a (possibly torn) copy of its journal entry.
        """
        try:
            return await complete_seq(self.files, _DatabaseJournal()), None
        except OSError as error:
            return None, f"ledger-files-unreadable: {error.strerror or type(error).__name__}"
        except LedgerValidationFailed:
            return self.files.exported_seq(), (
                "ledger-files-edited: the last entry of a year file differs from the journal; "
                "run `relief-ledger ledger check`"
            )

    async def summary(self) -> JournalSummary:
        """What the journal says the files must hold."""
        repo = JournalRepository()
        return JournalSummary(count=await repo.count(), sums=await repo.sums(), hashes=await repo.hashes())

    async def check(self) -> CheckReport:
        """Validate the files with Beancount, verify the hash chain and reconcile them with the journal.

        The result is kept, whoever runs it (the nightly job, ``relief-ledger ledger check``,
        ``/api/ledger/status``): ``/health`` reports the latest, so auditors see when it last passed.
        """
        # A new installation has no files until its first export; an empty ledger is still a ledger.
        self.files.ensure_main(chart(), self.title)
        summary = await self.summary()
        # Loading a large ledger takes seconds of CPU: keep the event loop serving meanwhile.
        report = await asyncio.to_thread(check_ledger, self.directory, summary)
        await self._keep(
            "check",
            ok=report.ok,
            entries=summary.count,
            head_hash=report.chain.head_hash,
            summary=report.headline(),
            report=report.to_dict(),
        )
        return report

    async def keep_verification(self, report: ChainReport) -> None:
        """Keep the result of ``relief-ledger ledger verify`` (the chain from the files alone)."""
        await self._keep(
            "verify",
            ok=report.ok,
            entries=report.count,
            head_hash=report.head_hash,
            summary=report.headline(),
            report=report.to_dict(),
        )


def _kept_reasons(
    check: KeptOutcome | None, verify: KeptOutcome | None, failure: KeptOutcome | None
) -> list[str]:
    """The reasons to be degraded that kept outcomes give: a failed check, verify or export."""
    reasons = []
    if check is not None and not check.ok:
        reasons.append(f"ledger-check-failed: the check at {check.at_iso} found {check.summary}")
    # A passing check covers the chain too, so only a verification newer than the check counts.
    if verify is not None and not verify.ok and (check is None or check.id < verify.id):
        reasons.append(f"ledger-verify-failed: the verify at {verify.at_iso} found {verify.summary}")
    if failure is not None:
        reasons.append(f"ledger-export-failed: the export at {failure.at_iso} failed: {failure.summary}")
    return reasons


def _outcome(kept: KeptOutcome | None) -> dict[str, Any] | None:
    """A kept row as ``/health`` shows it: when, whether it passed, and the one-line summary."""
    if kept is None:
        return None
    return {"at": kept.at.isoformat(), "ok": kept.ok, "summary": kept.summary}


async def latest_kept(kind: str) -> KeptOutcome | None:
    """The newest kept outcome of ``kind`` (``check``, ``verify`` or ``export``)."""
    return await LedgerCheckRepository().latest(kind)


def _failure_summary(error: Exception) -> str:
    """A failed export in a few words, safe for the public ``/health``: no path, no entry text.

    The full error is logged and kept in the row's report.
    """
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror} (errno {error.errno})"
    if isinstance(error, LedgerValidationFailed):
        return (
            "the files or the journal failed validation (an edited file, a gap or an invalid entry); "
            "see the log and `relief-ledger ledger check`"
        )
    return type(error).__name__


async def chain_head() -> tuple[int, str] | None:
    """The journal's last entry: its ``seq`` and chained hash; ``None`` while the journal is empty."""
    return await JournalRepository().head()


async def check_for(settings: Settings, principal: Principal) -> CheckReport:
    """Run the ledger check at a person's request (the auditor's desk) and write who asked, and the
    verdict, to the audit trail; the check itself is kept like any other (``Ledger.check``)."""
    report = await Ledger.of(settings).check()
    async with db.write_transaction():
        await record_audit(
            principal,
            "ledger.check",
            "ledger",
            report.chain.head_seq,
            None,
            {
                "ok": report.ok,
                "entries": report.chain.count,
                "head_hash": report.chain.head_hash,
                "summary": report.headline(),
            },
        )
    return report
