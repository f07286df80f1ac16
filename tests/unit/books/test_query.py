"""Balances and account postings read from the files, in fen."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.books import LedgerFiles, PostingRow, account_postings, balances, load
from ledger.core.errors import InvalidInput


def test_balances_per_book_and_date(sample_ledger: LedgerFiles) -> None:
    loaded = load(sample_ledger.directory)
    assert balances(loaded.entries, "charity") == {
        "Assets:Charity:Bank": 49_209_999,
        "Income:Charity:GovernmentGrant:Restricted": -50_000_000,
        "Expenses:Charity:Programs": 800_000,
        "Expenses:Charity:Admin": 1,
        "Income:Charity:Donations:Unrestricted": -10_000,
    }
    assert balances(loaded.entries, "insurance") == {
        "Expenses:Insurance:Claims:FireExplosion": 0,
        "Liabilities:Insurance:ClaimsPayable": 1_234_567,
        "Assets:Insurance:Bank": -1_234_567,
    }
    assert balances(loaded.entries, as_of=dt.date(2024, 12, 30)) == {
        "Assets:Charity:Bank": 50_000_000,
        "Income:Charity:GovernmentGrant:Restricted": -50_000_000,
        "Expenses:Insurance:Claims:FireExplosion": 1_234_567,
        "Liabilities:Insurance:ClaimsPayable": -1_234_567,
    }
    assert sum(balances(loaded.entries).values()) == 0


def test_unknown_book_is_refused(sample_ledger: LedgerFiles) -> None:
    with pytest.raises(InvalidInput, match="unknown book 'pension'"):
        balances([], "pension")


def test_account_postings_with_running_balance(sample_ledger: LedgerFiles) -> None:
    entries = load(sample_ledger.directory).entries
    rows = account_postings(entries, "Liabilities:Insurance:ClaimsPayable")
    assert [(r.seq, r.fen, r.balance) for r in rows] == [
        (2, -1_234_567, -1_234_567),
        (3, 1_234_567, 0),
        (6, 1_234_567, 1_234_567),
    ]
    assert account_postings(entries, "Liabilities:Insurance:ClaimsPayable", start=dt.date(2025, 2, 1)) == [
        PostingRow(dt.date(2025, 2, 2), 6, "", "冲销 seq 2", 1_234_567, 1_234_567)
    ]
    assert [r.seq for r in account_postings(entries, "Assets:Charity:Bank", end=dt.date(2024, 12, 31))] == [
        1,
        4,
    ]
