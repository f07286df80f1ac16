"""CSV and XLSX exports: headers, exact money, round trips to the fen."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reports_samples import BALANCE_COLUMNS, make_statement, register_columns, register_rows
from tests.exported_files import column_sums, csv_rows, printed_totals, xlsx_rows

from ledger.reports import documents as d
from ledger.reports.exports import MAX_EXACT_FEN, sheet_title, to_csv, to_xlsx


def _balance_table() -> d.Table:
    return next(make_statement().tables())


def _register_table(rows: int = 500) -> d.Table:
    columns, data = register_columns(), register_rows(rows)
    return d.Table(columns, data, d.totals_row(columns, data), "赔案登记簿")


def test_csv_has_bom_chinese_headers_and_plain_decimal_money() -> None:
    data = to_csv(_balance_table())
    assert data.startswith("\ufeff".encode())
    assert b"\r\n" in data
    rows = csv_rows(data)
    assert rows[0] == ["科目编码", "科目名称", "期初余额", "借方发生额", "贷方发生额", "期末余额"]
    assert rows[1] == ["1002", "银行存款", "1000000.00", "1000000.00", "234567.89", "1765432.11"]
    assert len(rows) == 1 + 4  # no totals row in the machine-readable file


def test_csv_cell_forms() -> None:
    columns = (
        d.Column("text", "摘要"),
        d.Column("n", "笔数", kind="int"),
        d.Column("day", "凭证日期", kind="date"),
        d.Column("fen", "借方金额", kind="money"),
    )
    table = d.Table(columns, (("=HYPERLINK(1)", 1234, dt.date(2025, 3, 1), -5), ("普通", None, None, None)))
    rows = csv_rows(to_csv(table))
    assert rows[1] == ["'=HYPERLINK(1)", "1234", "2025-03-01", "-0.05"]
    assert rows[2] == ["普通", "", "", ""]


def test_csv_round_trip_keeps_totals_to_the_fen() -> None:
    table = _register_table()
    back = column_sums(csv_rows(to_csv(table)), table)
    assert back == d.money_totals(table)
    assert back == {"approved": table.totals[5], "paid": table.totals[6]}  # type: ignore[index]


def test_xlsx_one_sheet_per_table_with_typed_cells() -> None:
    balance, register = _balance_table(), _register_table(50)
    data = to_xlsx([balance, register, register])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["科目余额表", "赔案登记簿", "赔案登记簿(2)"]
    sheet = book["科目余额表"]
    assert [c.value for c in sheet[1]] == [c.title_cn for c in BALANCE_COLUMNS]
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet["D2"].number_format == "#,##0.00"
    assert isinstance(sheet["D2"].value, int | float)  # a number, not text
    assert sheet["A6"].value == "合计"
    assert sheet["A6"].font.b
    dates = book["赔案登记簿"]
    assert dates["B2"].number_format == "yyyy-mm-dd"
    assert dates["B2"].value == dt.datetime(2025, 1, 2)


def test_xlsx_stores_the_exact_decimal_not_a_float_rendering() -> None:
    # openpyxl alone writes Decimal("8.95") as 8.949999999999999 (it formats through float).
    columns = (d.Column("name", "名称"), d.Column("fen", "金额", kind="money"))
    fens = (895, 921, 1, -5, 10, 123_456_789_012_34, MAX_EXACT_FEN)
    table = d.Table(columns, tuple((str(f), f) for f in fens))
    data = to_xlsx([table])
    cells = [repr(row[1]) for row in xlsx_rows(data)[1:]]
    assert cells == ["8.95", "9.21", "0.01", "-0.05", "0.1", "123456789012.34", "9999999999999.99"]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<v>8.95</v>" in xml
    assert b"<v>0.10</v>" in xml
    assert b"8.949999" not in xml


def test_xlsx_refuses_amounts_excel_cannot_hold() -> None:
    columns = (d.Column("fen", "金额", kind="money"),)
    with pytest.raises(ValueError, match="15 significant digits"):
        to_xlsx([d.Table(columns, ((1,), (MAX_EXACT_FEN + 1,)))])
    with pytest.raises(ValueError, match="totals row"):
        to_xlsx([d.Table(columns, ((1,),), (-MAX_EXACT_FEN - 1,))])


def test_xlsx_round_trip_keeps_totals_to_the_fen() -> None:
    table = _register_table()
    data = to_xlsx([_balance_table(), table])
    rows = xlsx_rows(data, sheet=1)
    assert column_sums(rows, table, totals_row=True) == d.money_totals(table)
    assert printed_totals(rows, table) == d.money_totals(table)


def test_xlsx_text_never_becomes_a_formula() -> None:
    table = d.Table((d.Column("text", "摘要"),), (("=1+1",),))
    data = to_xlsx([table])
    assert xlsx_rows(data)[1] == ["=1+1"]
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def test_sheet_titles_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_title("a/b:c*?[d]", 1, taken) == "a_b_c___d_"
    assert sheet_title("", 2, taken) == "表2"
    long = "很长的表名" * 10
    first, second = sheet_title(long, 3, taken), sheet_title(long, 4, taken)
    assert len(first) == len(second) == 31
    assert first != second


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.integers(min_value=-MAX_EXACT_FEN // 30, max_value=MAX_EXACT_FEN // 30), min_size=1, max_size=30
    )
)
def test_any_amounts_round_trip_exactly(fens: list[int]) -> None:
    columns = (d.Column("no", "凭证号", kind="int"), d.Column("debit", "借方金额", kind="money"))
    rows = tuple((n, fen) for n, fen in enumerate(fens, start=1))
    table = d.Table(columns, rows, (None, sum(fens)))
    expected = {"debit": sum(fens)}
    assert column_sums(csv_rows(to_csv(table)), table) == expected
    rows = xlsx_rows(to_xlsx([table]))
    assert column_sums(rows, table, totals_row=True) == expected
    assert printed_totals(rows, table) == expected
