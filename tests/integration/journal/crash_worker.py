"""A process that posts and exports journal entries until it is killed (used by the fault test).

Usage: python crash_worker.py DATA_DIR DATABASE_URL START
Prints ``committed N`` after each commit and ``exported N`` after each export, flushing each line.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

from ledger import db
from ledger.config import Settings
from ledger.core import clock
from ledger.core.entries import Posting
from ledger.journal import service
from ledger.journal.service import Ledger


async def main(data_dir: Path, database_url: str, start: int) -> None:
    settings = Settings(data_dir=data_dir, database_url=database_url, secret_key="x" * 32)
    clock.configure(settings.timezone)  # the test's pinned moment, as the app and the CLI do
    async with db.connected(settings):
        ledger = Ledger.of(settings)
        n = start
        while True:
            for _ in range(3):
                n += 1
                async with db.write_transaction():
                    entry = await service.post(
                        date=dt.date(2025 + n % 2, 1 + n % 12, 1 + n % 28),
                        book="insurance",
                        narration=f"赔付 第{n}笔 " + "说明" * (n % 40),
                        payee="受助人",
                        postings=[
                            Posting("Expenses:Insurance:Claims:FireExplosion", 1000 + n),
                            Posting("Assets:Insurance:Bank", -(1000 + n)),
                        ],
                        cause=f"crash-test:{n}",
                        actor="worker",
                    )
                print(f"committed {entry.seq}", flush=True)
            result = await ledger.export()
            print(f"exported {result.last_seq}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
