"""The exporter: every journal entry in the files exactly once, whatever happened before."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from ledger.books import Chart, LedgerFiles, complete_seq, export, render_entry
from ledger.books import files as files_module
from ledger.core.entries import JournalEntry
from ledger.core.errors import LedgerValidationFailed
from tests.unit.books.journal import SAMPLE, TITLE, MemoryJournal, chained, export_all, no_lock


class CrashError(Exception):
    """The process died in the middle of a write."""


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def restore(directory: Path, files: dict[str, bytes]) -> None:
    """Make ``directory`` hold exactly ``files``."""
    directory.mkdir(exist_ok=True)
    for path in directory.iterdir():
        if path.name not in files:
            path.unlink()
    for name, content in files.items():
        (directory / name).write_bytes(content)


def crash_after(budget: int) -> Callable[[Path, bytes], None]:
    """An ``_append_bytes`` that writes ``budget`` bytes in all, then dies mid-write."""
    real = files_module._append_bytes
    remaining = [budget]

    def append_bytes(path: Path, data: bytes) -> None:
        written = data[: remaining[0]]
        remaining[0] -= len(written)
        real(path, written)
        if len(written) < len(data):
            raise CrashError

    return append_bytes


@pytest.fixture
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip ``fsync`` in the loops below: they test what is written, not that it reached the disk."""
    monkeypatch.setattr(files_module.os, "fsync", lambda fd: None)


@pytest.fixture
async def reference(tmp_path: Path, chart: Chart) -> dict[str, bytes]:
    """The files of the whole SAMPLE journal exported in one go."""
    return snapshot((await export_all(tmp_path / "reference", chart, SAMPLE)).directory)


async def test_export_is_exactly_once_when_repeated(sample_ledger: LedgerFiles, chart: Chart) -> None:
    before = snapshot(sample_ledger.directory)
    for _ in range(3):
        result = await export(sample_ledger, MemoryJournal(SAMPLE), chart, TITLE, no_lock())
        assert (result.appended, result.last_seq, result.repaired) == (0, 6, [])
    assert snapshot(sample_ledger.directory) == before


async def test_export_appends_only_new_entries(
    tmp_path: Path, chart: Chart, reference: dict[str, bytes]
) -> None:
    ledger = LedgerFiles(tmp_path / "ledger")
    for upto, appended in ((2, 2), (2, 0), (5, 3), (6, 1)):
        result = await export(ledger, MemoryJournal(SAMPLE[:upto]), chart, TITLE, no_lock(), batch_size=2)
        assert (result.appended, result.last_seq) == (appended, upto)
    assert snapshot(ledger.directory) == reference


