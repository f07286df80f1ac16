"""When a lease holder is certainly gone, and when it may still be working."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from ledger.platform.leases import Holder, is_gone, this_process

ME = Holder(host="ledger-1", boot_id="boot-a", pid=os.getpid(), token="mine")


def test_a_holder_reads_back_from_its_name() -> None:
    holder = Holder(host="ledger-1.example", boot_id="6f0c-41", pid=4242, token="ab12")
    assert str(holder) == "ledger-1.example/6f0c-41/4242/ab12"
    assert Holder.parse(str(holder)) == holder
    assert Holder.parse("") is None
    assert Holder.parse("host/boot/not-a-pid/token") is None


def test_this_process_is_one_holder_with_its_pid_and_boot() -> None:
    me = this_process()
    assert me is this_process()
    assert me.pid == os.getpid()
    if os.path.exists("/proc/sys/kernel/random/boot_id"):
        with open("/proc/sys/kernel/random/boot_id") as boot:
            assert me.boot_id == boot.read().strip()


@pytest.mark.parametrize(
    ("holder", "gone"),
    [
        (ME, False),
        (Holder("ledger-2", "boot-b", 1, "x"), False),  # another host: only its lease can tell
        (Holder("ledger-1", "boot-old", os.getpid(), "x"), True),  # this host rebooted since
        (Holder("ledger-1", "boot-a", os.getpid(), "earlier"), True),  # our pid, a previous life
        (Holder("ledger-1", "boot-a", os.getppid(), "x"), False),  # a live process
    ],
)
def test_who_is_certainly_gone(holder: Holder, gone: bool) -> None:
    assert is_gone(holder, ME) is gone


def test_a_killed_process_is_gone_even_before_it_is_reaped() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert not is_gone(Holder("ledger-1", "boot-a", child.pid, "x"), ME)
        os.kill(child.pid, signal.SIGKILL)
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # dead, but a zombie until reaped
        assert is_gone(Holder("ledger-1", "boot-a", child.pid, "x"), ME)
    finally:
        child.kill()
        child.wait()
    assert is_gone(Holder("ledger-1", "boot-a", child.pid, "x"), ME)
