"""The ledger directory: ``main.beancount`` plus one append-only file per year.

A year file is a header comment followed by entry blocks; each block is ``"\\n" + render_entry(e)``. Entries
hold no blank line, so a block starts at the second newline of every ``"\\n\\n"``. That lets the exporter
find the last block of a file by reading only its tail: appending never reads the whole ledger.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.books.chart import Chart
from ledger.books.render import MAIN_FILENAME, render_entry, render_main, year_filename, year_header
from ledger.core.entries import JournalEntry
from ledger.core.errors import LedgerValidationFailed

if TYPE_CHECKING:
    from filelock import AsyncFileLock

#: How much of a file's end is read first when looking for its last block; doubled until one is found.
TAIL_BYTES = 64 * 1024
_YEAR_FILE = re.compile(r"(\d{4})\.beancount")
#: The ``seq`` line printed right after a block's first line, complete with its newline.
_SEQ_LINE = re.compile(rb"\A[^\n]*\n  seq: (\d+)\n")


@dataclass(frozen=True, slots=True)
class TailBlock:
    """The last entry block of a year file, possibly torn by a crash during the write.

    Args:
        path: the year file.
        offset: byte offset of the block's leading newline: truncating there removes the block.
        text: the block without its leading newline; bytes that are not UTF-8 (a write torn inside a
            character) are kept as surrogate escapes, so ``data`` gives back the exact bytes.
        seq: the number on the block's ``  seq: N`` line, ``None`` if there is no complete such line.
    """

    path: Path
    offset: int
    text: str
    seq: int | None

    @property
    def data(self) -> bytes:
        """The block's exact bytes, without its leading newline."""
        return self.text.encode("utf-8", "surrogateescape")


class LedgerFiles:
    """The files of one ledger directory.

    Args:
        directory: where ``main.beancount`` and the year files live; created on first write.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def main_path(self) -> Path:
        """``<directory>/main.beancount``, the file to give Beancount, Fava and bean-check."""
        return self.directory / MAIN_FILENAME

    @property
    def lock_path(self) -> Path:
        """The file behind ``file_lock``."""
        return self.directory / ".export.lock"

    def year_path(self, year: int) -> Path:
        """Return the file holding entries dated in ``year``."""
        return self.directory / year_filename(year)

    def year_paths(self) -> list[Path]:
        """Return the existing year files, oldest year first."""
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if _YEAR_FILE.fullmatch(p.name))

    def file_lock(self, timeout: float = -1) -> AsyncFileLock:
        """Return a new cross-process lock on ``<directory>/.export.lock`` for ``async with``.

        Use a fresh lock per export: one lock object is re-entrant, two objects exclude each other even
        inside one process. It can be passed as ``lock`` to ``exporter.export``.

        Args:
            timeout: seconds to wait before ``filelock.Timeout``; negative waits for ever.
        """
        from filelock import AsyncFileLock  # its asyncio backends are slow to import; only writers need it

        self.directory.mkdir(parents=True, exist_ok=True)
        return AsyncFileLock(self.lock_path, timeout=timeout)

    def ensure_main(self, chart: Chart, title: str) -> bool:
        """Write ``main.beancount`` atomically when it is missing or differs from what it should be.

        It should include every existing year file and open every account of ``chart``.

        Returns:
            Whether the file was written.
        """
        text = render_main(chart, title, (int(p.stem) for p in self.year_paths()))
        if self.main_path.exists() and self.main_path.read_text(encoding="utf-8") == text:
            return False
        _atomic_write(self.main_path, text)
        return True

    def append(self, entries: Sequence[JournalEntry], chart: Chart, title: str) -> None:
        """Append ``entries`` to their year files, in the order given, durably.

        New year files are created with a header and included from ``main.beancount`` before any entry
        is written to them. Each run of consecutive entries of one year is one ``write`` followed by
        ``fsync``, so a crash leaves at most the last block of one file torn and every entry before it
        complete: the files always hold journal entries 1..N, plus at most one torn block.

        Args:
            entries: journal entries in ``seq`` order.
            chart: the chart of accounts; every entry must pass ``chart.problems``.
            title: the ledger title for ``main.beancount``.

        Raises:
            LedgerValidationFailed: when an entry breaks a chart rule (nothing is written then).
        """
        problems = [f"seq {e.seq}: {p}" for e in entries for p in chart.problems(e)]
        if problems:
            raise LedgerValidationFailed("refusing to export invalid entries: " + "; ".join(problems))
        new_years = [y for y in sorted({e.date.year for e in entries}) if not self.year_path(y).exists()]
        for year in new_years:
            _atomic_write(self.year_path(year), year_header(year))
        if new_years or not self.main_path.exists():
            self.ensure_main(chart, title)
        for year, run in itertools.groupby(entries, key=lambda e: e.date.year):
            _append_bytes(self.year_path(year), "".join("\n" + render_entry(e) for e in run).encode("utf-8"))

    def last_blocks(self) -> list[TailBlock]:
        """Return the last entry block of every year file that has one, reading only file tails."""
        blocks = (_last_block(path, path.stat().st_size) for path in self.year_paths())
        return [block for block in blocks if block is not None]

    def block_before(self, block: TailBlock) -> TailBlock | None:
        """Return the block just before ``block`` in its file, or ``None`` if it is the first."""
        return _last_block(block.path, block.offset)

    def truncate(self, path: Path, offset: int) -> None:
        """Cut ``path`` at byte ``offset`` (a block's leading newline) and make the cut durable."""
        with path.open("r+b") as file:
            file.truncate(offset)
            file.flush()
            os.fsync(file.fileno())

    def exported_seq(self) -> int:
        """Return the highest ``seq`` in the files, 0 for an empty ledger."""
        return max((b.seq for b in self.last_blocks() if b.seq is not None), default=0)


def _last_block(path: Path, end: int) -> TailBlock | None:
    """Return the last block of ``path`` that ends at byte ``end``, reading backwards from ``end``."""
    with path.open("rb") as file:
        size = TAIL_BYTES
        while True:
            start = max(0, end - size)
            file.seek(start)
            data = file.read(end - start)
            cut = data.rfind(b"\n\n")
            if cut >= 0:
                body = data[cut + 2 :]
                offset = start + cut + 1
                break
            if start == 0:
                if not data.startswith(b"\n"):
                    return None
                body, offset = data[1:], 0
                break
            size *= 2
    match = _SEQ_LINE.match(body)
    return TailBlock(
        path=path,
        offset=offset,
        text=body.decode("utf-8", "surrogateescape"),
        seq=int(match.group(1)) if match else None,
    )


def _append_bytes(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` with one ``write`` and wait until it is on disk."""
    with path.open("ab") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError:
        # A full disk fails the write: leave no half-written temporary behind to hold the space.
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
