"""`/health`: degraded with the reason after a failed check, verify or export, or while the files trail
the journal; the CLI's check and verify keep their outcome where `/health` reads it."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ledger import db
from ledger.config import Settings
from ledger.core import clock
from ledger.journal.service import Ledger
from ledger.journal.tables import JournalEntryRow, JournalPostingRow
from tests.integration.journal.conftest import PostPayment


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """``relief-ledger ARGS`` in a subprocess on the test's data dir and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["LEDGER_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        env["LEDGER_DATABASE_URL"] = settings.database_url
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args], capture_output=True, text=True, env=env, check=False
    )


async def _health(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/health")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _edit_year_file(settings: Settings, old: str, new: str) -> str:
    """Replace ``old`` by ``new`` in 2026.beancount, as someone editing it would; return the original."""
    year = settings.resolved_ledger_dir / "2026.beancount"
    original = year.read_text(encoding="utf-8")
    year.write_text(original.replace(old, new), encoding="utf-8")
    return original


def _restore_year_file(settings: Settings, original: str) -> None:
    (settings.resolved_ledger_dir / "2026.beancount").write_text(original, encoding="utf-8")


@pytest.mark.slow
async def test_cli_check_of_a_tampered_file_makes_health_degraded(
    exported_five: Ledger, client: httpx.AsyncClient, settings: Settings
) -> None:
    healthy = await _health(client)
    assert (healthy["status"], healthy["reasons"], healthy["ledger"]["last_check"]) == ("ok", [], None)
    original = _edit_year_file(settings, "300.03 CNY", "900.03 CNY")

    check = _cli(settings, "ledger", "check")
    assert check.returncode == 1, check.stdout + check.stderr
    health = await _health(client)
    assert health["status"] == "degraded"
    [reason] = health["reasons"]
    assert reason.startswith("ledger-check-failed: the check at ")
    assert "found 3 problems; the first: edited seq 3 at 2026.beancount:" in reason
    assert str(settings.data_dir) not in reason  # /health is public: no paths
    last = health["ledger"]["last_check"]
    assert last["ok"] is False
    assert last["summary"].startswith("3 problems; the first: edited seq 3")

    _restore_year_file(settings, original)
    again = _cli(settings, "ledger", "check")
    assert again.returncode == 0, again.stdout + again.stderr
    health = await _health(client)
    assert (health["status"], health["reasons"]) == ("ok", [])
    assert health["ledger"]["last_check"]["ok"] is True
    assert health["ledger"]["last_check"]["summary"] == "OK: 5 entries reconciled with the journal"


@pytest.mark.slow
async def test_cli_verify_failure_is_reported_until_a_check_passes(
    exported_five: Ledger, client: httpx.AsyncClient, settings: Settings
) -> None:
    original = _edit_year_file(settings, "赔付 4", "赔付 四")
    verify = _cli(settings, "ledger", "verify")
    assert verify.returncode == 1, verify.stdout + verify.stderr
    health = await _health(client)
    [reason] = health["reasons"]
    assert reason.startswith("ledger-verify-failed: the verify at ")
    date_line = _line_of(original, "seq: 4") - 1
    assert reason.endswith(f"found 1 chain problem; the first: edited seq 4 at 2026.beancount:{date_line}")
    _restore_year_file(settings, original)
    assert (await exported_five.check()).ok
    assert (await _health(client))["status"] == "ok"


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


async def test_api_status_keeps_its_check(
    exported_five: Ledger, client: httpx.AsyncClient, login: Any
) -> None:
    headers = await login("auditor")
    status = await client.get("/api/ledger/status", headers=headers)
    assert status.status_code == 200
    assert status.json()["last_kept_check"]["ok"] is True
    assert (await _health(client))["ledger"]["last_check"]["ok"] is True


async def test_files_behind_the_journal_for_long_are_degraded(
    exported_five: Ledger, client: httpx.AsyncClient, post_payment: PostPayment
) -> None:
    await post_payment(6)
    await post_payment(7)
    moments_ago = await _health(client)
    assert moments_ago["status"] == "ok"  # each commit exports at once: a moment's lag is normal
    assert moments_ago["ledger"]["lag_entries"] == 2
    assert moments_ago["ledger"]["in_sync"] is False

    await JournalEntryRow.update({JournalEntryRow.created_at: clock.now() - dt.timedelta(seconds=90)}).where(
        JournalEntryRow.seq == 6
    )
    behind = await _health(client)
    assert behind["status"] == "degraded"
    assert behind["reasons"] == [
        "ledger-export-behind: the files are 2 entries behind the journal; "
        f"the oldest waiting entry was committed {behind['ledger']['lag_seconds']} s ago"
    ]
    assert 90 <= behind["ledger"]["lag_seconds"] < 150
    await exported_five.export()
    caught_up = await _health(client)
    assert (caught_up["status"], caught_up["ledger"]["lag_entries"], caught_up["ledger"]["in_sync"]) == (
        "ok",
        0,
        True,
    )


async def test_a_failed_export_is_logged_kept_and_cleared_by_the_next_success(
    exported_five: Ledger,
    client: httpx.AsyncClient,
    settings: Settings,
    post_payment: PostPayment,
    caplog: pytest.LogCaptureFixture,
) -> None:
    original = _edit_year_file(settings, "500.05 CNY", "500.06 CNY")  # the last entry
    await post_payment(6)
    with caplog.at_level(logging.ERROR, logger="ledger.journal"):
        assert await exported_five.export_quietly() is None
    [record] = [r for r in caplog.records if r.name == "ledger.journal"]
    assert record.getMessage().startswith(
        f"ledger export to {settings.resolved_ledger_dir} failed (journal at seq 6, files at seq 5): "
        "2026.beancount (byte "
    )
    assert record.exc_info is not None
    health = await _health(client)
    assert health["status"] == "degraded"
    failed, edited = health["reasons"]
    assert failed.startswith("ledger-export-failed: the export at ")
    assert failed.endswith(
        "failed: the files or the journal failed validation (an edited file, a gap or an invalid entry); "
        "see the log and `relief-ledger ledger check`"
    )
    assert edited == (
        "ledger-files-edited: the last entry of a year file differs from the journal; "
        "run `relief-ledger ledger check`"
    )
    assert health["ledger"]["export_failure"]["ok"] is False
    assert health["ledger"]["lag_entries"] == 1

    _restore_year_file(settings, original)
    result = await exported_five.export()
    assert (result.appended, result.last_seq) == (1, 6)
    healed = await _health(client)
    assert (healed["status"], healed["reasons"], healed["ledger"]["export_failure"]) == ("ok", [], None)


async def test_a_torn_last_entry_counts_as_not_exported(
    exported_five: Ledger, client: httpx.AsyncClient, settings: Settings
) -> None:
    text = (settings.resolved_ledger_dir / "2026.beancount").read_text(encoding="utf-8")
    _edit_year_file(settings, text[text.rindex("Assets:Insurance:Bank") :], "")  # as a crash leaves it
    health = await _health(client)
    assert (health["ledger"]["exported_seq"], health["ledger"]["lag_entries"]) == (4, 1)
    assert (await exported_five.export()).repaired
    assert (await _health(client))["ledger"]["exported_seq"] == 5


async def test_files_ahead_of_the_journal_are_degraded(
    exported_five: Ledger, client: httpx.AsyncClient
) -> None:
    # As after restoring the database from a backup older than the ledger files.
    await JournalPostingRow.delete().where(JournalPostingRow.seq == 5)
    await JournalEntryRow.delete().where(JournalEntryRow.seq == 5)
    health = await _health(client)
    assert health["reasons"] == ["ledger-files-ahead: the files hold seq 5, the journal ends at seq 4"]
    assert health["ledger"]["in_sync"] is False


async def test_an_export_whose_transaction_broke_still_keeps_its_failure(
    exported_five: Ledger,
    client: httpx.AsyncClient,
    post_payment: PostPayment,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = db.current_engine()

    @contextlib.asynccontextmanager
    async def lost_connection(self: Ledger) -> AsyncIterator[None]:
        # What Piccolo leaves when a transaction's exit fails (the connection dropped at release):
        # the dead transaction stays current in the task that ran it.
        engine.current_transaction.set(object())
        raise ConnectionResetError("connection lost")
        yield

    monkeypatch.setattr(Ledger, "_writer_lock", lost_connection)
    await post_payment(6)
    assert await exported_five.export_quietly() is None
    health = await _health(client)
    assert [reason.split(": ", 1)[0] for reason in health["reasons"]] == ["ledger-export-failed"]
    assert health["reasons"][0].endswith(" failed: ConnectionResetError")
