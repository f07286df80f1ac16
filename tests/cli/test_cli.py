"""The `relief-ledger` command as an operator runs it, in a subprocess with its own data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _cli(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["LEDGER_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.mark.slow
def test_operator_commands(tmp_path: Path) -> None:
    status = _cli(tmp_path, "db", "status")
    assert status.returncode == 1
    assert "platform:" in status.stdout
    refused = _cli(tmp_path, "users", "add", "early", "--role", "admin")
    assert refused.returncode == 1
    assert "relief-ledger db upgrade" in refused.stderr

    upgrade = _cli(tmp_path, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    applied = upgrade.stdout.splitlines()
    assert applied[0] == f"applied {len(applied) - 1} migration(s)"
    assert {line.strip().split(":")[0] for line in applied[1:]} == {
        "platform",
        "journal",
        "claims",
        "funds",
        "relief",
    }
    assert _cli(tmp_path, "db", "status").stdout.strip() == "database is up to date"

    added = _cli(
        tmp_path, "users", "add", "wang", "--role", "adjuster", "--password-stdin", stdin="a-long-password\n"
    )
    assert added.returncode == 0, added.stderr
    assert "password:" not in added.stdout
    generated = _cli(tmp_path, "users", "add", "li", "--role", "auditor")
    assert "password: " in generated.stdout
    bad_role = _cli(tmp_path, "users", "add", "zhao", "--role", "boss")
    assert bad_role.returncode == 1
    assert "role must be one of adjuster, approver, accountant, auditor, admin" in bad_role.stderr

    first = _cli(tmp_path, "jobs", "run", "purge-idempotency-keys", "--period", "2026-11-28")
    again = _cli(tmp_path, "jobs", "run", "purge-idempotency-keys", "--period", "2026-11-28")
    assert "purge-idempotency-keys:2026-11-28: done" in first.stdout
    assert "purge-idempotency-keys:2026-11-28: skipped" in again.stdout
    current = _cli(tmp_path, "jobs", "run", "purge-idempotency-keys")
    assert "purge-idempotency-keys:2026-11-30: done" in current.stdout  # yesterday of the pinned clock
    listing = _cli(tmp_path, "jobs", "list")
    assert "purge-idempotency-keys" in listing.stdout
    assert "last purge-idempotency-keys:2026-11-30 done" in listing.stdout

    check = _cli(tmp_path, "ledger", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "OK: 0 entries" in check.stdout
    verify = _cli(tmp_path, "ledger", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "chain intact: 0 entries" in verify.stdout
