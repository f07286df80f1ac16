"""Benchmark: render a claims register of N rows (default 100,000) to PDF, CSV and XLSX.

Usage: .venv/bin/python bench/reports_render_bench.py [rows] [--out /tmp/register.pdf] [--no-exports]

Prints seconds, pages, MB and the peak RSS of the process (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from ledger.reports import documents as d
from ledger.reports.exports import to_csv, to_xlsx
from ledger.reports.pdf.render import render_statement

PERILS = ("自然灾害救助", "火灾爆炸救助", "溺水救助", "见义勇为救助", "公共安全事件", "交通事故救助")
STREETS = ("城阳街道", "流亭街道", "夏庄街道", "惜福镇街道", "棘洪滩街道", "上马街道")
SURNAMES = "王李张刘陈杨赵黄周吴"
TZ = dt.timezone(dt.timedelta(hours=8))


def claims_register(rows: int, seed: int = 7) -> d.Statement:
    """Return a synthetic claims register statement with ``rows`` claims (deterministic for ``seed``)."""
    rng = random.Random(seed)
    columns = (
        d.Column("claim_no", "赔案号", "Claim no.", "text", 28),
        d.Column("date", "出险日期", "Date", "date", 20),
        d.Column("peril", "险种", "Peril", "text", 24),
        d.Column("street", "街道", "Street", "text", 22),
        d.Column("victim", "受助人（脱敏）", "Victim (masked ID)", "text", 36),
        d.Column("approved", "核定金额", "Approved", "money", 25),
        d.Column("paid", "已付金额", "Paid", "money", 25),
    )
    start = dt.date(2025, 1, 1)
    data = []
    for n in range(1, rows + 1):
        approved = rng.randrange(50_000, 15_000_000)
        paid = approved if rng.random() < 0.8 else rng.randrange(0, approved)
        victim = f"{rng.choice(SURNAMES)}* 3702{rng.randrange(10, 99)}********{rng.randrange(1000, 9999)}"
        data.append(
            (
                f"CY-2025-{n:06d}",
                start + dt.timedelta(days=n % 365),
                rng.choice(PERILS),
                rng.choice(STREETS),
                victim,
                approved,
                paid,
            )
        )
    rows_t = tuple(data)
    table = d.Table(columns, rows_t, d.totals_row(columns, rows_t), "赔案登记簿", "Claims register")
    return d.Statement(
        kind="claims_register",
        title_cn="政府救助责任保险赔案登记簿",
        title_en="Government relief liability insurance: claims register",
        book="insurance",
        period_label="2025年1月1日至2025年12月31日",
        parameters=(("保单年度", "2025"), ("街道", "全部"), ("险种", "全部"), ("状态", "已核定")),
        sections=(d.Section("", "", (table,)),),
        footer=d.Footer("0123456789abcdef" * 4, "bean-check 通过；链哈希一致"),
        generated_at=dt.datetime(2026, 1, 5, 9, 30, tzinfo=TZ),
    )


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (insensitive to other load on the machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "claims_register.pdf")
    parser.add_argument("--no-exports", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    statement = claims_register(args.rows)
    t_data = time.perf_counter() - t0
    rss_data = peak_rss_mb()
    print(f"rows {args.rows:,}: data built in {t_data:.2f} s, peak RSS so far {rss_data:.0f} MB")

    t0 = time.perf_counter()
    h = d.content_hash(statement)
    print(f"content_hash: {time.perf_counter() - t0:.2f} s ({h[:16]})")

    t0, c0 = time.perf_counter(), cpu_seconds()
    pdf = render_statement(statement)
    t_pdf, c_pdf = time.perf_counter() - t0, cpu_seconds() - c0
    args.out.write_bytes(pdf)
    pages = len(PdfReader(args.out).pages)
    print(
        f"PDF: {t_pdf:.2f} s wall ({c_pdf:.2f} s CPU), {pages:,} pages, {len(pdf) / 1e6:.2f} MB, "
        f"peak RSS {peak_rss_mb():.0f} MB -> {args.out}"
    )
    if args.no_exports:
        return
    table = next(statement.tables())
    t0, c0 = time.perf_counter(), cpu_seconds()
    csv_bytes = to_csv(table)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    print(f"CSV: {seconds:.2f} s wall ({cpu:.2f} s CPU), {len(csv_bytes) / 1e6:.2f} MB")
    t0, c0 = time.perf_counter(), cpu_seconds()
    xlsx = to_xlsx([table])
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    size = len(xlsx) / 1e6
    print(f"XLSX: {seconds:.2f} s wall ({cpu:.2f} s CPU), {size:.2f} MB, peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
