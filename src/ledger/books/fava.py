"""Fava, read-only, on the ledger: a browser view for accountants and auditors.

Fava 1.30 has no ``python -m fava``; its console script ``fava`` is installed next to the Python that runs
us. ``--read-only`` disables every change through Fava, so the exporter stays the only writer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ledger.books.render import MAIN_FILENAME


def fava_executable() -> str:
    """Return the ``fava`` script of this environment (beside ``sys.executable``, else on ``PATH``).

    Raises:
        FileNotFoundError: when Fava is not installed.
    """
    beside = Path(sys.executable).with_name("fava")
    if beside.is_file():
        return str(beside)
    found = shutil.which("fava")
    if found is None:
        raise FileNotFoundError("the fava executable is not installed (pip install fava)")
    return found


def fava_command(directory: Path, host: str = "127.0.0.1", port: int = 5055) -> list[str]:
    """Return the command line that serves ``<directory>/main.beancount`` read-only.

    Args:
        directory: the ledger directory.
        host: the address to listen on (loopback by default: put a proxy with authentication in front
            before listening elsewhere).
        port: the TCP port.
    """
    return [
        fava_executable(),
        "--read-only",
        "--host",
        host,
        "--port",
        str(port),
        str(directory / MAIN_FILENAME),
    ]


def run_fava(directory: Path, host: str = "127.0.0.1", port: int = 5055) -> int:
    """Run Fava in the foreground until it stops; return its exit status. Arguments as ``fava_command``."""
    return subprocess.run(fava_command(directory, host, port), check=False).returncode
