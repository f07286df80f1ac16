"""Fixtures for the charity fund's pure rules: the chart of accounts and a tiny ledger fold."""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from importlib import resources

import pytest

from ledger.core.entries import Posting

Fold = Callable[[Mapping[str, int], Iterable[Posting]], dict[str, int]]


@pytest.fixture(scope="session")
def charity_accounts() -> frozenset[str]:
    """The charity book's accounts opened by the packaged ``accounts.toml``."""
    text = resources.files("ledger.config").joinpath("accounts.toml").read_text(encoding="utf-8")
    return frozenset(a["name"] for a in tomllib.loads(text)["accounts"] if ":Charity:" in a["name"])


@pytest.fixture(scope="session")
def account_codes() -> dict[str, str]:
    """Account name -> statutory code, from ``accounts.toml``."""
    text = resources.files("ledger.config").joinpath("accounts.toml").read_text(encoding="utf-8")
    return {a["name"]: a["code"] for a in tomllib.loads(text)["accounts"]}


def _fold(balances: Mapping[str, int], postings: Iterable[Posting]) -> dict[str, int]:
    """Return ``balances`` with ``postings`` applied, dropping zero balances."""
    result = Counter(balances)
    for posting in postings:
        result[posting.account] += posting.fen
    return {account: fen for account, fen in result.items() if fen != 0}


@pytest.fixture(scope="session")
def fold() -> Fold:
    """Apply postings to a balance map (a ledger in miniature)."""
    return _fold
