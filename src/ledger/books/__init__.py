"""The ledger core: the only package that imports Beancount (as Fava keeps it behind ``beans/``).

- ``chart``: the chart of accounts and the rules an entry must meet;
- ``render``: journal entries <-> Beancount text, ``main.beancount``;
- ``files``: the ledger directory, append-only year files read from their tail;
- ``exporter``: journal -> files, exactly once;
- ``verify``: the hash chain recomputed from the files;
- ``check``: bean-check + chain + reconciliation with the journal;
- ``query``: loading, balances, account postings;
- ``fava``: Fava, read-only.
"""

from __future__ import annotations

from ledger.books.chart import Account, Book, Chart, load_chart
from ledger.books.check import (
    CheckReport,
    Difference,
    JournalSummary,
    LoadProblem,
    check_ledger,
    check_loaded,
    reconcile,
)
from ledger.books.exporter import ExportResult, JournalSource, complete_seq, export
from ledger.books.fava import fava_command, run_fava
from ledger.books.files import LedgerFiles, TailBlock
from ledger.books.query import LoadedLedger, PostingRow, account_postings, balances, load
from ledger.books.render import from_transaction, render_entry, render_main, to_transaction
from ledger.books.verify import ChainProblem, ChainReport, verify_chain, verify_files

__all__ = (
    "Account",
    "Book",
    "ChainProblem",
    "ChainReport",
    "Chart",
    "CheckReport",
    "Difference",
    "ExportResult",
    "JournalSource",
    "JournalSummary",
    "LedgerFiles",
    "LoadProblem",
    "LoadedLedger",
    "PostingRow",
    "TailBlock",
    "account_postings",
    "balances",
    "check_ledger",
    "check_loaded",
    "complete_seq",
    "export",
    "fava_command",
    "from_transaction",
    "load",
    "load_chart",
    "reconcile",
    "render_entry",
    "render_main",
    "run_fava",
    "to_transaction",
    "verify_chain",
    "verify_files",
)
