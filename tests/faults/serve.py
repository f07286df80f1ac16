"""The app served as `relief-ledger serve` does, with a fault that a test can arm (for tests/faults).

Usage: python serve.py PORT [TEAR_FILE]

While TEAR_FILE exists, the next append to a ledger year file consumes it: it writes only
``data[:N]`` (N is the file's content, a byte count; negative counts from the end), makes those bytes
durable, prints ``torn <file> <written>/<total>`` and hangs until the test kills the process. So a
SIGKILL lands at a chosen byte of an export, every time; without the file the server is untouched.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import uvicorn

from ledger.books import files


def arm_tearing(trigger: Path) -> None:
    """Wrap ``files._append_bytes`` so that it tears when ``trigger`` exists."""
    append = files._append_bytes

    def maybe_torn(path: Path, data: bytes) -> None:
        if not trigger.exists():
            append(path, data)
            return
        part = data[: int(trigger.read_text())]
        trigger.unlink()  # the restarted server must export normally
        with path.open("ab") as file:
            file.write(part)
            file.flush()
            os.fsync(file.fileno())
        print(f"torn {path.name} {len(part)}/{len(data)}", flush=True)
        threading.Event().wait()  # the test SIGKILLs the process here

    files._append_bytes = maybe_torn


if __name__ == "__main__":
    if len(sys.argv) > 2:
        arm_tearing(Path(sys.argv[2]))
    uvicorn.run("ledger.app:create_app", factory=True, host="127.0.0.1", port=int(sys.argv[1]))
