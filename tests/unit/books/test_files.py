"""The ledger directory: append-only year files, found again from their tails."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from filelock import Timeout

from ledger.books import Chart, LedgerFiles, render_entry
from ledger.books import files as files_module
from ledger.core.errors import LedgerValidationFailed
from tests.unit.books.journal import SAMPLE, TITLE, chained, entry, export_all


def test_last_blocks_are_the_last_entry_of_each_year(sample_ledger: LedgerFiles) -> None:
    blocks = sample_ledger.last_blocks()
    assert [(b.path.name, b.seq) for b in blocks] == [("2024.beancount", 4), ("2025.beancount", 6)]
    for block, expected in zip(blocks, (SAMPLE[3], SAMPLE[5]), strict=True):
        raw = block.path.read_bytes()
        assert block.text == render_entry(expected)
        assert raw[block.offset :] == b"\n" + render_entry(expected).encode("utf-8")
    assert sample_ledger.exported_seq() == 6


def test_block_before_and_truncate(sample_ledger: LedgerFiles) -> None:
    last = sample_ledger.last_blocks()[0]
    previous = sample_ledger.block_before(last)
    assert previous is not None
    assert (previous.seq, previous.text) == (2, render_entry(SAMPLE[1]))
    first = sample_ledger.block_before(previous)
    assert first is not None
    assert first.seq == 1
    assert sample_ledger.block_before(first) is None  # only the header is before it
    sample_ledger.truncate(last.path, last.offset)
    assert sample_ledger.last_blocks()[0] == previous


def test_small_tail_window_grows_until_it_finds_a_block(
    sample_ledger: LedgerFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = sample_ledger.last_blocks()
    monkeypatch.setattr(files_module, "TAIL_BYTES", 8)
    assert sample_ledger.last_blocks() == expected


class CountingReader(io.BufferedReader):
    read_bytes = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        CountingReader.read_bytes += len(data)
        return data


async def test_finding_the_last_block_reads_only_the_tail(
    tmp_path: Path, chart: Chart, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = dt.date(2024, 5, 1)
    many = chained(
        entry(n, day, "charity", ("Assets:Charity:Bank", n), ("Income:Charity:Donations:Restricted", -n))
        for n in range(1, 3001)
    )
    ledger = await export_all(tmp_path, chart, many)
    size = ledger.year_path(2024).stat().st_size
    assert size > 10 * files_module.TAIL_BYTES
    real_open = Path.open

    def counting_open(path: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode == "rb":
            return CountingReader(io.FileIO(path, "r"))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting_open)
    assert ledger.exported_seq() == 3000
    assert 0 < CountingReader.read_bytes <= files_module.TAIL_BYTES


async def test_append_keeps_each_file_in_seq_order_and_adds_includes(tmp_path: Path, chart: Chart) -> None:
    ledger = LedgerFiles(tmp_path / "new")
    assert ledger.last_blocks() == []
    assert ledger.exported_seq() == 0
    ledger.append(SAMPLE[:2], chart, TITLE)
    assert [p.name for p in ledger.year_paths()] == ["2024.beancount"]
    assert 'include "2024.beancount"\n' in ledger.main_path.read_text(encoding="utf-8")
    ledger.append(SAMPLE[2:], chart, TITLE)
    assert ledger.main_path.read_text(encoding="utf-8").endswith(
        'include "2024.beancount"\ninclude "2025.beancount"\n'
    )
    assert [(b.path.stem, b.seq) for b in ledger.last_blocks()] == [("2024", 4), ("2025", 6)]
    assert not [p for p in ledger.directory.iterdir() if p.name.endswith(".tmp")]


def test_new_year_file_starts_with_a_header(sample_ledger: LedgerFiles) -> None:
    text = sample_ledger.year_path(2025).read_text(encoding="utf-8")
    assert text.startswith("; 救助账本 Relief Ledger: journal entries dated 2025")
    assert text.index("\n\n") + 1 == text.index("\n2025-01-05 *")  # the first block follows the header


def test_ensure_main_writes_only_when_something_changed(sample_ledger: LedgerFiles, chart: Chart) -> None:
    assert sample_ledger.ensure_main(chart, TITLE) is False
    assert sample_ledger.ensure_main(chart, "Another title") is True
    assert 'option "title" "Another title"' in sample_ledger.main_path.read_text(encoding="utf-8")
    sample_ledger.main_path.unlink()
    assert sample_ledger.ensure_main(chart, TITLE) is True


def test_append_refuses_invalid_entries_and_writes_nothing(tmp_path: Path, chart: Chart) -> None:
    ledger = LedgerFiles(tmp_path)
    bad = dataclasses.replace(SAMPLE[1], book="charity")
    with pytest.raises(
        LedgerValidationFailed, match="seq 2: Expenses:Insurance:Claims:FireExplosion: account belongs"
    ):
        ledger.append([SAMPLE[0], bad], chart, TITLE)
    assert list(tmp_path.iterdir()) == []


async def test_file_lock_excludes_a_second_holder(tmp_path: Path) -> None:
    ledger = LedgerFiles(tmp_path)
    async with ledger.file_lock():
        with pytest.raises(Timeout):
            async with ledger.file_lock(timeout=0):
                pass
    async with ledger.file_lock(timeout=0):
        assert ledger.lock_path.exists()


def test_a_failed_atomic_write_leaves_no_temporary_file(
    sample_ledger: LedgerFiles, chart: Chart, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    before = sorted(p.name for p in sample_ledger.directory.iterdir())
    main = sample_ledger.main_path.read_bytes()
    monkeypatch.setattr(files_module.os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        sample_ledger.ensure_main(chart, "Another title")
    assert sorted(p.name for p in sample_ledger.directory.iterdir()) == before
    assert sample_ledger.main_path.read_bytes() == main
