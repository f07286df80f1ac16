"""Force concurrent writers into the interleaving a lock must prevent.

A race test that only fires requests together passes whenever the scheduler happens to run them one
after the other. Here each writer, right after the read its decision rests on (the read taken under
the lock), waits until a second writer has made the same read. Without the lock both read the same
state and both act on it; with the lock the second cannot reach its read while the first holds the
lock, so the first stops waiting after ``patience`` seconds and commits alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest


class ReadBarrier:
    """Holds each reader until ``parties`` readers have read, or ``patience`` seconds have passed.

    Args:
        parties: how many readers it waits for.
        patience: how long one reader waits; long enough for a free second writer to arrive.
    """

    def __init__(self, parties: int = 2, patience: float = 1.0) -> None:
        self.parties = parties
        self.patience = patience
        self.reads = 0
        self.waiting = 0
        self.overlapped = False
        """Whether a reader read while an earlier one was still waiting after its own read."""
        self._all_read = asyncio.Event()

    async def arrive(self) -> None:
        """Count a read, then wait for the others (bounded)."""
        self.reads += 1
        self.overlapped = self.overlapped or self.waiting > 0
        if self.reads >= self.parties:
            self._all_read.set()
        self.waiting += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._all_read.wait(), self.patience)
        finally:
            self.waiting -= 1

    def hold_after(self, monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> None:
        """Patch the async method ``owner.name`` so every call meets the barrier after it returns."""
        original: Callable[..., Awaitable[Any]] = getattr(owner, name)

        @functools.wraps(original)
        async def read_then_wait(*args: Any, **kwargs: Any) -> Any:
            result = await original(*args, **kwargs)
            await self.arrive()
            return result

        monkeypatch.setattr(owner, name, read_then_wait)
