"""The chart of accounts: loading, validation, and the rules an entry must meet."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from ledger.books import Chart, load_chart
from ledger.core.entries import Posting
from ledger.core.errors import InvalidInput
from tests.unit.books.journal import SAMPLE, entry

D = dt.date

CHART_TOML = """
[[books]]
name = "insurance"
cn = "政府救助责任保险"
title = "Insurance"

[[accounts]]
name = "Assets:Insurance:Bank"
cn = "银行存款"
code = "1002"
opened = 2020-01-01

[[accounts]]
name = "Expenses:Insurance:Claims:Old"
cn = "旧科目"
code = "6511"
opened = 2020-01-01
closed = 2024-01-01
"""


def write_chart(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_chart_has_the_three_books(chart: Chart) -> None:
    assert list(chart.books) == ["insurance", "charity", "relief"]
    bank = chart.account("Assets:Charity:Bank")
    assert (bank.book, bank.code, bank.cn, bank.opened, bank.closed) == (
        "charity",
        "1002",
        "银行存款",
        D(2020, 1, 1),
        None,
    )
    assert chart.books["insurance"].cn == "政府救助责任保险"
    assert [a.name for a in chart.accounts.values() if a.book == "relief"] == [
        "Assets:Relief:Bank",
        "Assets:Relief:Recoverable",
        "Liabilities:Relief:Payable",
        "Income:Relief:Appropriation",
        "Expenses:Relief:Dibao",
        "Expenses:Relief:Tekun",
        "Expenses:Relief:SchoolLunch",
    ]
    assert all(a.book == a.name.split(":")[1].lower() for a in chart.accounts.values())


def test_unknown_account_is_invalid_input(chart: Chart) -> None:
    with pytest.raises(InvalidInput) as caught:
        chart.account("Assets:Charity:Cash")
    assert (caught.value.field, caught.value.rule) == ("account", "account in chart of accounts")


def test_is_open_includes_opening_day_and_excludes_closing_day(tmp_path: Path) -> None:
    chart = load_chart(write_chart(tmp_path, CHART_TOML))
    old = "Expenses:Insurance:Claims:Old"
    assert not chart.is_open(old, D(2019, 12, 31))
    assert chart.is_open(old, D(2020, 1, 1))
    assert chart.is_open(old, D(2023, 12, 31))
    assert not chart.is_open(old, D(2024, 1, 1))
    assert not chart.is_open("Assets:Nowhere:Bank", D(2023, 1, 1))


def test_sample_entries_have_no_problems(chart: Chart) -> None:
    assert [chart.problems(e) for e in SAMPLE] == [[]] * len(SAMPLE)


def test_unbalanced_entry(chart: Chart) -> None:
    bad = entry(1, D(2025, 1, 1), "charity", ("Assets:Charity:Bank", 100), ("Expenses:Charity:Admin", -93))
    assert chart.problems(bad) == ["the postings do not balance: they sum to 0.07 CNY, not 0.00"]


def test_unknown_account(chart: Chart) -> None:
    bad = entry(1, D(2025, 1, 1), "charity", ("Assets:Charity:Cash", 100), ("Assets:Charity:Bank", -100))
    assert chart.problems(bad) == ["Assets:Charity:Cash: account is not in the chart of accounts"]


def test_closed_and_not_yet_open_accounts(tmp_path: Path) -> None:
    chart = load_chart(write_chart(tmp_path, CHART_TOML))
    late = entry(
        1, D(2024, 1, 1), "insurance", ("Expenses:Insurance:Claims:Old", 5), ("Assets:Insurance:Bank", -5)
    )
    assert chart.problems(late) == [
        "Expenses:Insurance:Claims:Old: account is not open on 2024-01-01 "
        "(opened 2020-01-01, closed from 2024-01-01)"
    ]
    early = dataclasses.replace(late, date=D(2019, 6, 1))
    assert chart.problems(early) == [
        "Expenses:Insurance:Claims:Old: account is not open on 2019-06-01 "
        "(opened 2020-01-01, closed from 2024-01-01)",
        "Assets:Insurance:Bank: account is not open on 2019-06-01 (opened 2020-01-01)",
    ]


def test_cross_book_entry(chart: Chart) -> None:
    bad = entry(1, D(2025, 1, 1), "insurance", ("Assets:Charity:Bank", 100), ("Assets:Insurance:Bank", -100))
    assert chart.problems(bad) == [
        "Assets:Charity:Bank: account belongs to book 'charity', not 'insurance'; "
        "an entry may not cross books"
    ]


def test_too_few_zero_and_foreign_postings(chart: Chart) -> None:
    single = entry(1, D(2025, 1, 1), "charity", ("Assets:Charity:Bank", 0))
    assert chart.problems(single) == [
        "an entry needs at least 2 postings, this one has 1",
        "Assets:Charity:Bank: a posting must not be zero",
    ]
    usd = dataclasses.replace(
        SAMPLE[0],
        postings=(Posting("Assets:Charity:Bank", 100, "USD"), Posting("Expenses:Charity:Admin", -100, "USD")),
    )
    assert chart.problems(usd) == [
        "Assets:Charity:Bank: currency 'USD' is not the ledger currency CNY",
        "Expenses:Charity:Admin: currency 'USD' is not the ledger currency CNY",
    ]


def test_unknown_book(chart: Chart) -> None:
    bad = dataclasses.replace(SAMPLE[0], book="pension")
    assert chart.problems(bad)[0] == (
        "book 'pension' is not in the chart of accounts (insurance, charity, relief)"
    )


def test_text_that_would_not_round_trip(chart: Chart) -> None:
    bad = dataclasses.replace(
        SAMPLE[0],
        narration="第一行\n\n2025-01-01 * 伪造",
        links=(("Claim", "x"), ("hash", "y"), ("grant", "a\tb")),
    )
    assert chart.problems(bad) == [
        "narration: must not contain line breaks or control characters",
        "link 'Claim': key must match [a-z][a-zA-Z0-9_-]* (a Beancount metadata key)",
        "link 'hash': key is reserved for the ledger's own metadata",
        "link 'grant': value must not contain line breaks or control characters",
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Insurance:Bank", "Pension:Bank", "names book 'pension', which is not in [[books]]"),
        ('"Assets:Insurance:Bank"', '"Assets:insurance:Bank"', "each segment starting with a capital letter"),
        ("closed = 2024-01-01", "closed = 2019-01-01", "is closed (2019-01-01) before it opens (2020-01-01)"),
        ('code = "1002"\n', "", "accounts[0].code: is required"),
        ("opened = 2020-01-01\n\n", 'opened = "2020"\n\n', "accounts[0].opened: must be a TOML date"),
        ('name = "insurance"', 'name = "Insurance"', "book name 'Insurance' must be lower-case"),
        (
            "[[accounts]]",
            '[[accounts]]\nname = "Assets:Insurance:Bank"\ncn = "x"\ncode = "1"\nopened = 2020-01-01\n\n'
            "[[accounts]]",
            "account 'Assets:Insurance:Bank' is defined twice",
        ),
    ],
)
def test_invalid_chart_is_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = CHART_TOML.replace(old, new, 1)
    assert text != CHART_TOML
    with pytest.raises(ValueError, match=re.escape(message)):
        load_chart(write_chart(tmp_path, text))
