"""Bank files from the bank's template, and the parsing of return files and statements: every malformed
line is refused naming ``content`` and the line, never a crash."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from ledger.core.errors import InvalidInput
from ledger.relief.bankfiles import Line, parse_returns, parse_statement, sha256, to_csv, to_xlsx
from ledger.relief.programmes import load_relief_config

LINES = [
    Line(1, "6228480000000001", "张三", 66_000, "最低生活保障2026-12", "HH000001"),
    Line(2, "6228480000000002", "李四", 12_345, "最低生活保障2026-12", "HH000002"),
]


def test_csv_follows_the_template_with_totals_and_its_hash() -> None:
    bank = load_relief_config().bank("qdrcb")
    text = to_csv(bank, LINES)
    assert text.split("\r\n") == [
        "账号,户名,金额,摘要",
        "6228480000000001,张三,660.00,最低生活保障2026-12",
        "6228480000000002,李四,123.45,最低生活保障2026-12",
        "合计 2,,783.45,",
        "",
    ]
    assert sha256(text) == sha256(to_csv(bank, LINES))
    assert len(sha256(text)) == 64


def test_xlsx_holds_the_same_table_with_amounts_as_text() -> None:
    bank = load_relief_config().bank("qdrcb")
    sheet = load_workbook(io.BytesIO(to_xlsx(bank, LINES))).active
    assert sheet is not None
    assert [[c.value for c in row] for row in sheet.iter_rows()][-1] == ["合计 2", None, "783.45", None]


def test_returns_are_read_per_row() -> None:
    rows = parse_returns("row_no,result,reason\n1,paid,\n2,failed,账户已销户\n")
    assert [(r.row_no, r.paid, r.reason) for r in rows] == [(1, True, ""), (2, False, "账户已销户")]


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("row_no,result\n1,paid\n", "header row row_no, result, reason"),
        ("row_no,result,reason\n", "header row row_no, result, reason"),
        ("row_no,result,reason\n1,failed,\n", "line 2"),
        ("row_no,result,reason\n1\n", "line 2"),
        ("row_no,result,reason\nx,paid,\n", "line 2"),
        ("row_no,result,reason\n1,paid,\n1,paid,\n", "row 1 is answered twice"),
        ("", "header row"),
    ],
)
def test_malformed_returns_are_refused_naming_the_line(content: str, detail: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_returns(content)
    assert refused.value.field == "content"
    assert detail in refused.value.message


def test_statement_lines_are_signed_and_keyed_so_a_second_import_adds_nothing() -> None:
    text = "date,amount,reference,description\n2026-12-01,-12.00,FEE,手续费\n2026-12-01,-12.00,FEE,手续费\n"
    lines = parse_statement(text)
    assert [(x.booked_on, x.fen, x.reference) for x in lines] == [(dt.date(2026, 12, 1), -1200, "FEE")] * 2
    assert lines[0].key != lines[1].key
    assert [x.key for x in parse_statement(text)] == [x.key for x in lines]


@pytest.mark.parametrize(
    "line", ["2026-13-01,1.00,a,b", "2026-12-01,1.001,a,b", "2026-12-01,,a,b", "2026-12-01", "x,1,a,b"]
)
def test_malformed_statement_lines_are_refused(line: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_statement(f"date,amount,reference,description\n{line}\n")
    assert refused.value.field == "content"
