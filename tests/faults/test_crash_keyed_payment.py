"""SIGKILL a server in the middle of a keyed claim payment; the retry with the same key pays exactly once.

Issue 9, finding 1: with the claims-limit lock held elsewhere, a payment with ``Idempotency-Key: k1``
waits; the server is killed; after the lock is released and the server restarted, the retry with the
same key and body must pay, once, instead of answering "still being processed" for 24 hours. The
other crash points: inside the payment's transaction, and after its commit but before the answer.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledger import db
from ledger.claims.tables import PaymentRow
from ledger.config import Settings
from ledger.journal.tables import JournalEntryRow
from ledger.platform.tables import IdempotencyRecord
from tests.api.claims.conftest import Claims
from tests.faults.leases_worker import DEADLINE, POLL, Fleet, Server, assert_books_agree, until

pytestmark = pytest.mark.slow

INTERIM = {"kind": "interim", "amount": "1234.56"}
INTERIM_FEN = 123456


@dataclass
class Approved:
    """The claims driver (its users' tokens are valid on every server) and an approved claim."""

    api: Claims
    claim: dict[str, Any]


@pytest.fixture
async def approved(client: httpx.AsyncClient, login: Callable[..., Awaitable[dict[str, str]]]) -> Approved:
    """An approved claim of 10,000.00, made through the in-process app."""
    headers = {
        "adjuster": await login("adjuster"),
        "adjuster2": await login("adjuster", "adjuster2"),
        "approver": await login("approver"),
        "approver2": await login("approver", "approver2"),
        "accountant": await login("accountant"),
        "auditor": await login("auditor"),
    }
    api = Claims(client, headers)
    return Approved(
        api, await api.approved_claim(await api.event(), [{"head": "death", "claimed": "10000.00"}])
    )


@pytest.fixture
async def fleet(settings: Settings) -> AsyncIterator[Fleet]:
    """The servers of a test, stopped at its end."""
    started = Fleet(settings)
    yield started
    await started.stop()


async def _pay(server: Server, approved: Approved, key: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, timeout=DEADLINE) as http:
        return await http.post(
            f"/api/claims/{approved.claim['claim_no']}/payments",
            json=INTERIM,
            headers={**approved.api.headers["accountant"], "Idempotency-Key": key},
        )


async def _retry_until_answered(server: Server, approved: Approved, key: str) -> httpx.Response:
    """Retry as a client would while the key is "still being processed" (bounded by the deadline)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + 10
    while True:
        response = await _pay(server, approved, key)
        busy = response.status_code == 409 and "still being processed" in response.text
        if not busy or loop.time() > end:
            return response
        await asyncio.sleep(POLL)


async def _payments() -> list[dict[str, Any]]:
    return list(await PaymentRow.select(PaymentRow.fen, PaymentRow.kind, PaymentRow.reference))


async def _assert_paid_once(approved: Approved, answer: httpx.Response, journal_before: int) -> None:
    assert answer.status_code == 201, answer.text
    assert answer.json()["amount"] == "1234.56"
    assert answer.json()["claim_paid"] == "1234.56"
    payments = await _payments()
    assert payments == [{"fen": INTERIM_FEN, "kind": "interim", "reference": answer.json()["reference"]}]
    assert await JournalEntryRow.count() == journal_before + 1
    claim = await approved.api.get(approved.claim["claim_no"])
    assert (claim["status"], claim["paid"]) == ("partly_paid", "1234.56")


class _HeldLock:
    """The lock the payment waits for, held by another session: the claims-limit advisory lock on
    PostgreSQL, the database's write lock (an open ``BEGIN IMMEDIATE``) on SQLite."""

    def __init__(self, settings: Settings, policy_year: str) -> None:
        self.settings = settings
        self.key = f"claims-limits:{policy_year}"
        self.pg: Any = None
        self.sqlite: sqlite3.Connection | None = None

    async def take(self) -> None:
        if self.settings.is_postgres:
            import asyncpg

            self.pg = await asyncpg.connect(self.settings.database_url)
            await self.pg.execute("SELECT pg_advisory_lock($1)", db.lock_id(self.key))
        else:
            path = self.settings.resolved_database_url.removeprefix("sqlite:///")
            self.sqlite = sqlite3.connect(path, isolation_level=None)
            self.sqlite.execute("BEGIN IMMEDIATE")

    async def someone_waits(self) -> bool:
        """Whether another session waits for this lock (PostgreSQL only; SQLite cannot tell)."""
        assert self.pg is not None
        waiting = await self.pg.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return bool(waiting)

    async def release(self) -> None:
        if self.pg is not None:
            await self.pg.close()
        if self.sqlite is not None:
            self.sqlite.execute("ROLLBACK")
            self.sqlite.close()


async def _holds_database_file(server: Server, settings: Settings) -> bool:
    """Whether the server process has the SQLite file open (a connection waiting for the write lock)."""
    assert server.process is not None
    target = os.path.realpath(settings.resolved_database_url.removeprefix("sqlite:///"))
    fds = Path(f"/proc/{server.process.pid}/fd")
    return any(os.path.realpath(fd) == target for fd in fds.iterdir() if fd.is_symlink())


async def test_killed_while_waiting_for_the_lock_then_retried_with_its_key(
    settings: Settings, approved: Approved, fleet: Fleet
) -> None:
    journal_before = await JournalEntryRow.count()
    lock = _HeldLock(settings, approved.claim["policy_year"])
    await lock.take()
    try:
        first = await fleet.server()
        pending = asyncio.create_task(_pay(first, approved, "k1"))
        await first.printed("/payments")
        if settings.is_postgres:
            await until(lock.someone_waits, "the payment waits for the claims-limit lock")
        else:
            await until(lambda: _holds_database_file(first, settings), "the payment waits for the write lock")
        await first.killed()
        with pytest.raises(httpx.TransportError):
            await pending
    finally:
        await lock.release()
    assert await _payments() == []

    second = await fleet.server()
    answer = await _retry_until_answered(second, approved, "k1")
    await _assert_paid_once(approved, answer, journal_before)
    replay = await _pay(second, approved, "k1")
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == answer.json()
    await _assert_paid_once(approved, replay, journal_before)
    await second.stop()
    await assert_books_agree(settings)


@pytest.mark.parametrize("fault", ["in-effect", "after-commit"])
async def test_killed_inside_or_after_the_commit_then_retried(
    settings: Settings, approved: Approved, fleet: Fleet, fault: str
) -> None:
    journal_before = await JournalEntryRow.count()
    first = await fleet.server(LEASES_FAULT=fault)
    with pytest.raises(httpx.TransportError):
        await _pay(first, approved, "k2")
    await first.killed()
    assert first.saw(f"killed at {fault}"), first.lines
    committed = await _payments()
    assert len(committed) == (1 if fault == "after-commit" else 0)
    assert await IdempotencyRecord.count() == len(committed)

    second = await fleet.server()
    answer = await _retry_until_answered(second, approved, "k2")
    assert answer.headers.get("idempotent-replayed") == ("true" if committed else None)
    await _assert_paid_once(approved, answer, journal_before)
    if committed:
        assert answer.json()["reference"] == committed[0]["reference"]
    await second.stop()
    await assert_books_agree(settings)
