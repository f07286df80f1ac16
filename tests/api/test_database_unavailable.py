"""An unavailable database is a 503 problem with Retry-After, decided in one place (`web/errors.py`).

The PostgreSQL restart itself is in `tests/faults/test_postgres_restart.py`; here each error type the
drivers raise is mapped without a database.
"""

from __future__ import annotations

import errno
import sqlite3

import asyncpg
import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from ledger.web.errors import EXCEPTION_HANDLERS, RETRY_AFTER_SECONDS

UNAVAILABLE = [
    ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('127.0.0.1', 5432)"),
    OSError("Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432, 0, 0), [Errno 111] ..."),
    OSError(errno.EHOSTUNREACH, "No route to host"),
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.CannotConnectNowError("the database system is shutting down"),
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
    asyncpg.exceptions.InternalClientError("cannot switch to state 15; another operation (2) is in progress"),
    sqlite3.OperationalError("database is locked"),
]
BUGS = [
    sqlite3.OperationalError("no such table: claims_claim"),
    asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
    asyncpg.exceptions.InternalClientError("unexpected message type"),
    OSError(errno.ENOSPC, "No space left on device"),
]


def _client(error: Exception) -> TestClient[Litestar]:
    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        raise error

    return TestClient(app=Litestar(route_handlers=[boom], exception_handlers=EXCEPTION_HANDLERS))


@pytest.mark.parametrize("error", UNAVAILABLE, ids=lambda e: f"{type(e).__name__}: {e}"[:60])
def test_an_unavailable_database_is_503_with_retry_after(error: Exception) -> None:
    with _client(error) as client:
        response = client.get("/boom")
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["title"]) == (503, "Service unavailable")
    assert body["detail"] == f"the database is unavailable right now; retry in {RETRY_AFTER_SECONDS} seconds"


@pytest.mark.parametrize("error", BUGS, ids=lambda e: f"{type(e).__name__}: {e}"[:60])
def test_other_errors_of_the_same_types_stay_500(error: Exception) -> None:
    with _client(error) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert "retry-after" not in response.headers
