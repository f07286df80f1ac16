"""Rendering: exact, deterministic text; an exact inverse; a main file Beancount accepts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from ledger.books import Chart, LedgerFiles, from_transaction, load, load_chart, render_entry, render_main
from ledger.books.render import to_transaction
from ledger.core.entries import JournalEntry, entry_hash
from ledger.core.errors import InvalidInput, LedgerValidationFailed
from tests.unit.books.journal import SAMPLE

BEAN_CHECK = str(Path(sys.executable).with_name("bean-check"))


def load_entry_text(chart: Chart, text: str) -> tuple[list[data.Directive], list[str]]:
    """Load ``text`` after the opens of ``main.beancount``; return the directives and error messages."""
    entries, errors, _options = loader.load_string(render_main(chart, "t", []) + "\n" + text)
    return entries, [e.message for e in errors]


def test_entry_prints_exactly() -> None:
    assert render_entry(SAMPLE[1]) == (
        '2024-11-20 * "张三 \\"老张\\" \\\\ 户" "火灾爆炸救助 赔付 \\"CL-1\\"" #insurance\n'
        "  seq: 2\n"
        f'  hash: "{SAMPLE[1].hash}"\n'
        '  cause: "test:2"\n'
        '  actor: "tester"\n'
        '  book: "insurance"\n'
        '  claim: "CL-1"\n'
        '  payment-ref: "PAY-0001"\n'
        "  Expenses:Insurance:Claims:FireExplosion   12345.67 CNY\n"
        "  Liabilities:Insurance:ClaimsPayable      -12345.67 CNY\n"
    )


def test_amounts_always_have_two_decimals_and_text_is_stable() -> None:
    text = render_entry(SAMPLE[3])
    assert "  Expenses:Charity:Programs   8000.00 CNY\n  Expenses:Charity:Admin         0.01 CNY\n" in text
    assert {render_entry(SAMPLE[3]) for _ in range(5)} == {text}
    assert "  reverses: 2\n" in render_entry(SAMPLE[5])


@pytest.mark.parametrize("original", SAMPLE, ids=lambda e: f"seq{e.seq}")
def test_round_trip_through_beancount(chart: Chart, original: JournalEntry) -> None:
    entries, errors = load_entry_text(chart, render_entry(original))
    assert errors == []
    (txn,) = [e for e in entries if isinstance(e, data.Transaction)]
    assert from_transaction(txn) == original


def test_hash_recomputes_from_the_file(chart: Chart) -> None:
    entries, _errors = load_entry_text(chart, render_entry(SAMPLE[0]))
    (txn,) = [e for e in entries if isinstance(e, data.Transaction)]
    assert entry_hash("0" * 64, from_transaction(txn)) == SAMPLE[0].hash


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("payee", dataclasses.replace(SAMPLE[0], payee="a\nb")),
        ("narration", dataclasses.replace(SAMPLE[0], narration="a\r\nb")),
        ("actor", dataclasses.replace(SAMPLE[0], actor="a\x00b")),
    ],
)
def test_control_characters_are_refused(field: str, bad: JournalEntry) -> None:
    with pytest.raises(InvalidInput, match=f"{field}: must not contain line breaks"):
        render_entry(bad)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (" * ", " ! ", "flag, tags or links differ"),
        ("#charity", "#charity #extra", "flag, tags or links differ"),
        ("500000.00 CNY\n", "500000.005 CNY\n", "more than 2 decimal places"),
        ('  cause: "test:1"\n', "", "book, cause and actor metadata must be strings"),
        ('  grant: "G-2024-01"\n', "  grant: 7\n", "metadata 'grant' must be a string"),
        ("500000.00 CNY\n", "500000.00 CNY @ 1 CNY\n", "the posting is not a plain amount"),
    ],
)
def test_from_transaction_refuses_what_was_not_exported(
    chart: Chart, old: str, new: str, reason: str
) -> None:
    text = render_entry(SAMPLE[0])
    entries, _errors = load_entry_text(chart, text.replace(old, new, 1))
    (txn,) = [e for e in entries if isinstance(e, data.Transaction)]
    with pytest.raises(LedgerValidationFailed, match=reason):
        from_transaction(txn)


def test_transaction_carries_journal_metadata_in_order() -> None:
    txn = to_transaction(SAMPLE[1])
    keys = [k for k in txn.meta if k not in ("filename", "lineno")]
    assert keys == ["seq", "hash", "cause", "actor", "book", "claim", "payment-ref"]
    assert (txn.flag, txn.tags, txn.payee) == ("*", frozenset({"insurance"}), '张三 "老张" \\ 户')


def test_main_file_opens_every_account_with_chinese_name_and_code(chart: Chart) -> None:
    text = render_main(chart, "救助账本", [2025, 2024, 2025])
    assert text == render_main(chart, "救助账本", [2024, 2025])
    assert text.endswith('include "2024.beancount"\ninclude "2025.beancount"\n')
    assert "; ── Book charity: 慈善引导资金 (Charity guidance fund) ──\n" in text
    entries, errors, options = loader.load_string(text.split("; ── Entries")[0])
    assert errors == []
    assert options["title"] == "救助账本"
    assert options["operating_currency"] == ["CNY"]
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}
    assert opens.keys() == chart.accounts.keys()
    bank = opens["Assets:Charity:Bank"]
    assert (bank.meta["name-cn"], bank.meta["code"], bank.currencies) == ("银行存款", "1002", ["CNY"])


def test_main_file_closes_closed_accounts(tmp_path: Path) -> None:
    path = tmp_path / "accounts.toml"
    path.write_text(
        '[[books]]\nname = "charity"\ncn = "慈善"\ntitle = "Charity"\n\n'
        '[[accounts]]\nname = "Assets:Charity:Bank"\ncn = "银行"\ncode = "1002"\n'
        "opened = 2020-01-01\nclosed = 2024-07-01\n",
        encoding="utf-8",
    )
    text = render_main(load_chart(path), 'A "quoted" title', [])
    assert 'option "title" "A \\"quoted\\" title"\n' in text
    assert "2024-07-01 close Assets:Charity:Bank\n" in text
    entries, errors, _options = loader.load_string(text)
    assert errors == []
    assert [type(e).__name__ for e in entries] == ["Commodity", "Open", "Close"]


def test_exported_files_pass_bean_check(sample_ledger: LedgerFiles) -> None:
    result = subprocess.run(
        [BEAN_CHECK, str(sample_ledger.main_path)], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert sorted(p.name for p in sample_ledger.directory.iterdir()) == [
        "2024.beancount",
        "2025.beancount",
        "main.beancount",
    ]


def test_load_never_leaves_a_pickle_cache(
    sample_ledger: LedgerFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Turn Beancount's cache on, write it for any load, and leave a stale one beside the ledger.
    monkeypatch.setattr(loader, "_load_file", loader._load_file)  # restored after the test
    monkeypatch.setattr(loader, "PICKLE_CACHE_THRESHOLD", 0.0)
    loader.initialize(use_cache=True)
    stale = sample_ledger.directory / ".main.beancount.picklecache"
    stale.write_bytes(b"stale")
    loaded = load(sample_ledger.directory)
    assert loaded.errors == []
    assert len([e for e in loaded.entries if isinstance(e, data.Transaction)]) == len(SAMPLE)
    assert not [p.name for p in sample_ledger.directory.iterdir() if "picklecache" in p.name]


def test_dates_of_sample_span_two_year_files(sample_ledger: LedgerFiles) -> None:
    years = {p.stem: p.read_text(encoding="utf-8") for p in sample_ledger.year_paths()}
    assert [line for line in years["2024"].splitlines() if line.startswith("  seq:")] == [
        "  seq: 1",
        "  seq: 2",
        "  seq: 4",
    ]
    assert years["2025"].count("  seq:") == 3
    assert dt.date(2024, 12, 31).isoformat() in years["2024"]
