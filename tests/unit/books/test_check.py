"""``check_ledger``: Beancount errors, the chain and every difference from the journal, exactly."""

from __future__ import annotations

import dataclasses
import json

from ledger.books import (
    CheckReport,
    Difference,
    JournalSummary,
    LedgerFiles,
    LoadProblem,
    check_ledger,
    check_loaded,
    load,
    render_entry,
)
from tests.unit.books.journal import SAMPLE, summary


def test_clean_ledger_reconciles(sample_ledger: LedgerFiles) -> None:
    report = check_ledger(sample_ledger.directory, summary(SAMPLE))
    assert report.ok
    assert (report.errors, report.chain.problems, report.differences, report.reconciled) == ([], [], [], True)
    assert report.summary_lines() == [
        f"{sample_ledger.directory}: OK: 6 entries checked and reconciled with the journal, "
        f"head seq 6 hash {SAMPLE[5].hash[:12]}"
    ]
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] is True
    assert (data["entries"], data["head_seq"], data["head_hash"]) == (6, 6, SAMPLE[5].hash)


def test_without_a_journal_only_the_files_are_checked(sample_ledger: LedgerFiles) -> None:
    report = check_ledger(sample_ledger.directory)
    assert report.ok
    assert report.reconciled is False
    assert "6 entries checked," in report.summary_lines()[0]


def test_every_difference_is_listed(sample_ledger: LedgerFiles) -> None:
    journal = summary(SAMPLE)
    sums = dict(journal.sums)
    sums["Assets:Charity:Bank"] += 12_345
    sums["Expenses:Charity:Admin"] = 0  # the ledger has 0.01 here
    sums["Income:Charity:Donations:Restricted"] = -500
    hashes = {seq: h for seq, h in journal.hashes.items() if seq != 6}
    hashes[2] = "f" * 64
    hashes[7] = "7" * 64
    report = check_ledger(sample_ledger.directory, JournalSummary(count=7, sums=sums, hashes=hashes))
    assert not report.ok
    assert report.differences == [
        Difference("count", "entries", "7", "6"),
        Difference("sum", "Assets:Charity:Bank", "492223.44", "492099.99"),
        Difference("sum", "Expenses:Charity:Admin", "0.00", "0.01"),
        Difference("sum", "Income:Charity:Donations:Restricted", "-5.00", "0.00"),
        Difference("hash", "seq 2", "f" * 64, SAMPLE[1].hash),
        Difference("extra", "seq 6", None, SAMPLE[5].hash),
        Difference("missing", "seq 7", "7" * 64, None),
    ]
    assert [d.message for d in report.differences] == [
        "entries: journal 7 vs ledger 6",
        "Assets:Charity:Bank: journal 492223.44 vs ledger 492099.99",
        "Expenses:Charity:Admin: journal 0.00 vs ledger 0.01",
        "Income:Charity:Donations:Restricted: journal -5.00 vs ledger 0.00",
        f"seq 2: hash differs: journal {'f' * 64} vs ledger {SAMPLE[1].hash}",
        "seq 6 is in the files but not in the journal",
        "seq 7 is in the journal but missing from the files",
    ]
    lines = report.summary_lines()
    assert lines[0].startswith(f"{sample_ledger.directory}: 7 problems: 6 entries checked and reconciled")
    assert lines[2] == "  journal: Assets:Charity:Bank: journal 492223.44 vs ledger 492099.99"
    assert json.loads(json.dumps(report.to_dict()))["differences"][1] == {
        "kind": "sum",
        "subject": "Assets:Charity:Bank",
        "journal": "492223.44",
        "ledger": "492099.99",
        "message": "Assets:Charity:Bank: journal 492223.44 vs ledger 492099.99",
    }


def test_edited_file_shows_in_beancount_chain_and_sums(sample_ledger: LedgerFiles) -> None:
    path = sample_ledger.year_path(2024)
    block = render_entry(SAMPLE[0])
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(block, block.replace(" 500000.00 CNY", " 500001.00 CNY")), encoding="utf-8")
    lineno = text.splitlines().index(block.splitlines()[0]) + 1
    report: CheckReport = check_ledger(sample_ledger.directory, summary(SAMPLE))
    assert report.errors == [LoadProblem("Transaction does not balance: (1.00 CNY)", str(path), lineno)]
    assert [(p.kind, p.seq, p.lineno) for p in report.chain.problems] == [("edited", 1, lineno)]
    assert [d.message for d in report.differences] == [
        "Assets:Charity:Bank: journal 492099.99 vs ledger 492100.99"
    ]
    assert report.summary_lines()[1:] == [
        f"  beancount: {path}:{lineno}: Transaction does not balance: (1.00 CNY)",
        f"  chain: edited {path}:{lineno}: seq 1 was changed after export: it no longer matches its hash",
        "  journal: Assets:Charity:Bank: journal 492099.99 vs ledger 492100.99",
    ]


def test_journal_summary_from_changed_journal_shows_hash_and_sums(sample_ledger: LedgerFiles) -> None:
    changed = [*SAMPLE[:4], dataclasses.replace(SAMPLE[4], hash="0" * 64), SAMPLE[5]]
    report = check_ledger(sample_ledger.directory, summary(changed))
    assert [d.kind for d in report.differences] == ["hash"]


def test_check_loaded_gives_the_report_of_check_ledger(sample_ledger: LedgerFiles) -> None:
    loaded = load(sample_ledger.directory, hardcore=True)
    journal = summary(SAMPLE[:5])
    assert check_loaded(sample_ledger.directory, loaded, journal) == check_ledger(
        sample_ledger.directory, journal
    )
