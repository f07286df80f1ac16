"""Test helpers: journal entries with real hash chains, and an in-memory journal for the exporter."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path

from ledger.books import Chart, JournalSummary, LedgerFiles, export
from ledger.core.entries import GENESIS_HASH, JournalEntry, Posting, entry_hash


def entry(
    seq: int,
    date: dt.date,
    book: str,
    *postings: tuple[str, int],
    payee: str = "",
    narration: str = "测试分录",
    links: tuple[tuple[str, str], ...] = (),
    reverses: int | None = None,
) -> JournalEntry:
    """An unchained entry; ``postings`` are ``(account, fen)`` pairs."""
    return JournalEntry(
        seq=seq,
        date=date,
        book=book,
        payee=payee,
        narration=narration,
        postings=tuple(Posting(account, fen) for account, fen in postings),
        cause=f"test:{seq}",
        actor="tester",
        links=links,
        reverses=reverses,
    )


def chained(entries: Iterable[JournalEntry]) -> list[JournalEntry]:
    """Return ``entries`` with their ``hash`` set, chained from ``GENESIS_HASH`` in the order given."""
    result: list[JournalEntry] = []
    previous = GENESIS_HASH
    for item in entries:
        linked = dataclasses.replace(item, hash=entry_hash(previous, item))
        result.append(linked)
        previous = linked.hash
    return result


def summary(entries: Sequence[JournalEntry]) -> JournalSummary:
    """The journal summary ``check_ledger`` reconciles with."""
    sums: dict[str, int] = {}
    for item in entries:
        for posting in item.postings:
            sums[posting.account] = sums.get(posting.account, 0) + posting.fen
    return JournalSummary(count=len(entries), sums=sums, hashes={e.seq: e.hash for e in entries})


TITLE = "Relief Ledger Test"


@contextlib.asynccontextmanager
async def no_lock() -> AsyncIterator[None]:
    """The lock for tests that run one exporter at a time."""
    yield


async def export_all(directory: Path, chart: Chart, entries: Sequence[JournalEntry]) -> LedgerFiles:
    """Export ``entries`` into ``directory`` and return its files."""
    files = LedgerFiles(directory)
    await export(files, MemoryJournal(entries), chart, TITLE, no_lock())
    return files


class MemoryJournal:
    """A ``JournalSource`` over a list of entries numbered 1, 2, 3, ..."""

    def __init__(self, entries: Sequence[JournalEntry]) -> None:
        self.entries = list(entries)

    async def entries_after(self, seq: int, limit: int) -> Sequence[JournalEntry]:
        return self.entries[seq : seq + limit]

    async def entry(self, seq: int) -> JournalEntry | None:
        return self.entries[seq - 1] if 1 <= seq <= len(self.entries) else None


D = dt.date
#: Six entries over both books and two years; seq 4 is booked late into 2024, seq 6 reverses seq 2.
SAMPLE = chained(
    [
        entry(
            1,
            D(2024, 3, 1),
            "charity",
            ("Assets:Charity:Bank", 50_000_000),
            ("Income:Charity:GovernmentGrant:Restricted", -50_000_000),
            payee="区财政局",
            narration="2024 年慈善引导资金拨付",
            links=(("grant", "G-2024-01"),),
        ),
        entry(
            2,
            D(2024, 11, 20),
            "insurance",
            ("Expenses:Insurance:Claims:FireExplosion", 1_234_567),
            ("Liabilities:Insurance:ClaimsPayable", -1_234_567),
            payee='张三 "老张" \\ 户',
            narration='火灾爆炸救助 赔付 "CL-1"',
            links=(("claim", "CL-1"), ("payment-ref", "PAY-0001")),
        ),
        entry(
            3,
            D(2025, 1, 5),
            "insurance",
            ("Liabilities:Insurance:ClaimsPayable", 1_234_567),
            ("Assets:Insurance:Bank", -1_234_567),
            payee="张三",
            narration="赔款支付",
            links=(("claim", "CL-1"),),
        ),
        entry(
            4,
            D(2024, 12, 31),
            "charity",
            ("Expenses:Charity:Programs", 800_000),
            ("Expenses:Charity:Admin", 1),
            ("Assets:Charity:Bank", -800_001),
            narration="补记 2024 年项目支出",
        ),
        entry(
            5,
            D(2025, 2, 1),
            "charity",
            ("Assets:Charity:Bank", 10_000),
            ("Income:Charity:Donations:Unrestricted", -10_000),
            payee="",
            narration="",
        ),
        entry(
            6,
            D(2025, 2, 2),
            "insurance",
            ("Liabilities:Insurance:ClaimsPayable", 1_234_567),
            ("Expenses:Insurance:Claims:FireExplosion", -1_234_567),
            narration="冲销 seq 2",
            reverses=2,
        ),
    ]
)
