"""Who holds a lease, and whether that holder is certainly gone.

A holder is one process: its host, the kernel's boot id, its pid and a random token drawn when the
process first asks. A lease (a job run, say) stores the holder's name; another process takes the
lease over when it has expired, or earlier when the holder is certainly dead: same host and another
boot, or no live process with that pid, or that pid is now the asking process itself (a restarted
container's pid 1) under another token. On another host nothing can be known: only expiry counts.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Holder:
    """One process that may hold leases.

    Args:
        host: the host name.
        boot_id: the kernel's boot id (empty where the system has none).
        pid: the process id.
        token: random per process, so a reused pid is another holder.
    """

    host: str
    boot_id: str
    pid: int
    token: str

    def __str__(self) -> str:
        return f"{self.host}/{self.boot_id}/{self.pid}/{self.token}"

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        """The holder named ``text`` (as ``str()`` writes it), or ``None`` for anything else."""
        parts = text.rsplit("/", 3)
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        return cls(host=parts[0], boot_id=parts[1], pid=int(parts[2]), token=parts[3])


_me: Holder | None = None


def this_process() -> Holder:
    """This process as a holder (a forked child becomes a new holder)."""
    global _me  # noqa: PLW0603 - one identity per process
    if _me is None or _me.pid != os.getpid():
        _me = Holder(host=socket.gethostname(), boot_id=_boot_id(), pid=os.getpid(), token=uuid.uuid4().hex)
    return _me


def is_gone(holder: Holder, me: Holder | None = None) -> bool:
    """Whether ``holder`` is certainly dead, as seen from ``me`` (default: this process).

    ``False`` means "maybe alive": another host, or a live process with that pid.
    """
    me = me or this_process()
    if holder.host != me.host:
        return False
    if holder.boot_id != me.boot_id:
        return bool(holder.boot_id and me.boot_id)
    if holder.pid == me.pid:
        return holder.token != me.token
    return not _alive(holder.pid)


def _boot_id() -> str:
    try:
        return BOOT_ID.read_text().strip()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (a zombie, killed but not yet reaped, does not)."""
    if not PROC.is_dir():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        return True
    # "pid (comm) state ...": the command may contain spaces and parentheses, the state follows the last ")".
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}
