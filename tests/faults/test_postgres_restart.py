"""PostgreSQL goes down and comes back while a real server takes payments.

Requests during the outage get a clean 503 problem+json with Retry-After (never a 500, never a
hang); once the database is back the pool reconnects and retries succeed; each payment exists once,
whole, with its journal entry in the files.

The cluster is stopped and started once (one restart, split so that the outage can be probed on
purpose); other test databases on the same server see the same short outage. The cluster is started
again whatever happens.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from ledger.claims.tables import PremiumReceipt
from ledger.config import Settings
from ledger.web.errors import RETRY_AFTER_SECONDS
from tests.conftest import PG_URL
from tests.faults.agreement import assert_agreement
from tests.faults.conftest import PREMIUMS, Server, StartServer, premium, until

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

#: Seconds each paying client has, once the database is back, for three payments. While the database
#: is down the clients keep asking however long the restart takes; counting requests instead would
#: measure how fast a busy machine answers 503, not whether the service heals.
SECONDS_AFTER = 60.0
PAYERS = 2


def _pg_ctl(action: str) -> None:
    """``pg_ctlcluster <version> main <action>`` for the local cluster (stop is a fast shutdown)."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False).returncode == 0


@pytest.fixture
async def local_cluster() -> AsyncIterator[None]:
    """The local cluster the test database lives on, started again (and ready) after the test."""
    if urlparse(PG_URL).hostname not in {"127.0.0.1", "localhost"} or not shutil.which("pg_ctlcluster"):
        pytest.skip("the restart test needs the local cluster (pg_ctlcluster) behind the test database")
    try:
        yield
    finally:
        if not _pg_ready():
            await asyncio.to_thread(_pg_ctl, "start")
        await until(_pg_ready, "ready (pg_isready)")


async def _pay(server: Server, headers: dict[str, str], reference: str) -> httpx.Response:
    return await server.client.post(PREMIUMS, json=premium(reference), headers=headers, timeout=20)


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Service unavailable"


async def test_postgres_restart_mid_requests(
    local_cluster: None, start_server: StartServer, accountant: str, settings: Settings
) -> None:
    server = await start_server()
    headers = await server.login(accountant)
    answers: dict[str, list[int]] = {}
    back = asyncio.Event()

    async def payer(number: int) -> None:
        """Pay without pause until three payments succeed after the database is back."""
        succeeded_after = 0
        loop = asyncio.get_running_loop()
        deadline = math.inf
        for i in itertools.count():
            if back.is_set() and deadline == math.inf:
                deadline = loop.time() + SECONDS_AFTER
            if loop.time() > deadline:
                break
            reference = f"PREM-{number}-{i}"
            response = await _pay(server, headers, reference)  # a hang fails the test (timeout)
            answers[reference] = [response.status_code]
            if response.status_code == 503:
                _assert_unavailable(response)
                continue
            assert response.status_code == 201, response.text
            succeeded_after += back.is_set()
            if succeeded_after == 3:
                return
        pytest.fail(f"payer {number}: no three payments in {SECONDS_AFTER:.0f} s after the restart")

    payers = [asyncio.create_task(payer(n)) for n in range(PAYERS)]
    await until(lambda: len(answers) >= 4, "paying")
    await asyncio.to_thread(_pg_ctl, "stop")
    during = await _pay(server, headers, "PREM-outage")
    answers["PREM-outage"] = [during.status_code]
    _assert_unavailable(during)
    _assert_unavailable(await server.client.get("/health"))
    await asyncio.to_thread(_pg_ctl, "start")
    await until(_pg_ready, "ready (pg_isready)")
    back.set()
    await asyncio.gather(*payers)

    refused = [reference for reference, statuses in answers.items() if statuses == [503]]
    assert "PREM-outage" in refused
    for reference in refused:  # the client's retry: same body; 409 if the first try had committed
        retry = await _pay(server, headers, reference)
        answers[reference].append(retry.status_code)
        assert retry.status_code in {201, 409}, retry.text
        if retry.status_code == 409:
            assert retry.json()["field"] == "reference"
    assert {s for statuses in answers.values() for s in statuses} <= {201, 409, 503}

    rows = await PremiumReceipt.select(PremiumReceipt.reference)
    assert sorted(row["reference"] for row in rows) == sorted(answers)  # each payment once, none lost
    health = await _health(server)
    assert (health["status"], health["ledger"]["in_sync"]) == ("ok", True), health
    agreed = await assert_agreement(settings)
    assert (agreed.entries, agreed.domain_rows["premium"]) == (len(answers), len(answers))
    assert 'HTTP/1.1" 500' not in server.log
    assert "released back to the pool" not in server.log  # no broken transaction outlives its export


async def _health(server: Server) -> dict[str, Any]:
    response = await server.client.get("/health")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
