"""Vouchers (记账凭证) rendered to PDF."""

from __future__ import annotations

import datetime as dt
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from reports_samples import GENERATED_AT, pdf_pages_text, sample_voucher

from ledger.reports import documents as d
from ledger.reports.pdf.render import render_voucher, render_vouchers

pytestmark = pytest.mark.usefixtures("cjk_font")


def test_voucher_prints_capital_numerals_and_every_field() -> None:
    text = pdf_pages_text(render_voucher(sample_voucher(), generated_at=GENERATED_AT))[0]
    assert "壹万贰仟叁佰肆拾伍元陆角柒分" in text
    for expected in (
        "记账凭证",
        "Accounting voucher",
        "凭证号：记-000123",
        "日期：2025年03月31日",
        "支付社区帮扶项目第一期拨款",
        "5101",
        "业务活动成本",
        "Expenses:Charity:Programs:Community",
        "银行存款",
        "12,345.67",
        "附件 2 张",
        "拨款审批单 GA-2025-017",
        "grant-tranche:17",
        "cd" * 32,
        "审核：赵主管",
        "制单：王会计",
        "第 1 页 / 共 1 页",
    ):
        assert expected in text, expected


def test_reversal_is_named() -> None:
    voucher = sample_voucher()
    reversal = d.Voucher(
        seq=200,
        date=voucher.date,
        book=voucher.book,
        summary="冲销 记-000123",
        lines=tuple(
            d.VoucherLine(ln.account_code, ln.account_cn, ln.account, ln.credit_fen, ln.debit_fen)
            for ln in voucher.lines
        ),
        prepared_by="王会计",
        reverses=123,
    )
    text = pdf_pages_text(render_voucher(reversal, generated_at=GENERATED_AT))[0]
    assert "冲销 Reverses" in text
    assert "记-000123" in text
    assert "附件 0 张" in text


def test_many_vouchers_in_one_pdf() -> None:
    vouchers = [sample_voucher(seq=n, fen=n * 100) for n in range(1, 8)]
    pdf = render_vouchers(vouchers, generated_at=GENERATED_AT)
    pages = pdf_pages_text(pdf)
    text = "\n".join(pages)
    positions = [text.index(f"凭证号：记-{n:06d}") for n in range(1, 8)]
    assert positions == sorted(positions)
    assert 2 <= len(pages) <= 7  # more than one voucher per page
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in page
    assert "柒元整" in text  # 700 fen


def test_vouchers_are_deterministic_and_embed_the_font(tmp_path: Path, poppler: None) -> None:
    one = render_voucher(sample_voucher(), generated_at=GENERATED_AT)
    assert one == render_voucher(sample_voucher(), generated_at=GENERATED_AT)
    path = tmp_path / "v.pdf"
    path.write_bytes(one)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert len(rows) == 1, out
    assert rows[0].split()[-5] == "yes", out
    meta = PdfReader(BytesIO(one)).metadata
    assert meta is not None
    assert meta.title == "记账凭证 记-000123"


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="no vouchers"):
        render_vouchers([], generated_at=GENERATED_AT)
    with pytest.raises(ValueError, match="timezone-aware"):
        render_voucher(sample_voucher(), generated_at=dt.datetime(2025, 1, 1))
