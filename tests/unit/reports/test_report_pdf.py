"""Statements rendered to PDF: text, fonts, rendering without CJK fonts, determinism, big tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from reports_samples import CHAIN_HEAD, GENERATED_AT, make_statement, pdf_pages_text

from ledger.reports import documents as d
from ledger.reports.pdf.render import page_label, render_statement

pytestmark = pytest.mark.usefixtures("cjk_font")

RED_FILL = b".752941 0 0 rg"  # #C00000, the error colour


@pytest.fixture(scope="module")
def trial_balance_pdf() -> bytes:
    return render_statement(make_statement())


@pytest.fixture(scope="module")
def register_pdf() -> tuple[d.Statement, bytes]:
    statement = make_statement(rows=300)
    return statement, render_statement(statement)


def _content_streams(pdf: bytes) -> list[bytes]:
    streams = []
    for page in PdfReader(BytesIO(pdf)).pages:
        contents = page.get_contents()
        assert contents is not None
        streams.append(contents.get_data())
    return streams


def test_headings_amounts_and_page_labels(trial_balance_pdf: bytes) -> None:
    pages = pdf_pages_text(trial_balance_pdf)
    text = pages[0]
    for expected in (
        "科目余额表",
        "Trial balance",
        "一、科目余额",
        "科目编码",
        "借方发生额",
        "期末余额",
        "单位：元",
    ):
        assert expected in text
    assert "期间：2025年1月1日至2025年3月31日" in text
    assert "合计" in text
    assert "1,234,567.89" in text  # the debit turnover total, to the fen
    assert "1,765,432.11" in text
    assert page_label(1, len(pages)) in text
    assert "第 1 页 / 共 1 页" in text


def test_first_page_prints_full_hashes_and_parameters(trial_balance_pdf: bytes) -> None:
    text = pdf_pages_text(trial_balance_pdf)[0]
    assert CHAIN_HEAD in text
    assert d.content_hash(make_statement()) in text
    assert "会计期间" in text
    assert "2025-Q1" in text
    assert "bean-check 通过；链哈希一致" in text


def test_every_page_has_footer_hashes_and_header_row(register_pdf: tuple[d.Statement, bytes]) -> None:
    statement, pdf = register_pdf
    pages = pdf_pages_text(pdf)
    assert len(pages) >= 6
    chash = d.content_hash(statement)
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
        assert CHAIN_HEAD[:16] in text
        assert chash[:16] in text
        assert "生成时间 2025-04-01 10:00:00+08:00" in text
        # the header row is repeated at the top of each page, and only there
        assert text.count("赔案号") == 1, f"page {number}"
    assert "合计" in pages[-1]
    totals = d.money_totals(next(statement.tables()))
    assert f"{totals['approved'] // 100:,}.{totals['approved'] % 100:02d}" in pages[-1]


@pytest.mark.parametrize("rows", range(124, 136))
def test_signatures_never_stand_alone_on_the_last_page(rows: int) -> None:
    last = pdf_pages_text(render_statement(make_statement(rows=rows)))[-1]
    assert "合计" in last
    assert "单位负责人" in last
    assert f"CY-2025-{rows:06d}" in last  # at least the last data row travels with the totals


def test_rows_are_neither_lost_nor_repeated(register_pdf: tuple[d.Statement, bytes]) -> None:
    _statement, pdf = register_pdf
    text = "\n".join(pdf_pages_text(pdf))
    numbers = re.findall(r"CY-2025-(\d{6})", text)
    assert numbers == [f"{n:06d}" for n in range(1, 301)]


def test_cjk_font_is_embedded_and_the_only_font(
    trial_balance_pdf: bytes, tmp_path: Path, poppler: None
) -> None:
    path = tmp_path / "tb.pdf"
    path.write_bytes(trial_balance_pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = out.splitlines()[2:]
    assert len(fonts) == 1, out
    columns = fonts[0].split()
    assert "WenQuanYi" in columns[0] or "CJK" in columns[0], out
    assert columns[-5] == "yes", f"font not embedded:\n{out}"  # emb column


def test_renders_without_any_cjk_font_on_the_reader(
    trial_balance_pdf: bytes, tmp_path: Path, poppler: None
) -> None:
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        "  <dir>/usr/share/fonts/truetype/dejavu</dir>\n"
        f"  <cachedir>{tmp_path / 'fc-cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    zh = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, env=env, check=False)
    assert zh.stdout.strip() == "", "the test fontconfig must not see any CJK font"
    pdf = tmp_path / "tb.pdf"
    pdf.write_bytes(trial_balance_pdf)
    result = subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "font" not in result.stderr.lower(), result.stderr
    png = tmp_path / "page-1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_input_gives_same_bytes() -> None:
    assert render_statement(make_statement()) == render_statement(make_statement())


def test_same_bytes_in_another_process_with_another_hash_seed() -> None:
    here = Path(__file__).parent
    script = (
        "import hashlib, sys; sys.path.insert(0, sys.argv[1]);"
        "from reports_samples import make_statement;"
        "from ledger.reports.pdf.render import render_statement;"
        "print(hashlib.sha256(render_statement(make_statement(rows=60))).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", script, str(here)], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == hashlib.sha256(render_statement(make_statement(rows=60))).hexdigest()


def test_generation_time_changes_bytes_not_content_hash() -> None:
    later = make_statement(generated_at=GENERATED_AT + dt.timedelta(hours=1))
    first, second = render_statement(make_statement()), render_statement(later)
    assert first != second
    chash = d.content_hash(make_statement())
    assert chash == d.content_hash(later)
    assert chash in pdf_pages_text(second)[0]
    assert "生成时间 2025-04-01 11:00:00+08:00" in pdf_pages_text(second)[0]


def test_metadata(trial_balance_pdf: bytes) -> None:
    meta = PdfReader(BytesIO(trial_balance_pdf)).metadata
    assert meta is not None
    assert meta.title == "科目余额表 Trial balance"
    assert meta.author == "救助账本 Relief Ledger"
    assert meta.subject is not None
    assert "2025年1月1日至2025年3月31日" in meta.subject
    assert meta["/CreationDate"] == "D:20250401100000+08'00'"
    assert d.content_hash(make_statement()) in str(meta["/Keywords"])


def test_errors_are_printed_in_red_at_the_top_and_flagged_on_every_page() -> None:
    errors = (
        "1002 银行存款 期末余额 与银行对账单相差 12.34 元",
        "业务活动表 合计 与 科目余额表 相差 0.01 元",
    )
    pdf = render_statement(make_statement(rows=120, errors=errors))
    pages = pdf_pages_text(pdf)
    first = pages[0]
    assert "核对差异 Cross-check differences：共 2 项" in first
    assert "1. 1002 银行存款 期末余额 与银行对账单相差 12.34 元" in first
    assert "2. 业务活动表 合计 与 科目余额表 相差 0.01 元" in first
    assert first.index("核对差异") < first.index("赔案号")  # above the data
    streams = _content_streams(pdf)
    for text, stream in zip(pages, streams, strict=True):
        assert "本表存在 2 项核对差异" in text
        assert RED_FILL in stream


def test_clean_statement_has_no_error_box(trial_balance_pdf: bytes) -> None:
    text = pdf_pages_text(trial_balance_pdf)[0]
    assert "核对差异" not in text
    assert RED_FILL not in _content_streams(trial_balance_pdf)[0]


def test_failed_check_is_printed() -> None:
    text = pdf_pages_text(render_statement(make_statement(check_passed=False)))[0]
    assert "bean-check 失败：2 处错误" in text


def test_wide_table_turns_the_page_and_long_text_wraps() -> None:
    columns = (
        d.Column("summary", "摘要", "Summary", "text", 60),
        *tuple(d.Column(f"m{i}", f"金额{i}", kind="money", width_mm=30) for i in range(5)),
    )
    summary = "业务活动成本——社区困难群体帮扶项目（第一批次，含城阳街道、流亭街道、夏庄街道、惜福镇街道）"
    rows = ((summary, -5, 0, 1, 99, 123_456_789_012),)
    statement = dataclasses.replace(
        make_statement(), sections=(d.Section("宽表", tables=(d.Table(columns, rows, title="宽表"),)),)
    )
    pdf = render_statement(statement)
    page = PdfReader(BytesIO(pdf)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = pdf_pages_text(pdf)[0].replace("\n", "")
    assert summary in text
    for amount in ("-0.05", "0.00", "0.01", "0.99", "1,234,567,890.12"):
        assert amount in text


def test_row_taller_than_a_page_is_split_not_fatal() -> None:
    columns = (d.Column("summary", "摘要", width_mm=40), d.Column("fen", "金额", kind="money"))
    rows = (("前", 1), ("很长" * 1500, 2), ("后", 3))
    table = d.Table(columns, rows, title="超长摘要")
    statement = dataclasses.replace(make_statement(), sections=(d.Section("超长", tables=(table,)),))
    pages = pdf_pages_text(render_statement(statement))
    assert len(pages) >= 3
    text = "".join(pages).replace("\n", "")
    assert text.count("很长") >= 1400  # wrapped across pages, not cut (line breaks may split a few)
    assert "后" in pages[-1]


def test_empty_table_says_so() -> None:
    statement = make_statement()
    empty = d.Table(statement.sections[0].tables[0].columns, (), title="空表")
    statement = dataclasses.replace(statement, sections=(d.Section("空", tables=(empty,)),))
    assert "无记录" in pdf_pages_text(render_statement(statement))[0]


@pytest.mark.slow
def test_five_thousand_rows_render_quickly() -> None:
    statement = make_statement(rows=5_000)
    started = time.perf_counter()
    pdf = render_statement(statement)
    elapsed = time.perf_counter() - started
    reader = PdfReader(BytesIO(pdf))
    assert 80 <= len(reader.pages) <= 130
    last = reader.pages[-1].extract_text()
    assert "CY-2025-005000" in last
    assert "合计" in last
    assert f"共 {len(reader.pages)} 页" in last
    assert elapsed < 15, f"5,000 rows took {elapsed:.1f} s (about 2 s expected)"
    assert len(pdf) < 1_500_000  # compressed page streams, subset font
