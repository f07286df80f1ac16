"""Fixtures for the claims domain's pure rules: the shipped policy, its 2026 rules, custom policy files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger.claims.policy import DEFAULT_POLICY_FILE, PolicyConfig, RuleVersion, load_policy

WritePolicy = Callable[[str], Path]


@pytest.fixture(scope="session")
def policy() -> PolicyConfig:
    """The shipped ``policy.toml``."""
    return load_policy()


@pytest.fixture(scope="session")
def rules(policy: PolicyConfig) -> RuleVersion:
    """The rules in force in mid-2026 under the shipped policy."""
    return policy.rules_on(dt.date(2026, 6, 1))


@pytest.fixture(scope="session")
def policy_text() -> str:
    """The text of the shipped policy file, for tests that write variants of it."""
    return DEFAULT_POLICY_FILE.read_text(encoding="utf-8")


@pytest.fixture
def write_policy(tmp_path: Path) -> WritePolicy:
    """Write TOML text to a temporary policy file and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "policy.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
