"""Property: any journal of balanced entries over both books exports to a ledger that checks clean."""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.books import Chart, LedgerFiles, balances, check_ledger, export, load, load_chart
from ledger.core.entries import JournalEntry
from tests.unit.books.journal import TITLE, MemoryJournal, chained, entry, no_lock, summary

CHART = load_chart()
ACCOUNTS = {book: sorted(a.name for a in CHART.accounts.values() if a.book == book) for book in CHART.books}
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12)


@st.composite
def balanced_entry(draw: st.DrawFn, seq: int) -> JournalEntry:
    book = draw(st.sampled_from(sorted(ACCOUNTS)))
    accounts = draw(st.lists(st.sampled_from(ACCOUNTS[book]), min_size=1, max_size=4))
    amounts = draw(
        st.lists(st.integers(-(10**12), 10**12).filter(bool), min_size=len(accounts), max_size=len(accounts))
    )
    balancing = -sum(amounts)
    if balancing == 0:  # no zero postings: fold the last amount into a new balancing leg
        balancing, amounts = amounts[-1] * 2, [*amounts[:-1], -amounts[-1]]
    postings = [*zip(accounts, amounts, strict=True), (draw(st.sampled_from(ACCOUNTS[book])), balancing)]
    return entry(
        seq,
        draw(st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31))),
        book,
        *postings,
        payee=draw(TEXT),
        narration=draw(TEXT),
        links=tuple(
            sorted(draw(st.dictionaries(st.sampled_from(["claim", "grant", "payment-ref"]), TEXT)).items())
        ),
    )


@st.composite
def journals(draw: st.DrawFn) -> list[JournalEntry]:
    size = draw(st.integers(1, 12))
    return chained(draw(balanced_entry(seq)) for seq in range(1, size + 1))


async def export_in_steps(
    directory: Path, chart: Chart, journal: list[JournalEntry], steps: list[int]
) -> None:
    files = LedgerFiles(directory)
    for upto in [*steps, len(journal)]:
        await export(files, MemoryJournal(journal[:upto]), chart, TITLE, no_lock(), batch_size=3)


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(journal=journals(), steps=st.lists(st.integers(0, 12), max_size=3))
def test_exported_journal_checks_clean_and_balances_match(
    journal: list[JournalEntry], steps: list[int]
) -> None:
    assert all(CHART.problems(e) == [] for e in journal)
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        asyncio.run(export_in_steps(directory, CHART, journal, sorted(min(s, len(journal)) for s in steps)))
        report = check_ledger(directory, summary(journal))
        assert report.ok, report.summary_lines()
        expected: dict[str, int] = {}
        for item in journal:
            for posting in item.postings:
                expected[posting.account] = expected.get(posting.account, 0) + posting.fen
        assert balances(load(directory).entries) == expected
