"""Benchmark: the real statement path on a 100,000-entry year.

Usage: .venv/bin/python bench/reports_bench.py [--entries 100000] [--dir /tmp/reports-bench]

1. Generates, once per directory, a SQLite database with N claim payments of 2026 (journal entries with their
   hash chain and N claims behind them, bulk-inserted) and exports them to Beancount files with the real
   exporter (``Ledger.export``).
2. Runs each phase in a fresh process, so ``resource.getrusage`` peak memory belongs to that phase alone:
   - ``load``: Beancount's own load of the files (``books.load``, no cache);
   - ``trial``: trial balance of the insurance book for 2026 via ``ReportService`` (load + bean-check
     validations + chain + reconciliation + figures), rendered to PDF and CSV;
   - ``register``: claims register of N rows (claims tables + ledger cross-check), rendered to PDF and CSV.
3. Prints seconds, peak RSS and each statement's time as a multiple of the Beancount load.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
PERILS = (
    ("natural_disaster", "Expenses:Insurance:Claims:NaturalDisaster"),
    ("fire_explosion", "Expenses:Insurance:Claims:FireExplosion"),
    ("traffic_accident", "Expenses:Insurance:Claims:TrafficAccident"),
    ("falling_object", "Expenses:Insurance:Claims:FallingObject"),
)
BATCH = 2_000


def _settings(directory: Path):  # type: ignore[no-untyped-def]
    from ledger.config import Settings

    return Settings(data_dir=directory, secret_key="bench" * 8)


async def _generate(directory: Path, entries: int) -> None:
    from ledger import db
    from ledger.claims.tables import ClaimRow, EventRow, PolicyYearRow
    from ledger.core import clock
    from ledger.core.entries import GENESIS_HASH, JournalEntry, Posting, entry_hash
    from ledger.journal.repository import JournalRepository
    from ledger.journal.service import Ledger

    settings = _settings(directory)
    now = clock.now()
    async with db.connected(settings):
        await db.upgrade()
        async with db.write_transaction():
            year = await PolicyYearRow.insert(
                PolicyYearRow(
                    code="2026",
                    insurer="人保财险",
                    policyholder="城阳区民政局",
                    starts=YEAR[0],
                    ends=YEAR[1],
                    insured_population=1_000_000,
                    premium_fen=10**12,
                    created_at=now,
                )
            ).returning(PolicyYearRow.id)
            year_id = year[0]["id"]
            events = entries // 100 or 1
            for first in range(0, events, BATCH):
                await EventRow.insert(
                    *[
                        EventRow(
                            event_no=f"EV-2026-{n:06d}",
                            policy_year=year_id,
                            incident_date=YEAR[0] + dt.timedelta(days=n % 360),
                            street="城阳街道",
                            place="某地",
                            peril=PERILS[n % len(PERILS)][0],
                            authority="应急局",
                            certificate_no=f"C{n}",
                            created_by="bench",
                            created_at=now,
                        )
                        for n in range(first, min(first + BATCH, events))
                    ]
                )
        event_ids = [r["id"] for r in await EventRow.select(EventRow.id).order_by(EventRow.id)]
        prev = GENESIS_HASH
        for first in range(0, entries, BATCH):
            async with db.write_transaction():
                claims = []
                journal: list[JournalEntry] = []
                for n in range(first, min(first + BATCH, entries)):
                    event = n % events
                    peril, account = PERILS[event % len(PERILS)]
                    fen = 50_000 + (n * 7919) % 5_000_000
                    claim_no = f"CL-2026-{n + 1:06d}"
                    incident = YEAR[0] + dt.timedelta(days=event % 360)
                    draft = JournalEntry(
                        seq=n + 1,
                        date=incident + dt.timedelta(days=3),
                        book="insurance",
                        payee="受助人",
                        narration=f"赔付 {claim_no}",
                        postings=(Posting(account, fen), Posting("Assets:Insurance:Bank", -fen)),
                        cause=f"claim-payment:{n + 1}",
                        actor="bench",
                        links=(("claim", claim_no), ("payment-ref", f"{claim_no}-P1")),
                    )
                    prev = entry_hash(prev, draft)
                    journal.append(dataclasses.replace(draft, hash=prev))
                    claims.append(
                        ClaimRow(
                            claim_no=claim_no,
                            event=event_ids[event],
                            policy_year=year_id,
                            peril=peril,
                            scheme="standard",
                            incident_date=incident,
                            claimant_name="王小明",
                            claimant_relation="self",
                            claimant_id="370214199001011234",
                            victim_name="王小明",
                            victim_id="370214199001011234",
                            household=f"H{n}",
                            household_status="normal",
                            bank_name="农商银行",
                            bank_account="62",
                            status="paid",
                            approved_fen=fen,
                            paid_fen=fen,
                            registered_by="bench",
                            first_approver="approver",
                            created_at=now,
                            updated_at=now,
                        )
                    )
                await ClaimRow.insert(*claims)
                await JournalRepository().add(journal, now)
        started = time.perf_counter()
        result = await Ledger.of(settings).export()
        print(f"exported {result.appended} entries in {time.perf_counter() - started:.1f} s")


async def _statement(directory: Path, name: str) -> dict[str, float]:
    from ledger import db
    from ledger.reports.pdf import render_statement
    from ledger.reports.service import ReportService, _render_statement, report_request

    settings = _settings(directory)
    async with db.connected(settings):
        service = ReportService(settings)
        request = report_request(name, book="insurance", start=YEAR[0], end=YEAR[1], today=YEAR[1])
        started = time.perf_counter()
        statement = await service.statement(request)
        built = time.perf_counter()
    pdf = render_statement(statement)
    rendered = time.perf_counter()
    csv = _render_statement(statement, "csv", 0, None)
    done = time.perf_counter()
    (directory / f"{name}.pdf").write_bytes(pdf)
    assert not statement.errors, statement.errors[:3]
    rows = sum(len(t.rows) for t in statement.tables())
    return {
        "rows": rows,
        "build_s": built - started,
        "pdf_s": rendered - built,
        "csv_s": done - rendered,
        "total_s": done - started,
        "pdf_mb": len(pdf) / 1e6,
        "csv_mb": len(csv) / 1e6,
    }


def _phase(directory: Path, phase: str) -> dict[str, float]:
    if phase == "load":
        from ledger.books import load
        from ledger.journal.service import Ledger

        started = time.perf_counter()
        loaded = load(Ledger.of(_settings(directory)).directory)
        result = {"load_s": time.perf_counter() - started, "entries": len(loaded.entries)}
    else:
        result = asyncio.run(_statement(directory, phase))
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "reports-bench")
    parser.add_argument("--phase", choices=["load", "trial-balance", "claims-register"], default=None)
    args = parser.parse_args()
    directory = args.dir / str(args.entries)
    if args.phase:
        print(json.dumps(_phase(directory, args.phase)))
        return
    if not (directory / "ledger" / "main.beancount").exists():
        directory.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        asyncio.run(_generate(directory, args.entries))
        print(f"generated {args.entries} entries in {time.perf_counter() - started:.1f} s")
    results = {}
    for phase in ("load", "trial-balance", "claims-register"):
        command = [
            sys.executable,
            __file__,
            "--entries",
            str(args.entries),
            "--dir",
            str(args.dir),
            "--phase",
            phase,
        ]
        output = (
            subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()
        )
        results[phase] = json.loads(output[-1])
        print(phase, results[phase])
    load_s = results["load"]["load_s"]
    for phase in ("trial-balance", "claims-register"):
        r = results[phase]
        print(
            f"{phase}: {r['rows']:,} rows; statement {r['build_s']:.1f} s + PDF {r['pdf_s']:.1f} s"
            f" + CSV {r['csv_s']:.1f} s = {r['total_s']:.1f} s; peak RSS {r['peak_rss_mb']:.0f} MB;"
            f" PDF {r['pdf_mb']:.1f} MB;"
            f" statement/load {r['build_s'] / load_s:.2f}x, total/load {r['total_s'] / load_s:.2f}x"
        )
    print(
        f"Beancount load of {results['load']['entries']:,} directives: {load_s:.1f} s, "
        f"peak RSS {results['load']['peak_rss_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
