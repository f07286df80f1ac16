"""Response bodies of the ledger routes. Money is a decimal string with two places."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class AccountBalance(msgspec.Struct):
    """One account's balance (debit positive, credit negative, Beancount's sign)."""

    account: str
    name_cn: str
    code: str
    balance: str


class Balances(msgspec.Struct):
    """Balances of one book as of a date."""

    book: str
    as_of: dt.date | None
    accounts: list[AccountBalance]
    total: str


class AccountLine(msgspec.Struct):
    """One posting of an account with its entry and the running balance."""

    seq: int
    date: dt.date
    payee: str
    narration: str
    cause: str
    actor: str
    amount: str
    balance: str
    hash: str


class AccountJournal(msgspec.Struct):
    """A page of an account's journal."""

    account: str
    opening_balance: str
    lines: list[AccountLine]
    total: int
    limit: int
    offset: int


class LedgerStatus(msgspec.Struct):
    """The result of ``ledger check``: Beancount validation, hash chain and reconciliation."""

    ok: bool
    report: dict[str, Any]
    last_kept_check: dict[str, Any] | None
