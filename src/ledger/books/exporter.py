"""The exactly-once exporter: journal entries -> ledger files, in ``seq`` order, each once.

The files are the record of what was exported. Before appending, the last block of every year file is
compared byte for byte with the journal entry it claims to be:

- equal: fine;
- a strict prefix of the entry's rendering: a write torn by a crash, cut off and recorded in ``repaired``;
- anything else: the files were edited, and ``LedgerValidationFailed`` stops the export (never "repair" a
  tampered file).

Then every entry after the highest ``seq`` in the files is appended, in batches. A crash at any byte
leaves at most one torn block, which the next run removes before it appends that entry again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from ledger.books.chart import Chart
from ledger.books.files import LedgerFiles, TailBlock
from ledger.books.render import render_entry
from ledger.core.entries import JournalEntry
from ledger.core.errors import LedgerValidationFailed

BATCH_SIZE = 500


class JournalSource(Protocol):
    """Where the exporter reads journal entries from (the database journal, or a list in tests)."""

    async def entries_after(self, seq: int, limit: int) -> Sequence[JournalEntry]:
        """Return up to ``limit`` entries with ``seq`` greater than ``seq``, in ``seq`` order."""
        ...

    async def entry(self, seq: int) -> JournalEntry | None:
        """Return the entry numbered ``seq``, or ``None`` if the journal has none."""
        ...


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What one export did.

    Args:
        appended: how many entries were appended.
        last_seq: the highest ``seq`` in the files afterwards (0 for an empty ledger).
        repaired: one message per torn block that was cut off.
    """

    appended: int
    last_seq: int
    repaired: list[str]


async def export(
    files: LedgerFiles,
    source: JournalSource,
    chart: Chart,
    title: str,
    lock: AbstractAsyncContextManager[object],
    *,
    batch_size: int = BATCH_SIZE,
) -> ExportResult:
    """Append every journal entry not yet in the files, exactly once.

    Args:
        files: the ledger directory.
        source: the journal.
        chart: the chart of accounts (for ``main.beancount`` and the entry checks).
        title: the ledger title.
        lock: held for the whole export so only one exporter writes (``files.file_lock()`` across
            processes, or a database advisory lock).
        batch_size: how many entries to read from the journal and append at a time.

    Raises:
        LedgerValidationFailed: when the files differ from the journal other than by a torn last write,
            when the journal has a gap, or when an entry breaks a chart rule.
    """
    async with lock:
        files.ensure_main(chart, title)
        repaired = await _repair_tails(files, source)
        last = files.exported_seq()
        appended = 0
        while True:
            batch = await source.entries_after(last, batch_size)
            if not batch:
                break
            for offset, entry in enumerate(batch, start=1):
                if entry.seq != last + offset:
                    raise LedgerValidationFailed(
                        f"journal gap: expected seq {last + offset} after seq {last + offset - 1}, "
                        f"the journal gave seq {entry.seq}"
                    )
            await asyncio.to_thread(files.append, batch, chart, title)  # render + fsync: off the event loop
            appended += len(batch)
            last = batch[-1].seq
            if len(batch) < batch_size:
                break
        return ExportResult(appended=appended, last_seq=last, repaired=repaired)


async def complete_seq(files: LedgerFiles, source: JournalSource) -> int:
    """Return the ``seq`` up to which the files hold every entry complete (0 for none), changing nothing.

    A torn last block (a crash or a full disk in the middle of an append) does not count, unlike in
    ``LedgerFiles.exported_seq``. Reads the tails of the year files and one journal entry per file.

    Raises:
        LedgerValidationFailed: when a last block is neither its journal entry nor a prefix of it.
    """
    blocks = files.last_blocks()
    torn = [
        block.seq if block.seq is not None else _torn_seq(files, block, blocks)
        for block in blocks
        if not await _is_complete(files, source, block, blocks)
    ]
    if torn:  # entries are appended in seq order: every one before a torn block is whole
        return min(torn) - 1
    return max((b.seq for b in blocks if b.seq is not None), default=0)


async def _repair_tails(files: LedgerFiles, source: JournalSource) -> list[str]:
    """Check the last block of every year file against the journal; cut off torn ones.

    After a cut the file has a new last block, so the check repeats until every last block is complete.
    """
    repaired: list[str] = []
    while True:
        blocks = files.last_blocks()
        torn = [block for block in blocks if not await _is_complete(files, source, block, blocks)]
        if not torn:
            return repaired
        for block in torn:
            files.truncate(block.path, block.offset)
            repaired.append(
                f"{block.path.name}: removed an incomplete entry ({len(block.data)} bytes at byte "
                f"{block.offset}) left by an interrupted export; it is exported again"
            )


async def _is_complete(
    files: LedgerFiles, source: JournalSource, block: TailBlock, blocks: Sequence[TailBlock]
) -> bool:
    """Return whether ``block`` is exactly its journal entry (``False``: a torn copy of it).

    Raises:
        LedgerValidationFailed: when the block is neither the entry nor a prefix of it.
    """
    seq = block.seq if block.seq is not None else _torn_seq(files, block, blocks)
    label = f"seq {seq}" if block.seq is not None else f"a block without a seq line (in place of seq {seq})"
    where = f"{block.path.name} (byte {block.offset})"
    entry = await source.entry(seq)
    if entry is None:
        raise LedgerValidationFailed(f"{where}: the last entry, {label}, is not in the journal")
    expected = render_entry(entry).encode("utf-8")
    if block.data == expected:
        return True
    if expected.startswith(block.data):
        return False
    raise LedgerValidationFailed(
        f"{where}: the last entry, {label}, differs from the journal: "
        f"{_first_difference(expected, block.data)}; the file was edited and is not repaired"
    )


def _torn_seq(files: LedgerFiles, block: TailBlock, blocks: Sequence[TailBlock]) -> int:
    """Return the ``seq`` of a block torn before its ``seq`` line was complete.

    Everything written before the torn block is complete, and blocks are written in ``seq`` order, so it
    is one more than the highest ``seq`` among the block before it and the other files' last blocks.
    """
    previous = files.block_before(block)
    seqs = [b.seq for b in (*blocks, previous) if b is not None and b is not block and b.seq is not None]
    return max(seqs, default=0) + 1


def _first_difference(expected: bytes, found: bytes) -> str:
    """Describe the first line where the file differs from the journal's rendering."""
    journal = expected.decode("utf-8").splitlines()
    ledger = found.decode("utf-8", "replace").splitlines()
    for number, (want, got) in enumerate(zip(journal, ledger, strict=False), start=1):
        if want != got:
            return f"line {number} of the entry is {got!r} in the file but {want!r} in the journal"
    if len(ledger) > len(journal):
        return f"the file has extra text after the entry: {ledger[len(journal)]!r}"
    return "the file's copy ends early"
