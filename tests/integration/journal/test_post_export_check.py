"""Posting, reversing, exporting and checking the journal against the Beancount files."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ledger import db
from ledger.books import load_chart, verify_files
from ledger.config import Settings
from ledger.core.entries import Posting, UnbalancedEntry
from ledger.core.errors import Conflict, InvalidInput, NotFound
from ledger.core.money import format_amount
from ledger.journal import service
from ledger.journal.repository import JournalRepository
from ledger.journal.service import Ledger
from tests.conftest import PG_URL

CHART = load_chart()
ACCOUNTS = {
    book: sorted(name for name, account in CHART.accounts.items() if account.book == book)
    for book in CHART.books
}


async def _post(
    postings: list[Posting], *, book: str = "charity", day: int = 1, cause: str = "test:1"
) -> Any:
    async with db.write_transaction():
        return await service.post(
            date=dt.date(2026, 3, day),
            book=book,
            narration="测试分录",
            payee="测试",
            postings=postings,
            cause=cause,
            actor="tester",
        )


GRANT = [
    Posting("Assets:Charity:Bank", 100_000_000),
    Posting("Income:Charity:GovernmentGrant:Restricted", -100_000_000),
]


async def test_post_assigns_seq_and_chains_hashes(database: Any) -> None:
    first = await _post(GRANT)
    second = await _post(GRANT, day=2)
    assert (first.seq, second.seq) == (1, 2)
    assert len(first.hash) == 64
    assert first.hash != second.hash
    stored = await JournalRepository().entry(2)
    assert stored == second


@pytest.mark.parametrize(
    ("postings", "book", "problem"),
    [
        (
            [Posting("Assets:Charity:Bank", 100), Posting("Income:Charity:Donations:Restricted", -99)],
            "charity",
            "balance",
        ),
        ([Posting("Assets:Charity:Bank", 100), Posting("Income:Nowhere", -100)], "charity", "Income:Nowhere"),
        ([Posting("Assets:Charity:Bank", 100), Posting("Income:Insurance:Premium", -100)], "charity", "book"),
        ([Posting("Assets:Charity:Bank", 100)], "charity", "2"),
    ],
)
async def test_bad_entries_are_refused_and_nothing_is_written(
    database: Any, postings: list[Posting], book: str, problem: str
) -> None:
    with pytest.raises(UnbalancedEntry) as caught:
        await _post(postings, book=book)
    assert problem in caught.value.message
    assert caught.value.field == "postings"
    assert await JournalRepository().count() == 0


async def test_reversal_negates_and_links_and_only_once(database: Any, settings: Settings) -> None:
    original = await _post(GRANT)
    async with db.write_transaction():
        reversal = await service.reverse(original.seq, reason="重复录入", actor="tester")
    assert reversal.reverses == original.seq
    assert [p.fen for p in reversal.postings] == [-100_000_000, 100_000_000]
    assert await service.balances("charity") == {
        "Assets:Charity:Bank": 0,
        "Income:Charity:GovernmentGrant:Restricted": 0,
    }
    with pytest.raises(Conflict, match="already reversed by entry 2"):
        async with db.write_transaction():
            await service.reverse(original.seq, reason="again", actor="tester")
    another = await _post(GRANT, day=3)
    with pytest.raises(InvalidInput, match="needs a reason"):
        async with db.write_transaction():
            await service.reverse(another.seq, reason=" ", actor="tester")
    with pytest.raises(NotFound, match="journal entry 99 does not exist"):
        async with db.write_transaction():
            await service.reverse(99, reason="typo", actor="tester")
    await Ledger.of(settings).export()
    text = (settings.resolved_ledger_dir / "2026.beancount").read_text()
    assert "reverses: 1" in text
    assert (await Ledger.of(settings).check()).ok


async def test_export_is_exactly_once_and_check_is_clean(database: Any, settings: Settings) -> None:
    ledger = Ledger.of(settings)
    for day in range(1, 6):
        await _post(GRANT, day=day, cause=f"receipt:{day}")
        await ledger.export()
    await ledger.export()
    text = (settings.resolved_ledger_dir / "2026.beancount").read_text()
    assert text.count("  seq: ") == 5
    assert text.count(" 1000000.00 CNY") == 5
    report = await ledger.check()
    assert report.ok, report.summary_lines()
    assert report.chain.head_seq == 5
    bean_check = subprocess.run(
        [
            str(Path(sys.executable).parent / "bean-check"),
            str(settings.resolved_ledger_dir / "main.beancount"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bean_check.returncode == 0, bean_check.stderr
    assert not list(settings.resolved_ledger_dir.glob("*picklecache*"))


async def test_check_names_what_differs(database: Any, settings: Settings) -> None:
    ledger = Ledger.of(settings)
    await _post(GRANT)
    await ledger.export()
    await _post(GRANT, day=2)  # committed, not exported
    report = await ledger.check()
    assert not report.ok
    messages = " ".join(report.summary_lines())
    assert "seq 2" in messages


async def test_balances_api_equals_beancount(client: Any, login: Any, settings: Settings) -> None:
    await _post(GRANT)
    await _post(
        [
            Posting("Expenses:Charity:Programs", 12_345_67),
            Posting("Liabilities:Charity:GrantsPayable", -12_345_67),
        ],
        day=5,
    )
    await _post(
        [Posting("Liabilities:Charity:GrantsPayable", 7_407_40), Posting("Assets:Charity:Bank", -7_407_40)],
        day=9,
    )
    await Ledger.of(settings).export()
    headers = await login("auditor")
    response = await client.get("/api/ledger/balances/charity", headers=headers)
    assert response.status_code == 200
    api = {a["account"]: a["balance"] for a in response.json()["accounts"]}
    assert api["Assets:Charity:Bank"] == "992592.60"
    assert api["Liabilities:Charity:GrantsPayable"] == "-4938.27"
    from ledger.books import balances, load

    beancount = balances(load(settings.resolved_ledger_dir).entries, "charity")
    assert beancount == await service.balances("charity")
    for account, fen in beancount.items():
        assert api[account] == format_amount(fen)
    as_of = await client.get("/api/ledger/balances/charity", params={"as_of": "2026-03-04"}, headers=headers)
    assert {a["account"]: a["balance"] for a in as_of.json()["accounts"]}[
        "Assets:Charity:Bank"
    ] == "1000000.00"
    journal = await client.get(
        "/api/ledger/accounts/Liabilities:Charity:GrantsPayable/journal", headers=headers
    )
    lines = journal.json()["lines"]
    assert [line["amount"] for line in lines] == ["-12345.67", "7407.40"]
    assert [line["balance"] for line in lines] == ["-12345.67", "-4938.27"]
    bad = await client.get("/api/ledger/balances/pension", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["field"] == "book"
    status = await client.get("/api/ledger/status", headers=headers)
    assert status.json()["ok"] is True


def _random_entry(draw: Any, book: str) -> tuple[list[Posting], bool]:
    accounts = ACCOUNTS[book]
    count = draw(st.integers(min_value=1, max_value=3))
    legs = [
        Posting(
            draw(st.sampled_from(accounts)),
            draw(st.integers(min_value=-(10**9), max_value=10**9).filter(bool)),
        )
        for _ in range(count)
    ]
    balancing = -sum(p.fen for p in legs)
    balanced = draw(st.booleans()) or balancing == 0
    if balancing == 0:
        legs.append(Posting(accounts[0], 1))
        legs.append(Posting(accounts[-1], -1))
        return legs, True
    legs.append(Posting(draw(st.sampled_from(accounts)), balancing if balanced else balancing + 1))
    return legs, balanced


@st.composite
def journal_scripts(draw: Any) -> list[tuple[str, Any]]:
    steps: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        if steps and draw(st.integers(0, 4)) == 0:
            steps.append(("reverse", draw(st.integers(min_value=1, max_value=len(steps)))))
        else:
            book = draw(st.sampled_from(sorted(ACCOUNTS)))
            steps.append(("post", (book, *_random_entry(draw, book))))
    return steps


@pytest.mark.slow
@hypothesis_settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(script=journal_scripts())
def test_property_journal_stays_balanced_and_files_check_clean(
    script: list[tuple[str, Any]], tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path | None
) -> None:
    data_dir = tmp_path_factory.mktemp("prop")
    if sqlite_template is not None:
        shutil.copy(sqlite_template, data_dir / "relief-ledger.sqlite")
    settings = Settings(data_dir=data_dir, database_url=PG_URL, secret_key="x" * 32)
    asyncio.run(_run_script(settings, script))


async def _run_script(settings: Settings, script: list[tuple[str, Any]]) -> None:
    from tests.conftest import _truncate_all

    async with db.connected(settings) as engine:
        if settings.is_postgres:
            await _truncate_all(engine)
        ledger = Ledger.of(settings)
        posted = 0
        for kind, arg in script:
            if kind == "post":
                book, postings, balanced = arg
                try:
                    await _post(postings, book=book)
                except UnbalancedEntry:
                    assert not balanced or any(p.fen == 0 for p in postings)
                else:
                    assert balanced
                    posted += 1
            else:
                try:
                    async with db.write_transaction():
                        await service.reverse(arg, reason="property test", actor="tester")
                    posted += 1
                except (Conflict, NotFound):
                    pass
            await ledger.export()
        sums = await service.balances(None)
        for book in ACCOUNTS:
            assert sum(fen for account, fen in sums.items() if CHART.accounts[account].book == book) == 0
        report = await ledger.check()
        assert report.ok, report.summary_lines()
        assert report.chain.count == posted == await JournalRepository().count()
        assert verify_files(settings.resolved_ledger_dir).ok


async def test_post_many_chains_thousands_of_entries_past_the_drivers_value_limit(
    database: Any, settings: Settings
) -> None:
    """3,000 entries of 11 values would pass asyncpg's 32,767 values in one statement; they are inserted
    in chunks, numbered and chained as if posted one by one, and the files check."""
    drafts = [
        service.Draft(
            date=dt.date(2026, 1, 1),
            book="charity",
            narration=f"n{n}",
            postings=[
                Posting("Assets:Charity:Bank", 100 + n),
                Posting("Income:Charity:Donations:Restricted", -100 - n),
            ],
            cause=f"test:{n}",
            actor="tester",
        )
        for n in range(3000)
    ]
    async with db.write_transaction():
        entries = await service.post_many(drafts)
    assert [e.seq for e in entries] == list(range(1, 3001))
    assert (await JournalRepository().head()) == (3000, entries[-1].hash)
    await Ledger.of(settings).export()
    report = await Ledger.of(settings).check()
    assert report.ok, report
