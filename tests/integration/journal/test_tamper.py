"""Edits of the exported files are located by `relief-ledger ledger verify` and by `ledger check`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ledger.config import Settings
from ledger.journal.service import Ledger


def _env(settings: Settings, ledger_dir: Path) -> dict[str, str]:
    """The environment of a CLI run on ``ledger_dir``, free of the test run's own LEDGER_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    return {**env, "LEDGER_DATA_DIR": str(settings.data_dir), "LEDGER_LEDGER_DIR": str(ledger_dir)}


def _blocks(text: str) -> tuple[str, list[str]]:
    """The header and the entry blocks of a year file (each block starts with its date line)."""
    parts = re.split(r"\n(?=\d{4}-\d{2}-\d{2} )", text)
    return parts[0], parts[1:]


def _join(header: str, blocks: list[str]) -> str:
    return "\n".join([header, *blocks])


def _edit_amount(blocks: list[str]) -> list[str]:
    blocks[2] = blocks[2].replace("300.03 CNY", "900.03 CNY").replace("-300.03 CNY", "-900.03 CNY")
    return blocks


def _delete(blocks: list[str]) -> list[str]:
    return blocks[:2] + blocks[3:]


def _insert(blocks: list[str]) -> list[str]:
    forged = blocks[1].replace("赔付 2", "赔付 伪造")
    return [*blocks[:3], forged, *blocks[3:]]


def _swap(blocks: list[str]) -> list[str]:
    blocks[1], blocks[3] = blocks[3], blocks[1]
    return blocks


@pytest.fixture
def ledger_dir(exported_five: Ledger) -> Path:
    return exported_five.directory


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_edit_amount, r"^edited: seq 3 "),
        (_delete, r"^missing: seq 3 "),
        (_insert, r"^inserted: seq 2 appears again"),
        (_swap, r"^reordered: .*seq 4"),
    ],
)
async def test_verify_names_the_tampered_entry(
    ledger_dir: Path, settings: Settings, tmp_path: Path, tamper: Any, expected: str
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(ledger_dir, copy)
    year = copy / "2026.beancount"
    header, blocks = _blocks(year.read_text())
    year.write_text(_join(header, tamper(blocks)))
    run = _verify(settings, copy)
    assert run.returncode == 1, run.stdout + run.stderr
    first_problem = run.stderr.strip().splitlines()[0]
    assert re.search(expected, first_problem, flags=re.IGNORECASE), run.stderr


def test_untouched_files_verify(ledger_dir: Path, settings: Settings) -> None:
    run = _verify(settings, ledger_dir)
    assert run.returncode == 0, run.stderr
    assert "chain intact: 5 entries" in run.stdout


def _verify(settings: Settings, directory: Path) -> subprocess.CompletedProcess[str]:
    """``relief-ledger ledger verify`` on the ledger files in ``directory``."""
    return subprocess.run(
        [sys.executable, "-m", "ledger", "ledger", "verify"],
        capture_output=True,
        text=True,
        env=_env(settings, directory),
        check=False,
    )
