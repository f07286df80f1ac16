"""After a fault: the journal, the Beancount files and the domain tables must agree.

``assert_agreement`` is the one check every fault test ends with. It needs the database of
``settings`` connected (``db.connected``), and changes nothing: no export, no kept check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

from piccolo.table import Table

from ledger.books import LedgerFiles, check_ledger, render_entry
from ledger.claims.tables import PaymentRow, PremiumReceipt
from ledger.config import Settings
from ledger.funds.tables import FundReceipt, GrantReturn, GrantTranche
from ledger.journal.repository import JournalRepository
from ledger.journal.service import Ledger
from ledger.journal.tables import JournalEntryRow


@dataclass(frozen=True, slots=True)
class _Source:
    """A domain table whose rows each cause one journal entry, ``cause = "<prefix>:<row id>"``."""

    table: type[Table]
    amount: str  # the column of the amount in fen: every debit leg of the entry equals it


# Every domain row that books money and records the seq of its entry. (Commitments, releases and
# period closes post from several rows at once and are covered by the journal = files half only.)
SOURCES: Mapping[str, _Source] = {
    "premium": _Source(PremiumReceipt, "fen"),
    "claim-payment": _Source(PaymentRow, "fen"),
    "fund-receipt": _Source(FundReceipt, "fen"),
    "grant-tranche": _Source(GrantTranche, "amount_fen"),
    "grant-return": _Source(GrantReturn, "fen"),
}


@dataclass(frozen=True, slots=True)
class Agreement:
    """What agreed: the journal's entry count (= the files') and the domain rows per cause prefix."""

    entries: int
    domain_rows: dict[str, int]


async def assert_agreement(settings: Settings) -> Agreement:
    """Assert journal = files (count, sums per account, per-entry hashes, no torn or extra block) and
    domain rows = journal entries (each row's entry exists, names the row as its cause and moves its
    amount; each such entry has its row; no row is left without its entry).

    Args:
        settings: the installation (its ledger directory, and the database already connected).

    Returns:
        The counts that agreed, for the caller's own expectations.
    """
    ledger = Ledger.of(settings)
    summary = await ledger.summary()
    report = await asyncio.to_thread(check_ledger, ledger.directory, summary)
    assert report.ok, "journal and files differ:\n" + "\n".join(report.summary_lines())
    assert report.chain.count == summary.count
    await _assert_complete_tails(ledger.files)
    counts = {prefix: await _assert_source(prefix, source) for prefix, source in SOURCES.items()}
    return Agreement(entries=summary.count, domain_rows=counts)


async def _assert_complete_tails(files: LedgerFiles) -> None:
    """No year file ends in a torn block: each last block is its journal entry's rendering, byte for byte."""
    repo = JournalRepository()
    for block in files.last_blocks():
        assert block.seq is not None, f"{block.path.name} ends in a torn block: {block.data[:80]!r}"
        entry = await repo.entry(block.seq)
        assert entry is not None, f"{block.path.name}: seq {block.seq} is not in the journal"
        assert block.data == render_entry(entry).encode("utf-8"), (
            f"{block.path.name}: seq {block.seq} is torn"
        )


async def _assert_source(prefix: str, source: _Source) -> int:
    """Assert the rows of one domain table and their journal entries match one to one; return the count."""
    repo = JournalRepository()
    table, name = source.table, source.table._meta.tablename
    journal_seq, amount = (
        table._meta.get_column_by_name("journal_seq"),
        table._meta.get_column_by_name(source.amount),
    )
    rows = await table.select(table._meta.primary_key, journal_seq, amount).where(journal_seq.is_not_null())
    for row in rows:
        label = f"{name} {row['id']}"
        assert row["journal_seq"], f"{label} has no journal entry (half-written)"
        entry = await repo.entry(int(row["journal_seq"]))
        assert entry is not None, f"{label}: its entry seq {row['journal_seq']} is not in the journal"
        assert entry.cause == f"{prefix}:{row['id']}", f"{label}: seq {entry.seq} is caused by {entry.cause}"
        debits = [p.fen for p in entry.postings if p.fen > 0]
        assert debits, f"{label}: seq {entry.seq} has no debit"
        assert all(fen == row[source.amount] for fen in debits), (
            f"{label}: seq {entry.seq} moves {debits}, the row {row[source.amount]}"
        )
    booked = {int(row["id"]) for row in rows}
    originals = await JournalEntryRow.select(JournalEntryRow.seq, JournalEntryRow.cause).where(
        JournalEntryRow.cause.like(f"{prefix}:%") & JournalEntryRow.reverses.is_null()
    )
    for entry in originals:
        row_id = int(entry["cause"].split(":", 1)[1])
        assert row_id in booked, f"seq {entry['seq']} ({entry['cause']}) has no {name} row"
    assert len(originals) == len(rows), f"{prefix}: {len(originals)} entries for {len(rows)} rows"
    return len(rows)
