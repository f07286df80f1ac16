"""A month of 低保 for N one-person households, from draft to posted entries and bank file, against a bare
bulk insert of the same number of cycle rows in one transaction on the same engine.

Runs in process on a temporary data directory (and, for PostgreSQL, a database created for the run and
dropped after it). The registry (households, members, active enrolments) is bulk-loaded untimed; then:

1. the cycle: ``draft`` (rows computed and frozen), ``approve_cycle`` (one journal entry per household,
   chained, exported to the Beancount files) and ``issue`` (the bank file and its lines);
2. the baseline: ``INSERT`` of N rows into the cycle-row table in one transaction;

and prints both times, their ratio and the process's peak memory before and after the cycle.

    .venv/bin/python bench/payroll_bench.py --engine sqlite --people 5000
    .venv/bin/python bench/payroll_bench.py --engine postgres --people 5000 --pg postgresql://postgres@127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import resource
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
from piccolo.table import Table
from stdnum.cn import ric

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")

from ledger import db
from ledger.config import Settings
from ledger.core import clock
from ledger.core.money import format_cny
from ledger.platform.domain import Principal, Role
from ledger.relief.service import ReliefService
from ledger.relief.tables import ReliefCycle, ReliefEnrolment, ReliefHousehold, ReliefMember, ReliefRow

MONTH = "2026-12"
NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
OFFICER = Principal(user_id=1, username="officer", role=Role.RELIEF_OFFICER)
ACCOUNTANT = Principal(user_id=2, username="accountant", role=Role.ACCOUNTANT)


def resident_id(n: int) -> str:
    """A distinct valid Chengyang resident ID for each ``n``."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=n // 500)
    body = f"370214{birth:%Y%m%d}{n % 500 * 2 + 1:03d}"
    return body + ric.calc_check_digit(body + "0")


@contextlib.asynccontextmanager
async def database(engine: str, pg: str) -> AsyncIterator[str]:
    """The database URL for the run; a PostgreSQL database is created and dropped around it."""
    if engine == "sqlite":
        yield ""
        return
    name = f"payroll_bench_{os.getpid()}"
    admin = await asyncpg.connect(f"{pg}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{pg}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def insert_all(table: type[Table], rows: list[Table]) -> None:
    """Insert ``rows`` in statements of 1,000 (asyncpg binds at most 32,767 values to one)."""
    for start in range(0, len(rows), 1000):
        await table.insert(*rows[start : start + 1000])


async def registry(people: int) -> None:
    """``people`` one-person households, each with an active 低保 enrolment from ``MONTH`` (untimed)."""
    now = clock.now()
    async with db.write_transaction():
        await insert_all(
            ReliefHousehold,
            [
                ReliefHousehold(
                    household_no=f"HH{n:06d}",
                    street="城阳街道",
                    community="城阳社区",
                    address=f"正阳路{n}号",
                    monthly_income_fen=(n % 7) * 5_000,
                    assets_fen=0,
                    medical_fen=0,
                    education_fen=0,
                    rent_fen=0,
                    bank_code="qdrcb",
                    bank_account=f"62284800{n:08d}",
                    bank_holder=f"户主{n}",
                    registered_by="bench",
                    created_at=now,
                    updated_at=now,
                )
                for n in range(1, people + 1)
            ],
        )
        ids = {
            r["household_no"]: r["id"]
            for r in await ReliefHousehold.select(ReliefHousehold.id, ReliefHousehold.household_no)
        }
        await insert_all(
            ReliefMember,
            [
                ReliefMember(
                    household=ids[f"HH{n:06d}"],
                    resident_id=resident_id(n),
                    current_key=resident_id(n),
                    name=f"户主{n}",
                    relation="self",
                    urban=True,
                    able=True,
                    categories="",
                    joined_on=dt.date(2020, 1, 1),
                )
                for n in range(1, people + 1)
            ],
        )
        await insert_all(
            ReliefEnrolment,
            [
                ReliefEnrolment(
                    enrolment_no=f"EN{n:06d}",
                    household=ids[f"HH{n:06d}"],
                    programme="dibao",
                    status="active",
                    applied_by="caseworker",
                    applied_on=dt.date(2026, 11, 1),
                    decided_by="officer",
                    effective_month=MONTH,
                    updated_at=now,
                )
                for n in range(1, people + 1)
            ],
        )


async def cycle(settings: Settings) -> tuple[float, int, int]:
    """Draft, approve and issue the month; return seconds, rows and the bank file's total in fen."""
    service = ReliefService(settings)
    start = time.perf_counter()
    await service.draft("caseworker", "dibao", MONTH)
    approved = await service.approve_cycle(OFFICER, "dibao", MONTH)
    issued = await service.issue(ACCOUNTANT, "qdrcb")
    seconds = time.perf_counter() - start
    assert issued.file.row_count == approved.cycle.declared_count
    assert issued.file.total_fen == approved.cycle.declared_fen
    return seconds, issued.file.row_count, issued.file.total_fen


async def baseline(people: int) -> float:
    """A bare bulk insert of ``people`` cycle rows in one transaction, into a cycle of its own."""
    start = time.perf_counter()
    async with db.write_transaction():
        rows = await ReliefCycle.insert(
            ReliefCycle(
                cycle_key="bench:baseline",
                programme="bench",
                month=MONTH,
                status="draft",
                declared_count=people,
                declared_fen=0,
                drafted_by="bench",
                drafted_at=clock.now(),
            )
        ).returning(ReliefCycle.id)
        enrolments = await ReliefEnrolment.select(ReliefEnrolment.id, ReliefEnrolment.household)
        await insert_all(
            ReliefRow,
            [
                ReliefRow(
                    row_key=f"bench:{e['id']}",
                    cycle=rows[0]["id"],
                    enrolment=e["id"],
                    household=e["household"],
                    household_no=f"HH{e['household']:06d}",
                    amount_fen=66_000,
                    members=1,
                    inputs="{}",
                    status="payable",
                )
                for e in enrolments
            ],
        )
    return time.perf_counter() - start


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument(
        "--pg", default="postgresql://postgres@127.0.0.1:5432", help="server URL, no database"
    )
    args = parser.parse_args()
    clock.pin(NOW)
    with tempfile.TemporaryDirectory(prefix="payroll-bench-") as tmp:
        async with database(args.engine, args.pg) as url:
            settings = Settings(data_dir=Path(tmp), database_url=url, secret_key="bench" * 8)
            async with db.connected(settings):
                await db.upgrade()
                await registry(args.people)
                before = _max_rss_mib()
                seconds, rows, total = await cycle(settings)
                after = _max_rss_mib()
                bare = await baseline(args.people)
    print(f"engine {args.engine}, {args.people} one-person 低保 households, month {MONTH}")
    print(
        f"cycle draft -> approved (entries posted and exported) -> bank file: {seconds:.2f} s, {rows} rows, "
        f"total {format_cny(total)}"
    )
    print(f"baseline bulk insert of {args.people} rows in one transaction: {bare:.2f} s")
    print(f"ratio cycle / baseline: {seconds / bare:.1f}")
    print(f"peak memory: process max RSS {before:.0f} MiB before the cycle, {after:.0f} MiB after it")


if __name__ == "__main__":
    asyncio.run(main())
