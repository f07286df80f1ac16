"""Every query of the journal tables."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from piccolo.query.functions.aggregate import Sum

from ledger.core.entries import JournalEntry, Posting
from ledger.core.records import record_of, records_of
from ledger.journal.records import AccountFilter, KeptOutcome, PostingLine
from ledger.journal.tables import JournalEntryRow, JournalPostingRow, LedgerCheckRow


class JournalRepository:
    """Entries and postings; reads rebuild ``JournalEntry`` values."""

    async def head(self) -> tuple[int, str] | None:
        """The last entry's ``(seq, hash)``, or ``None`` for an empty journal."""
        row = (
            await JournalEntryRow.select(JournalEntryRow.seq, JournalEntryRow.hash)
            .order_by(JournalEntryRow.seq, ascending=False)
            .first()
        )
        return (int(row["seq"]), str(row["hash"])) if row else None

    async def add(self, entries: Sequence[JournalEntry], now: dt.datetime) -> None:
        """Insert ``entries`` (already numbered and hashed) and their postings, two statements in all."""
        rows = await JournalEntryRow.insert(
            *[
                JournalEntryRow(
                    seq=entry.seq,
                    date=entry.date,
                    book=entry.book,
                    payee=entry.payee,
                    narration=entry.narration,
                    cause=entry.cause,
                    actor=entry.actor,
                    links=json.dumps([list(pair) for pair in entry.links], ensure_ascii=False),
                    reverses=entry.reverses,
                    hash=entry.hash,
                    created_at=now,
                )
                for entry in entries
            ]
        ).returning(JournalEntryRow.id)
        await JournalPostingRow.insert(
            *[
                JournalPostingRow(
                    entry=row["id"],
                    seq=entry.seq,
                    position=position,
                    account=posting.account,
                    fen=posting.fen,
                    currency=posting.currency,
                    date=entry.date,
                )
                for row, entry in zip(rows, entries, strict=True)
                for position, posting in enumerate(entry.postings)
            ]
        )

    async def entries_after(self, seq: int, limit: int) -> list[JournalEntry]:
        """Up to ``limit`` entries with a greater ``seq``, in order."""
        rows = (
            await JournalEntryRow.select()
            .where(JournalEntryRow.seq > seq)
            .order_by(JournalEntryRow.seq)
            .limit(limit)
        )
        return await self._with_postings(rows)

    async def entry(self, seq: int) -> JournalEntry | None:
        """The entry numbered ``seq``."""
        rows = await JournalEntryRow.select().where(JournalEntryRow.seq == seq)
        entries = await self._with_postings(rows)
        return entries[0] if entries else None

    async def by_cause(self, cause: str) -> list[JournalEntry]:
        """Every entry caused by ``cause`` (e.g. ``claim-payment:17``), in order."""
        rows = (
            await JournalEntryRow.select().where(JournalEntryRow.cause == cause).order_by(JournalEntryRow.seq)
        )
        return await self._with_postings(rows)

    async def reversal_of(self, seq: int) -> int | None:
        """The ``seq`` of the entry that reverses ``seq``, if any."""
        row = await JournalEntryRow.select(JournalEntryRow.seq).where(JournalEntryRow.reverses == seq).first()
        return int(row["seq"]) if row else None

    async def _with_postings(self, rows: Sequence[dict[str, Any]]) -> list[JournalEntry]:
        if not rows:
            return []
        seqs = [row["seq"] for row in rows]
        postings = (
            await JournalPostingRow.select(
                JournalPostingRow.seq,
                JournalPostingRow.account,
                JournalPostingRow.fen,
                JournalPostingRow.currency,
            )
            .where(JournalPostingRow.seq.is_in(seqs))
            .order_by(JournalPostingRow.seq)
            .order_by(JournalPostingRow.position)
        )
        legs: dict[int, list[Posting]] = defaultdict(list)
        for posting in postings:
            legs[posting["seq"]].append(Posting(posting["account"], int(posting["fen"]), posting["currency"]))
        return [
            JournalEntry(
                seq=int(row["seq"]),
                date=row["date"],
                book=row["book"],
                payee=row["payee"],
                narration=row["narration"],
                postings=tuple(legs[row["seq"]]),
                cause=row["cause"],
                actor=row["actor"],
                links=tuple((str(k), str(v)) for k, v in json.loads(row["links"])),
                reverses=int(row["reverses"]) if row["reverses"] is not None else None,
                hash=row["hash"],
            )
            for row in rows
        ]

    async def count(self) -> int:
        """How many entries the journal holds."""
        return int(await JournalEntryRow.count())

    async def sums(self, *, book: str | None = None, as_of: dt.date | None = None) -> dict[str, int]:
        """Account -> sum of its postings in fen, optionally for one book and up to a date.

        ``fen`` is an integer column, so ``SUM`` is exact on both engines (SQLite sums integers as
        integers; PostgreSQL returns ``numeric`` for a ``bigint`` sum, converted back here).
        """
        query = JournalPostingRow.select(JournalPostingRow.account, Sum(JournalPostingRow.fen, alias="total"))
        if book is not None:
            query = query.where(JournalPostingRow.account.like(f"%:{book.capitalize()}:%"))
        if as_of is not None:
            query = query.where(JournalPostingRow.date <= as_of)
        rows = await query.group_by(JournalPostingRow.account)
        return {row["account"]: int(row["total"]) for row in rows}

    async def created_at(self, seq: int) -> dt.datetime | None:
        """When entry ``seq`` was committed, ``None`` if there is no such entry."""
        row = (
            await JournalEntryRow.select(JournalEntryRow.created_at).where(JournalEntryRow.seq == seq).first()
        )
        return None if row is None else row["created_at"]

    async def hashes(self) -> dict[int, str]:
        """seq -> hash of every entry."""
        rows = await JournalEntryRow.select(JournalEntryRow.seq, JournalEntryRow.hash)
        return {int(row["seq"]): row["hash"] for row in rows}

    async def account_lines(
        self, account: str, where: AccountFilter, *, limit: int, offset: int
    ) -> tuple[list[PostingLine], int]:
        """An account's postings with their entries, oldest first, and how many match."""
        query = JournalPostingRow.select(
            JournalPostingRow.seq,
            JournalPostingRow.date,
            JournalPostingRow.fen,
            JournalPostingRow.currency,
            JournalPostingRow.entry.narration,
            JournalPostingRow.entry.payee,
            JournalPostingRow.entry.cause,
            JournalPostingRow.entry.actor,
            JournalPostingRow.entry.hash,
        ).where(JournalPostingRow.account == account)
        count = JournalPostingRow.count().where(JournalPostingRow.account == account)
        conditions = []
        if where.date_from is not None:
            conditions.append(JournalPostingRow.date >= where.date_from)
        if where.date_to is not None:
            conditions.append(JournalPostingRow.date <= where.date_to)
        if where.cause is not None:
            conditions.append(JournalPostingRow.entry.cause.like(f"{where.cause}%"))
        for condition in conditions:
            query = query.where(condition)
            count = count.where(condition)
        rows = await query.order_by(JournalPostingRow.seq).limit(limit).offset(offset)
        return records_of(PostingLine, rows), int(await count)

    async def opening_balance(self, account: str, before: dt.date) -> int:
        """The sum of ``account``'s postings dated before ``before``."""
        rows = await JournalPostingRow.select(JournalPostingRow.fen).where(
            (JournalPostingRow.account == account) & (JournalPostingRow.date < before)
        )
        return sum(int(row["fen"]) for row in rows)


