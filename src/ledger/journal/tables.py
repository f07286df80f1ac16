"""The journal: immutable entries and their postings, money in integer fen."""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.table import Table


class JournalEntryRow(Table, tablename="journal_entry"):
    """One balanced entry; ``seq`` is its gap-free position, ``hash`` chains it to ``seq - 1``."""

    id = Serial(primary_key=True)
    seq = BigInt(unique=True)
    date = Date()
    book = Varchar(length=16, index=True)
    payee = Varchar(length=200, default="")
    narration = Text()
    cause = Varchar(length=100, index=True)
    actor = Varchar(length=64)
    links = Text(default="[]")
    reverses = BigInt(null=True, default=None)
    hash = Varchar(length=64)
    created_at = Timestamptz()


class JournalPostingRow(Table, tablename="journal_posting"):
    """One leg of an entry: debit positive, credit negative, in fen."""

    id = Serial(primary_key=True)
    entry = ForeignKey(references=JournalEntryRow, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)
    seq = BigInt(index=True)
    position = Integer()
    account = Varchar(length=120, index=True)
    fen = BigInt()
    currency = Varchar(length=3, default="CNY")
    date = Date(index=True)


class LedgerCheckRow(Table, tablename="ledger_check"):
    """A kept outcome of a ledger check, verify or export: what ``/health`` and auditors read.

    ``kind`` is ``check`` (bean-check, chain and reconciliation), ``verify`` (the chain from the files
    alone) or ``export`` (only failures, and the first success after one); ``summary`` is a few lines
    for people, ``report`` the full result as JSON.
    """

    id = Serial(primary_key=True)
    kind = Varchar(length=16, default="check", index=True)
    at = Timestamptz()
    ok = Boolean()
    entries = BigInt()
    head_hash = Varchar(length=64, default="")
    summary = Text(default="")
    report = Text()
