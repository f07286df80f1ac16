"""Fava serves the exported ledger read-only and reports no errors."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ledger.books import LedgerFiles, fava_command

SLUG = "relief-ledger-test"  # Fava's slug of the title option "Relief Ledger Test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get_json(url: str) -> dict[str, object] | None:
    """Return the JSON at ``url``, or ``None`` while the server is not answering yet."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a local http URL)
            data: dict[str, object] = json.load(response)
            return data
    except (urllib.error.URLError, ConnectionError):
        return None


def test_command_is_read_only_on_loopback(tmp_path: Path) -> None:
    command = fava_command(tmp_path, port=5077)
    assert Path(command[0]).name == "fava"
    assert command[1:] == [
        "--read-only",
        "--host",
        "127.0.0.1",
        "--port",
        "5077",
        str(tmp_path / "main.beancount"),
    ]


def wait_for_json(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> dict[str, object]:
    """Poll ``url`` until Fava answers (bounded), failing early if Fava exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"Fava exited with {server.returncode}")
        data = get_json(url)
        if data is not None:
            return data
        time.sleep(0.1)
    pytest.fail(f"Fava did not answer {url} within {seconds} s")


@pytest.mark.slow
def test_fava_reports_no_errors(sample_ledger: LedgerFiles) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/{SLUG}/api"
    server = subprocess.Popen(
        fava_command(sample_ledger.directory, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        assert wait_for_json(f"{base}/errors", server)["data"] == []
        query = wait_for_json(f"{base}/query?query_string=SELECT%20count(*)", server)
        assert query["data"]["rows"] == [[13]]  # type: ignore[index]  # the postings of SAMPLE
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not [p for p in sample_ledger.directory.iterdir() if "picklecache" in p.name]