class LedgerCheckRepository:
    """Kept outcomes of ledger checks, verifications and exports (``LedgerCheckRow``)."""

    async def add(
        self,
        *,
        kind: str,
        at: dt.datetime,
        ok: bool,
        entries: int,
        head_hash: str = "",
        summary: str = "",
        report: dict[str, Any],
    ) -> None:
        """Store one outcome.

        Args:
            kind: ``check``, ``verify`` or ``export``.
            at: when it ran.
            ok: whether it passed.
            entries: the entries the files held (for an export: the highest ``seq`` in them).
            head_hash: the files' head hash, when known.
            summary: a few lines for people (``/health`` shows them).
            report: the full result, stored as JSON.
        """
        await LedgerCheckRow.insert(
            LedgerCheckRow(
                kind=kind,
                at=at,
                ok=ok,
                entries=entries,
                head_hash=head_hash,
                summary=summary,
                report=json.dumps(report, ensure_ascii=False),
            )
        )

    async def latest(self, kind: str) -> KeptOutcome | None:
        """The newest outcome of ``kind``: ``id``, ``at``, ``ok``, ``entries`` and ``summary``.

        The full report is left out: it can be large, and ``/health`` reads this on every call.
        """
        row = (
            await LedgerCheckRow.select(
                LedgerCheckRow.id,
                LedgerCheckRow.at,
                LedgerCheckRow.ok,
                LedgerCheckRow.entries,
                LedgerCheckRow.summary,
            )
            .where(LedgerCheckRow.kind == kind)
            .order_by(LedgerCheckRow.id, ascending=False)
            .first()
        )
        return None if row is None else record_of(KeptOutcome, row)
