"""Sample documents and helpers shared by the report tests (imported by name: no package here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from io import BytesIO

from pypdf import PdfReader

from ledger.reports import documents as d

APT = "apt-get install -y poppler-utils fonts-wqy-microhei fonts-wqy-zenhei"
TZ = dt.timezone(dt.timedelta(hours=8))
GENERATED_AT = dt.datetime(2025, 4, 1, 10, 0, 0, tzinfo=TZ)
CHAIN_HEAD = "0123456789abcdef" * 4

BALANCE_COLUMNS = (
    d.std_column("account_code", 22),
    d.std_column("account_name", 52),
    d.std_column("opening_balance", 26),
    d.std_column("debit_total", 26),
    d.std_column("credit_total", 26),
    d.std_column("closing_balance", 26),
)
BALANCE_ROWS: tuple[tuple[d.Cell, ...], ...] = (
    ("1002", "银行存款", 100_000_000, 100_000_000, 23_456_789, 176_543_211),
    ("2209", "其他应付款", 0, 20_000_000, 25_000_000, 5_000_000),
    ("440102", "政府补助收入—限定性", 0, 3_000_000, 100_000_000, 97_000_000),
    ("5101", "业务活动成本", 0, 456_789, 0, 456_789),
)
"""Debit turnover totals 123,456,789 fen: printed "1,234,567.89"."""


def pdf_pages_text(pdf: bytes) -> list[str]:
    """Return the extracted text of each page of ``pdf`` (pypdf)."""
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def register_columns() -> tuple[d.Column, ...]:
    """The columns of a claims register (fits A4 portrait)."""
    return (
        d.Column("claim_no", "赔案号", "Claim no.", "text", 28),
        d.Column("date", "出险日期", "Date", "date", 20),
        d.Column("peril", "险种", "Peril", "text", 24),
        d.Column("street", "街道", "Street", "text", 22),
        d.Column("victim", "受助人（脱敏）", "Victim (masked ID)", "text", 36),
        d.Column("approved", "核定金额", "Approved", "money", 25),
        d.Column("paid", "已付金额", "Paid", "money", 25),
    )


def register_rows(count: int) -> tuple[tuple[d.Cell, ...], ...]:
    """Return ``count`` deterministic claims-register rows."""
    perils = ("自然灾害救助", "火灾爆炸救助", "溺水救助")
    streets = ("城阳街道", "流亭街道", "夏庄街道")
    start = dt.date(2025, 1, 1)
    return tuple(
        (
            f"CY-2025-{n:06d}",
            start + dt.timedelta(days=n % 365),
            perils[n % 3],
            streets[n % 3],
            f"张* 370214********{n % 10_000:04d}",
            10_000 + n * 137,
            10_000 + n * 101,
        )
        for n in range(1, count + 1)
    )


def make_statement(
    *,
    rows: int | None = None,
    errors: Sequence[str] = (),
    generated_at: dt.datetime = GENERATED_AT,
    balance_rows: tuple[tuple[d.Cell, ...], ...] = BALANCE_ROWS,
    check_passed: bool = True,
) -> d.Statement:
    """Return a trial balance (default) or a claims register of ``rows`` claims."""
    columns: tuple[d.Column, ...]
    if rows is None:
        columns, data, title, title_en = BALANCE_COLUMNS, balance_rows, "科目余额表", "Trial balance"
    else:
        columns, data, title, title_en = (
            register_columns(),
            register_rows(rows),
            "赔案登记簿",
            "Claims register",
        )
    table = d.Table(columns, data, d.totals_row(columns, data), title, title_en)
    return d.Statement(
        kind="trial_balance" if rows is None else "claims_register",
        title_cn=title,
        title_en=title_en,
        book="charity" if rows is None else "insurance",
        period_label="2025年1月1日至2025年3月31日",
        parameters=(("会计期间", "2025-Q1"), ("币种", "人民币 CNY")),
        sections=(d.Section("一、科目余额", "Balances", (table,), ("注：金额单位为人民币元。",)),),
        footer=d.Footer(
            CHAIN_HEAD,
            "bean-check 通过；链哈希一致" if check_passed else "bean-check 失败：2 处错误",
            check_passed,
        ),
        generated_at=generated_at,
        errors=tuple(errors),
    )


def sample_voucher(seq: int = 123, fen: int = 1_234_567) -> d.Voucher:
    """A two-line grant payment voucher of ``fen``."""
    return d.Voucher(
        seq=seq,
        date=dt.date(2025, 3, 31),
        book="charity",
        summary="支付社区帮扶项目第一期拨款",
        lines=(
            d.VoucherLine("5101", "业务活动成本", "Expenses:Charity:Programs:Community", debit_fen=fen),
            d.VoucherLine("1002", "银行存款", "Assets:Charity:Bank", credit_fen=fen),
        ),
        prepared_by="王会计",
        approved_by="赵主管",
        attachments=("拨款审批单 GA-2025-017", "银行回单 0093312"),
        cause="grant-tranche:17",
        hash="cd" * 32,
    )
