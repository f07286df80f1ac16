"""Ledger benchmarks (issue 3).

(a) Time per posted + exported entry when the journal already holds 10,000 and 200,000 entries, and
    the ratio of the two: posting must not grow with the ledger (target <= 1.3).
(b) ``relief-ledger ledger check`` on a 100,000-entry ledger against plain ``bean-check`` on the same
    files, as a ratio (target <= 1.2).

Usage: python bench/ledger_bench.py [--engine sqlite|postgres] [--sizes 10000 200000] [--check-size 100000]
The journal is filled in bulk (rows with a real hash chain, files rendered by the exporter's own code);
the timed part is the real path: ``post`` in a write transaction, then ``Ledger.export``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")

from ledger import db
from ledger.books import LedgerFiles
from ledger.config import Settings
from ledger.core import clock
from ledger.core.entries import GENESIS_HASH, JournalEntry, Posting, entry_hash
from ledger.journal import service
from ledger.journal.repository import JournalRepository
from ledger.journal.service import Ledger, chart

PG_BENCH_URL = "postgresql://postgres@127.0.0.1:5432/{name}"
TIMED_POSTS = 200


def synthetic_entry(seq: int, prev_hash: str) -> JournalEntry:
    """A two-posting payout dated across 2025-2026, hash-chained to ``prev_hash``."""
    fen = 10_000 + seq % 997
    draft = JournalEntry(
        seq=seq,
        date=dt.date(2025, 1, 1) + dt.timedelta(days=seq * 600 // 200_000),
        book="insurance",
        payee="受助人",
        narration=f"火灾爆炸救助 赔付 #{seq}",
        postings=(
            Posting("Expenses:Insurance:Claims:FireExplosion", fen),
            Posting("Assets:Insurance:Bank", -fen),
        ),
        cause=f"bench:{seq}",
        actor="bench",
    )
    return JournalEntry(
        **{
            **{f: getattr(draft, f) for f in JournalEntry.__dataclass_fields__},
            "hash": entry_hash(prev_hash, draft),
        }
    )


async def fill(settings: Settings, count: int, batch: int = 2000) -> None:
    """Put ``count`` entries into the journal and the files without the per-entry path."""
    files = LedgerFiles(settings.resolved_ledger_dir)
    prev = GENESIS_HASH
    now = clock.now()
    for start in range(1, count + 1, batch):
        entries = []
        for seq in range(start, min(start + batch, count + 1)):
            entry = synthetic_entry(seq, prev)
            prev = entry.hash
            entries.append(entry)
        async with db.write_transaction():
            await JournalRepository().add(entries, now)
        files.append(entries, chart(), settings.ledger_title)


async def timed_posts(settings: Settings, count: int) -> float:
    """Seconds per entry for ``count`` posts, each in its own transaction followed by an export."""
    ledger = Ledger.of(settings)
    start = time.perf_counter()
    for n in range(count):
        async with db.write_transaction():
            await service.post(
                date=dt.date(2026, 6, 1 + n % 28),
                book="insurance",
                narration="基准 赔付",
                postings=[
                    Posting("Expenses:Insurance:Claims:NaturalDisaster", 12_345),
                    Posting("Assets:Insurance:Bank", -12_345),
                ],
                cause=f"bench-timed:{n}",
                actor="bench",
            )
        await ledger.export()
    return (time.perf_counter() - start) / count


def settings_for(engine: str, workdir: Path, name: str) -> Settings:
    data_dir = workdir / name
    data_dir.mkdir()
    if engine == "postgres":
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"],
            check=True,
        )
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True
        )
        return Settings(data_dir=data_dir, database_url=PG_BENCH_URL.format(name=name), secret_key="b" * 32)
    return Settings(data_dir=data_dir, secret_key="b" * 32)


def drop_databases(names: list[str]) -> None:
    """Remove the benchmark's PostgreSQL databases."""
    for name in names:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"],
            check=False,
        )


async def post_cost(engine: str, workdir: Path, size: int) -> float:
    settings = settings_for(engine, workdir, f"bench_post_{size}")
    async with db.connected(settings):
        await db.upgrade()
        t0 = time.perf_counter()
        await fill(settings, size)
        print(f"  filled {size:,} entries in {time.perf_counter() - t0:.1f} s")
        assert await JournalRepository().count() == size
        per_entry = await timed_posts(settings, TIMED_POSTS)
        print(f"  post + export with {size:,} entries in the journal: {per_entry * 1000:.2f} ms per entry")
        return per_entry


async def filled(engine: str, workdir: Path, size: int) -> Settings:
    settings = settings_for(engine, workdir, f"bench_check_{size}")
    async with db.connected(settings):
        await db.upgrade()
        await fill(settings, size)
    return settings


def check_ratio(settings: Settings) -> tuple[float, float]:
    """Seconds of ``relief-ledger ledger check`` and of ``bean-check -C`` on the same ledger."""
    env = {
        **os.environ,
        "LEDGER_DATA_DIR": str(settings.data_dir),
        "LEDGER_DATABASE_URL": settings.database_url,
        "BEANCOUNT_DISABLE_LOAD_CACHE": "1",
    }
    main = settings.resolved_ledger_dir / "main.beancount"
    bin_dir = Path(sys.executable).parent
    t0 = time.perf_counter()
    ours = subprocess.run(
        [str(bin_dir / "relief-ledger"), "ledger", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    ours_s = time.perf_counter() - t0
    if ours.returncode != 0:
        raise SystemExit(f"ledger check failed: {ours.stdout}{ours.stderr}")
    t0 = time.perf_counter()
    plain = subprocess.run(
        [str(bin_dir / "bean-check"), "-C", str(main)], env=env, capture_output=True, text=True, check=False
    )
    plain_s = time.perf_counter() - t0
    if plain.returncode != 0:
        raise SystemExit(f"bean-check failed: {plain.stderr}")
    return ours_s, plain_s


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 200_000])
    parser.add_argument("--check-size", type=int, default=100_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    try:
        print(f"engine: {args.engine}")
        print("(a) posting cost against journal size")
        small, large = [await post_cost(args.engine, workdir, size) for size in args.sizes]
        ratio_a = large / small
        print(f"  ratio {args.sizes[1]:,} / {args.sizes[0]:,}: {ratio_a:.2f}  (target <= 1.3)")
        print(f"(b) ledger check vs bean-check on {args.check_size:,} entries")
        ours, plain = check_ratio(await filled(args.engine, workdir, args.check_size))
        print(f"  relief-ledger ledger check: {ours:.1f} s; bean-check -C: {plain:.1f} s")
        print(f"  ratio {ours / plain:.2f}  (target <= 1.2)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.engine == "postgres":
            drop_databases([*(f"bench_post_{size}" for size in args.sizes), f"bench_check_{args.check_size}"])


if __name__ == "__main__":
    asyncio.run(main())
