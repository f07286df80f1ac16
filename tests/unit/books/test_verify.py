"""The hash chain names the first edited, missing, inserted or reordered entry, and no more."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from ledger.books import ChainProblem, Chart, LedgerFiles, render_entry, verify_files
from ledger.core.entries import GENESIS_HASH
from tests.unit.books.journal import chained, entry, export_all

#: Ten charity entries in one year file: seq N moves N yuan from donations to the bank.
TEN = chained(
    entry(
        n,
        dt.date(2025, 3, n),
        "charity",
        ("Assets:Charity:Bank", n * 100),
        ("Income:Charity:Donations:Restricted", -n * 100),
        narration=f"捐赠 {n}",
    )
    for n in range(1, 11)
)


@pytest.fixture
async def ten(tmp_path: Path, chart: Chart) -> LedgerFiles:
    return await export_all(tmp_path, chart, TEN)


BLOCKS = {e.seq: "\n" + render_entry(e) for e in TEN}
FAKE = (
    '\n2025-03-05 * "伪造" #charity\n'
    "  Assets:Charity:Bank  1.00 CNY\n"
    "  Income:Charity:Donations:Restricted  -1.00 CNY\n"
)
#: change -> (text in the 2025 file, what it becomes)
TAMPER = {
    "edit-both-postings": (
        BLOCKS[5],
        BLOCKS[5].replace(" 5.00 CNY", " 50.00 CNY").replace("-5.00", "-50.00"),
    ),
    "edit-one-posting": (BLOCKS[5], BLOCKS[5].replace("-5.00 CNY", "-4.00 CNY")),
    "delete": (BLOCKS[5], ""),
    "insert": (BLOCKS[6], FAKE + BLOCKS[6]),
    "duplicate": (BLOCKS[6], BLOCKS[6] + BLOCKS[3]),
    "swap": (BLOCKS[5] + BLOCKS[6], BLOCKS[6] + BLOCKS[5]),
}


def edit(files: LedgerFiles, *changes: tuple[str, str]) -> Path:
    """Apply ``(old, new)`` replacements to the 2025 file and return its path."""
    path = files.year_path(2025)
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(needle) + 1


def test_clean_chain(ten: LedgerFiles) -> None:
    report = verify_files(ten.directory)
    assert (report.ok, report.count, report.head_seq, report.head_hash) == (True, 10, 10, TEN[-1].hash)
    assert report.problems == []


def test_empty_ledger(tmp_path: Path, chart: Chart) -> None:
    LedgerFiles(tmp_path).ensure_main(chart, "t")
    report = verify_files(tmp_path)
    assert (report.ok, report.count, report.head_seq, report.head_hash) == (True, 0, 0, GENESIS_HASH)


@pytest.mark.parametrize("change", ["edit-both-postings", "edit-one-posting"])
def test_edited_amount_names_that_entry_only(ten: LedgerFiles, change: str) -> None:
    path = edit(ten, TAMPER[change])
    report = verify_files(ten.directory)
    assert report.problems == [
        ChainProblem(
            "edited",
            5,
            str(path),
            line_of(path, '2025-03-05 * "捐赠 5" #charity'),
            "seq 5 was changed after export: it no longer matches its hash",
        )
    ]  # seq 6..10 still chain from the stored hash of seq 5: no cascade


def test_deleted_entry_is_missing(ten: LedgerFiles) -> None:
    path = edit(ten, TAMPER["delete"])
    (problem,) = verify_files(ten.directory).problems
    assert (problem.kind, problem.seq, problem.message) == ("missing", 5, "seq 5 missing before seq 6")
    assert problem.lineno == line_of(path, '2025-03-06 * "捐赠 6" #charity')


def test_inserted_entry_is_named_where_it_is(ten: LedgerFiles) -> None:
    path = edit(ten, TAMPER["insert"])
    (problem,) = verify_files(ten.directory).problems
    assert (problem.kind, problem.seq) == ("inserted", None)
    assert (problem.filename, problem.lineno) == (str(path), line_of(path, '2025-03-05 * "伪造" #charity'))


def test_copied_entry_is_inserted(ten: LedgerFiles) -> None:
    path = edit(ten, TAMPER["duplicate"])
    (problem,) = verify_files(ten.directory).problems
    assert (problem.kind, problem.seq) == ("inserted", 3)
    first = line_of(path, '2025-03-03 * "捐赠 3" #charity')
    assert problem.message == f"seq 3 appears again (first at {path}:{first})"


def test_swapped_entries_are_reordered(ten: LedgerFiles) -> None:
    path = edit(ten, TAMPER["swap"])
    (problem,) = verify_files(ten.directory).problems
    assert (problem.kind, problem.seq, problem.message) == (
        "reordered",
        5,
        "seq 5 comes after seq 6 in the file",
    )
    assert problem.lineno == line_of(path, '2025-03-05 * "捐赠 5" #charity')


def test_several_problems_are_all_reported_in_file_order(ten: LedgerFiles) -> None:
    edit(
        ten,
        (BLOCKS[2], BLOCKS[2].replace("2.00 CNY", "2.50 CNY").replace("-2.00", "-2.50")),
        (BLOCKS[7] + BLOCKS[8], ""),
    )
    problems = verify_files(ten.directory).problems
    assert [(p.kind, p.seq) for p in problems] == [("edited", 2), ("missing", 7)]
    assert re.fullmatch(r"seq 7\.\.8 missing before seq 9", problems[1].message)


async def test_entry_booked_into_last_years_file_is_not_reordered(tmp_path: Path, chart: Chart) -> None:
    late = chained(
        [
            *TEN[:2],
            entry(
                3,
                dt.date(2024, 12, 30),
                "charity",
                ("Assets:Charity:Bank", 1),
                ("Expenses:Charity:Admin", -1),
            ),
        ]
    )
    files = await export_all(tmp_path, chart, late)
    report = verify_files(files.directory)
    assert (report.ok, report.count, report.head_seq) == (True, 3, 3)
