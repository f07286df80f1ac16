"""The ledger directory on a full filesystem: payments still commit, the export fails loudly, `/health`
says why, and once space returns the export catches up with nothing torn left behind.

The directory is a 1 MB tmpfs mounted by the test, which needs root (CI runs as root); otherwise the
test is skipped with a notice.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.config import Settings
from tests.faults.agreement import assert_agreement
from tests.faults.conftest import PREMIUMS, StartServer, premium, server_env

#: Payments that may still fit in the slack of the year file's last page once the disk is full.
MAX_PAYMENTS_TO_FILL = 40


@pytest.fixture
def small_ledger_fs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs mounted for the test's ledger directory, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("the full-disk test mounts a tmpfs, which needs root (CI runs as root)")
    mount = tmp_path / "ledger-fs"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], check=True)  # a process still had a file open


def _fill(directory: Path) -> Path:
    """Write a file in ``directory`` until the filesystem is full; return it."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as file:
        for _ in range(1024):  # 4 MB at most, on a 1 MB filesystem
            try:
                file.write(b"\0" * 4096)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                return filler
    pytest.fail("the filesystem never filled up")


@pytest.mark.slow
async def test_full_ledger_disk_fails_the_export_loudly_and_it_catches_up(
    small_ledger_fs: Path, start_server: StartServer, accountant: str, settings: Settings
) -> None:
    on_tmpfs = dataclasses.replace(settings, ledger_dir=small_ledger_fs)
    server = await start_server(on_tmpfs)
    headers = await server.login(accountant)
    for n in (1, 2):
        response = await server.client.post(PREMIUMS, json=premium(f"PREM-{n}"), headers=headers)
        assert response.status_code == 201, response.text
    assert (await _health(server))["status"] == "ok"

    filler = _fill(small_ledger_fs)
    paid = 2
    health: dict[str, Any] = {}
    while not health.get("reasons"):  # the first payments may still fit in the last page's slack
        assert paid < MAX_PAYMENTS_TO_FILL, "no export failed on a full disk"
        paid += 1
        response = await server.client.post(PREMIUMS, json=premium(f"PREM-{paid}"), headers=headers)
        assert response.status_code == 201, response.text  # the journal commits; the export comes after
        health = await _health(server)
    failed_at = paid
    response = await server.client.post(PREMIUMS, json=premium(f"PREM-{paid + 1}"), headers=headers)
    assert response.status_code == 201, response.text
    paid += 1

    health = await _health(server)
    assert health["status"] == "degraded"
    [reason] = health["reasons"]
    assert reason.startswith("ledger-export-failed: the export at ")
    assert reason.endswith(" failed: No space left on device (errno 28)")
    exported = health["ledger"]["exported_seq"]
    assert exported == failed_at - 1
    assert (health["ledger"]["journal_seq"], health["ledger"]["lag_entries"]) == (paid, paid - exported)
    assert (
        f"ledger export to {small_ledger_fs} failed (journal at seq {failed_at}, files at seq {exported}): "
        "[Errno 28] No space left on device"
    ) in server.log

    filler.unlink()
    catch_up = subprocess.run(
        [sys.executable, "-m", "ledger", "ledger", "export"],
        capture_output=True,
        text=True,
        env=server_env(on_tmpfs),
        check=False,
    )
    assert catch_up.returncode == 0, catch_up.stdout + catch_up.stderr
    assert f"appended {paid - exported}; last seq {paid}" in catch_up.stdout
    health = await _health(server)
    assert (health["status"], health["reasons"], health["ledger"]["export_failure"]) == ("ok", [], None)
    assert health["ledger"]["in_sync"] is True
    agreed = await assert_agreement(on_tmpfs)
    assert (agreed.entries, agreed.domain_rows["premium"]) == (paid, paid)

    response = await server.client.post(PREMIUMS, json=premium(f"PREM-{paid + 1}"), headers=headers)
    assert response.status_code == 201, response.text
    assert (await _health(server))["ledger"]["exported_seq"] == paid + 1
    assert (await assert_agreement(on_tmpfs)).entries == paid + 1


async def _health(server: Any) -> dict[str, Any]:
    response = await server.client.get("/health")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