@pytest.mark.usefixtures("no_fsync")
async def test_crash_during_export_is_repaired_and_nothing_is_doubled(
    tmp_path: Path, chart: Chart, reference: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash after every byte count that matters, across the files of one export.

    Entries 3-6 go to 2025, 2024, 2025, 2025: the crash tears the first block of a new file, a block whose
    predecessor in its file is older than the other file's last block, and a block inside a run. Every
    byte of each block's first two lines is tried (where the ``seq`` line is found or not, and where the
    Chinese text can be cut inside a character), then every 7th byte and the block boundaries.
    """
    base = snapshot((await export_all(tmp_path / "base", chart, SAMPLE[:2])).directory)
    blocks = [("\n" + render_entry(e)).encode("utf-8") for e in SAMPLE[2:]]
    starts = [sum(len(b) for b in blocks[:i]) for i in range(len(blocks) + 1)]
    total = starts[-1]
    budgets = set(range(0, total + 1, 7)) | set(starts)
    for start, block in zip(starts, blocks, strict=False):
        budgets.update(range(start, start + block.index(b"\n  hash:") + 2))
    journal = MemoryJournal(SAMPLE)
    ledger = LedgerFiles(tmp_path / "ledger")
    repairs = 0
    for budget in sorted(budgets):
        restore(ledger.directory, base)
        with monkeypatch.context() as patch:
            patch.setattr(files_module, "_append_bytes", crash_after(budget))
            if budget < total:
                with pytest.raises(CrashError):
                    await export(ledger, journal, chart, TITLE, no_lock(), batch_size=2)
        result = await export(ledger, journal, chart, TITLE, no_lock(), batch_size=2)
        assert snapshot(ledger.directory) == reference, f"crash after {budget} bytes"
        assert result.last_seq == 6
        repairs += len(result.repaired)
    assert 0 < repairs < total  # torn inside blocks: repaired; at block boundaries: nothing to repair


@pytest.mark.usefixtures("no_fsync")
async def test_torn_last_block_at_every_offset(
    tmp_path: Path, chart: Chart, reference: dict[str, bytes]
) -> None:
    """The last block of a file cut at each of its bytes, then exported again."""
    last = b"\n" + render_entry(SAMPLE[5]).encode("utf-8")
    complete = snapshot((await export_all(tmp_path / "complete", chart, SAMPLE[:5])).directory)
    journal = MemoryJournal(SAMPLE)
    ledger = LedgerFiles(tmp_path / "ledger")
    for cut in range(1, len(last)):
        restore(ledger.directory, complete)
        with ledger.year_path(2025).open("ab") as file:
            file.write(last[:cut])
        result = await export(ledger, journal, chart, TITLE, no_lock())
        assert len(result.repaired) == 1, cut
        assert result.repaired[0].startswith(f"2025.beancount: removed an incomplete entry ({cut - 1} bytes")
        assert (result.appended, result.last_seq) == (1, 6)
        assert snapshot(ledger.directory) == reference


async def test_complete_seq_does_not_count_a_torn_last_block(tmp_path: Path, chart: Chart) -> None:
    """Unlike ``exported_seq``, and without changing the files."""
    last = b"\n" + render_entry(SAMPLE[5]).encode("utf-8")
    ledger = await export_all(tmp_path / "ledger", chart, SAMPLE[:5])
    journal = MemoryJournal(SAMPLE)
    assert await complete_seq(ledger, journal) == 5
    intact = snapshot(ledger.directory)
    for cut in (1, 30, last.index(b"  hash:"), len(last) - 1):
        restore(ledger.directory, intact)
        with ledger.year_path(2025).open("ab") as file:
            file.write(last[:cut])
        torn = snapshot(ledger.directory)
        assert ledger.exported_seq() == (6 if cut > 30 else 4)  # a torn seq line: the other file's
        assert await complete_seq(ledger, journal) == 5, cut
        assert snapshot(ledger.directory) == torn
    restore(ledger.directory, intact)
    await export(ledger, journal, chart, TITLE, no_lock())
    assert await complete_seq(ledger, journal) == 6
    with pytest.raises(LedgerValidationFailed, match="seq 6, is not in the journal"):
        await complete_seq(ledger, MemoryJournal(SAMPLE[:5]))


@pytest.mark.parametrize(
    ("old", "new", "detail"),
    [
        (
            "-12345.67 CNY",
            "-12345.76 CNY",
            "line 9 of the entry is '  Expenses:Insurance:Claims:FireExplosion  -12345.76 CNY'",
        ),
        ('"冲销 seq 2"', '"冲销 seq 2 (已核)"', "line 1 of the entry is"),
        ("CNY\n", "CNY\n  Assets:Insurance:Bank  0.00 CNY\n", "the file has extra text after the entry"),
    ],
)
async def test_tampered_last_block_is_refused_not_repaired(
    sample_ledger: LedgerFiles, chart: Chart, old: str, new: str, detail: str
) -> None:
    path = sample_ledger.year_path(2025)
    text = path.read_text(encoding="utf-8")
    head, _, tail = text.rpartition(old)
    path.write_text(head + new + tail, encoding="utf-8")
    edited = snapshot(sample_ledger.directory)
    with pytest.raises(LedgerValidationFailed) as caught:
        await export(sample_ledger, MemoryJournal(SAMPLE), chart, TITLE, no_lock())
    assert caught.value.message.startswith("2025.beancount (byte ")
    assert "the last entry, seq 6, differs from the journal" in caught.value.message
    assert detail in caught.value.message
    assert snapshot(sample_ledger.directory) == edited


async def test_block_whose_seq_is_not_in_the_journal_is_refused(
    sample_ledger: LedgerFiles, chart: Chart
) -> None:
    with pytest.raises(
        LedgerValidationFailed, match=r"2025.beancount .*the last entry, seq 6, is not in the journal"
    ):
        await export(sample_ledger, MemoryJournal(SAMPLE[:5]), chart, TITLE, no_lock())


async def test_journal_that_changed_after_export_is_refused(sample_ledger: LedgerFiles, chart: Chart) -> None:
    changed = [*SAMPLE[:5], dataclasses.replace(SAMPLE[5], narration="改过")]
    with pytest.raises(LedgerValidationFailed, match="seq 6, differs from the journal"):
        await export(sample_ledger, MemoryJournal(chained(changed)), chart, TITLE, no_lock())


async def test_journal_gap_is_refused(tmp_path: Path, chart: Chart) -> None:
    class GappyJournal(MemoryJournal):
        async def entries_after(self, seq: int, limit: int) -> Sequence[JournalEntry]:
            return [e for e in self.entries if e.seq > seq and e.seq != 3][:limit]

    with pytest.raises(
        LedgerValidationFailed, match="journal gap: expected seq 3 after seq 2, the journal gave seq 4"
    ):
        await export(LedgerFiles(tmp_path), GappyJournal(SAMPLE), chart, TITLE, no_lock())
    assert LedgerFiles(tmp_path).exported_seq() == 0  # the faulty batch is refused as a whole


async def test_concurrent_exports_under_the_file_lock_write_once(
    tmp_path: Path, chart: Chart, reference: dict[str, bytes]
) -> None:
    ledger = LedgerFiles(tmp_path / "ledger")
    results = await asyncio.gather(
        *(
            export(ledger, MemoryJournal(SAMPLE), chart, TITLE, ledger.file_lock(), batch_size=1)
            for _ in range(4)
        )
    )
    assert sorted(r.appended for r in results) == [0, 0, 0, 6]
    assert {k: v for k, v in snapshot(ledger.directory).items() if k != ".export.lock"} == reference


async def test_hand_written_entry_at_the_end_is_refused(sample_ledger: LedgerFiles, chart: Chart) -> None:
    path = sample_ledger.year_path(2025)
    size = path.stat().st_size
    with path.open("a", encoding="utf-8") as file:
        file.write('\n2025-12-31 * "手工补录"\n  Assets:Charity:Bank  1.00 CNY\n')
        file.write("  Expenses:Charity:Admin  -1.00 CNY\n")
    message = f"2025.beancount (byte {size}): the last entry, a block without a seq line (in place of seq 7)"
    with pytest.raises(LedgerValidationFailed, match=re.escape(f"{message}, is not in the journal")):
        await export(sample_ledger, MemoryJournal(SAMPLE), chart, TITLE, no_lock())
    seventh = chained([*SAMPLE, dataclasses.replace(SAMPLE[4], seq=7)])
    with pytest.raises(
        LedgerValidationFailed, match=re.escape(f"{message}, differs from the journal: line 1")
    ):
        await export(sample_ledger, MemoryJournal(seventh), chart, TITLE, no_lock())
