"""SIGKILL in the middle of an export's append: the restarted server repairs the torn block and the
entry lands in the files exactly once.

`tests/integration/journal/test_crash_recovery.py` kills a posting loop at random moments; here a real
server pays through the API and dies at a chosen byte of the append, deterministically.
"""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import httpx
import pytest

from ledger.config import Settings
from tests.faults.agreement import assert_agreement
from tests.faults.conftest import PREMIUMS, Server, StartServer, premium, until

# Where the append dies: after the block's leading newline only; inside its first line (a UTF-8
# character cut in two, before the `seq:` line); one byte short of the whole block.
CUTS = (1, 40, -1)


@pytest.mark.slow
async def test_sigkill_during_export_is_repaired_on_restart(
    start_server: StartServer, accountant: str, settings: Settings, tmp_path: Path
) -> None:
    trigger = tmp_path / "tear"
    server = await start_server(tear_file=trigger)
    headers = await server.login(accountant)
    first = await server.client.post(PREMIUMS, json=premium("PREM-1"), headers=headers)
    assert first.status_code == 201, first.text

    for seq, cut in enumerate(CUTS, start=2):
        trigger.write_text(str(cut))
        paying = asyncio.create_task(
            server.client.post(PREMIUMS, json=premium(f"PREM-{seq}"), headers=headers)
        )
        torn = await until(lambda server=server: _torn(server), "torn")
        written, total = int(torn.group(2)), int(torn.group(3))
        assert written == (cut if cut > 0 else total + cut)
        await server.close(signal.SIGKILL)
        with pytest.raises(httpx.TransportError):
            await paying  # the client never hears back (it would retry with its Idempotency-Key)

        server = await start_server(tear_file=trigger)  # the start-up export catches up before serving
        assert f"removed an incomplete entry ({written - 1} bytes at byte " in server.log
        health = (await server.client.get("/health")).json()
        assert (health["status"], health["ledger"]["journal_seq"], health["ledger"]["in_sync"]) == (
            "ok",
            seq,
            True,
        )
        agreed = await assert_agreement(settings)
        assert (agreed.entries, agreed.domain_rows["premium"]) == (seq, seq)
        headers = await server.login(accountant)

    text = (settings.resolved_ledger_dir / "2026.beancount").read_text(encoding="utf-8")
    assert [int(seq) for seq in re.findall(r"^  seq: (\d+)$", text, flags=re.MULTILINE)] == [1, 2, 3, 4]


def _torn(server: Server) -> re.Match[str] | None:
    return re.search(r"^torn (\S+) (\d+)/(\d+)$", server.output, flags=re.MULTILINE)
