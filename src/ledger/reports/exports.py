"""Machine-readable exports of report tables: CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl).

Money leaves as exact decimal text: ``"12345.67"`` in CSV; in XLSX a number cell whose stored text
is that same decimal, with the ``#,##0.00`` format. openpyxl would format a ``Decimal`` cell through
``"%.16g"`` (a float), which stores 8.95 as ``8.949999999999999``; ``_money_cell`` therefore gives
openpyxl the exact decimal text and marks the cell numeric, so that text is written as the ``<v>``
element unchanged.

Headers are the columns' Chinese names (GB/T 24589 names where the standard has one, see
``documents.GBT_24589``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ledger.core.money import Fen, format_amount, to_decimal
from ledger.reports.documents import Cell, Column, Table

BOM = "\ufeff"
MONEY_FORMAT = "#,##0.00"
INT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
MAX_SHEET_TITLE = 31
MAX_EXACT_FEN = 10**15 - 1
"""Largest amount (in fen) the XLSX export accepts: Excel keeps 15 significant digits."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


# ---------------------------------------------------------------------------------------------------
# CSV


def csv_text(column: Column, value: Cell) -> str:
    """Return one cell as CSV text.

    Money is ``"12345.67"`` (no separators), counts are plain digits, dates ``2025-03-31``. Text that
    Excel would run as a formula (starting with ``= + - @``, tab or CR) gets a leading apostrophe
    (OWASP's advice against CSV injection).

    Args:
        column: the cell's column.
        value: the cell value.
    """
    if value is None:
        return ""
    if column.kind == "money":
        return format_amount(value)  # type: ignore[arg-type]
    if column.kind == "int":
        return str(value)
    if column.kind == "date":
        return value.isoformat()  # type: ignore[union-attr]
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(table: Table) -> bytes:
    """Return ``table``'s data rows as CSV: UTF-8 with a BOM, CRLF line ends, Chinese headers.

    The totals row is left out: the file is data for machines (GB/T 24589 style), which recompute
    the totals from it.

    Args:
        table: the table to export.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.title_cn for c in table.columns])
    columns = table.columns
    for row in table.rows:
        writer.writerow([csv_text(c, v) for c, v in zip(columns, row, strict=True)])
    return (BOM + buffer.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------------------------------
# XLSX


def sheet_title(title: str, index: int, taken: set[str]) -> str:
    """Return a valid, unique worksheet name for a table title.

    Args:
        title: the table title (may be empty).
        index: the 1-based position of the sheet, for a fallback name.
        taken: names already used (compared case-insensitively, as Excel does); updated.
    """
    base = _SHEET_FORBIDDEN.sub("_", title).strip("'").strip() or f"表{index}"
    name = base[:MAX_SHEET_TITLE]
    number = 2
    while name.lower() in taken:
        suffix = f"({number})"
        name = base[: MAX_SHEET_TITLE - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def _money_cell(sheet: Any, fen: Fen, font: Font | None = None) -> WriteOnlyCell:
    """Return a numeric cell whose stored text is the exact decimal of ``fen`` (never via float).

    Args:
        sheet: the write-only worksheet.
        fen: the amount; at most ``MAX_EXACT_FEN`` in magnitude (see ``check_excel_amounts``).
        font: an optional font (the totals row is bold).

    """
    cell = WriteOnlyCell(sheet, value=format(to_decimal(fen), "f"))
    # openpyxl writes a number through "%.16g" (a float) but a string as it is: the decimal text in a
    # cell typed numeric is stored exactly and read by Excel as the number.
    cell.data_type = "n"
    cell.number_format = MONEY_FORMAT
    if font is not None:
        cell.font = font
    return cell


def check_excel_amounts(table: Table) -> None:
    """Raise ``ValueError`` if a money cell of ``table`` is too large for Excel to hold exactly.

    Args:
        table: the table about to be exported (checked before anything is written).
    """
    money = [i for i, c in enumerate(table.columns) if c.kind == "money"]
    rows = [(f"row {n}", row) for n, row in enumerate(table.rows, start=1)]
    if table.totals is not None:
        rows.append(("totals row", table.totals))
    for where, row in rows:
        for index in money:
            fen = row[index]
            if isinstance(fen, int) and abs(fen) > MAX_EXACT_FEN:
                raise ValueError(
                    f"table {table.title!r}, {where}, column {table.columns[index].key!r}: amount {fen} fen "
                    "has more than 15 significant digits; Excel would round it"
                )


def _xlsx_cell(sheet: Any, column: Column, value: Cell, font: Font | None = None) -> Any:
    """Return the worksheet cell for one table cell (typed: number, date or text, never a formula)."""
    if value is None:
        return None if font is None else WriteOnlyCell(sheet, value=None)
    if font is None and column.kind == "text" and not str(value).startswith("="):
        return value  # openpyxl makes a plain text cell of it, cheaper than a WriteOnlyCell
    if column.kind == "money":
        return _money_cell(sheet, value, font)  # type: ignore[arg-type]
    cell = WriteOnlyCell(sheet, value=value)
    if column.kind == "int":
        cell.number_format = INT_FORMAT
    elif column.kind == "date":
        cell.number_format = DATE_FORMAT
    elif cell.data_type == "f":  # text starting with "=" must stay text
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _write_table(workbook: Workbook, table: Table, title: str) -> None:
    sheet = workbook.create_sheet(title=title)
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(8, round(column.width_mm * 0.55) + 2)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    thin = Side(style="thin", color="808080")
    header_fill = PatternFill("solid", fgColor="E6EBF1")
    header: list[WriteOnlyCell] = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column.title_cn)
        cell.data_type = "s"
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = Border(bottom=thin)
        header.append(cell)
    sheet.append(header)
    columns = table.columns
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, c, v) for c, v in zip(columns, row, strict=True)])
    if table.totals is not None:
        totals = [_xlsx_cell(sheet, c, v, bold) for c, v in zip(columns, table.totals, strict=True)]
        for cell in totals:
            cell.border = Border(top=Side(style="medium"))
        sheet.append(totals)


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """Return an XLSX workbook with one sheet per table (header row frozen, totals row bold last).

    Money cells are numbers formatted ``#,##0.00`` whose stored value is the exact decimal;
    dates are date cells; text never becomes a formula.

    Args:
        tables: the tables, one sheet each, in order (at least one).

    Raises:
        ValueError: no tables, or an amount too large for Excel to hold exactly.
    """
    if not tables:
        raise ValueError("no tables to export")
    for table in tables:
        check_excel_amounts(table)
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "救助账本 Relief Ledger"
    workbook.properties.title = tables[0].title
    taken: set[str] = set()
    for index, table in enumerate(tables, start=1):
        _write_table(workbook, table, sheet_title(table.title, index, taken))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
