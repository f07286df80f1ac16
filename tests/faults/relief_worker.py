"""A process that approves a relief cycle and kills itself with SIGKILL at one point of it.

``python -m tests.faults.relief_worker PROGRAMME MONTH`` approves the cycle as ``officer`` (settings from
``LEDGER_*``, the clock from ``RELIEF_LEDGER_FIXED_NOW``). ``RELIEF_FAULT`` says where it dies:

- ``mid-posting``: inside the approval's transaction, right after the cycle's journal entries were
  inserted (before the cycle's status and the commit);
- ``after-commit``: after the approval committed, before the entries are exported to the files.

It prints ``killed at FAULT`` just before it kills itself, and ``approved`` when it was told no fault.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

from ledger import db
from ledger.config import get_settings
from ledger.core import clock
from ledger.journal import service as journal
from ledger.platform.domain import Principal, Role
from ledger.relief import service as relief

OFFICER = Principal(user_id=2, username="officer", role=Role.RELIEF_OFFICER)


def _kill_self(fault: str) -> None:
    print(f"killed at {fault}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def _install_fault(fault: str) -> None:
    """Patch the one seam where ``fault`` kills the process."""
    if fault == "mid-posting":
        real_post_many = journal.post_many

        async def post_then_die(drafts: Any) -> Any:
            await real_post_many(drafts)
            _kill_self(fault)

        relief.journal.post_many = post_then_die  # type: ignore[assignment]
    elif fault == "after-commit":

        class _DieBeforeExport:
            @classmethod
            def of(cls, settings: Any) -> Any:
                return cls()

            async def export_quietly(self) -> None:
                _kill_self(fault)

        relief.Ledger = _DieBeforeExport  # type: ignore[assignment,misc]
    elif fault:
        msg = f"unknown RELIEF_FAULT {fault!r}"
        raise ValueError(msg)


async def approve(programme: str, month: str) -> None:
    settings = get_settings().with_secret()
    clock.configure(settings.timezone)
    _install_fault(os.environ.get("RELIEF_FAULT", ""))
    async with db.connected(settings):
        await relief.ReliefService(settings).approve_cycle(OFFICER, programme, month)
    print("approved", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m tests.faults.relief_worker PROGRAMME MONTH")
    asyncio.run(approve(sys.argv[1], sys.argv[2]))
