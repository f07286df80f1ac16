"""Machine-readable exports of report tables: CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl).

Money leaves as exact decimal text: ``"12345.67"`` in CSV; in XLSX a number cell whose stored text
is that same decimal, with the ``#,##0.00`` format. openpyxl would format a ``Decimal`` cell through
``"%.16g"`` (a float), which stores 8.95 as ``8.949999999999999``; ``_money_cell`` therefore hands
openpyxl the exact decimal string for the ``<v>`` element of a numeric cell. The ``read_back_*``
helpers read the files back without floats (the XLSX one parses the sheet XML), so tests can prove
that a round trip keeps every total to the fen.

Headers are the columns' Chinese names (GB/T 24589 names where the standard has one, see
``documents.GBT_24589``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from xml.etree import ElementTree as ET

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ledger.core.money import Fen, format_amount, from_decimal, to_decimal
from ledger.reports.documents import TOTAL_LABEL, Cell, Column, Table

BOM = "\ufeff"
MONEY_FORMAT = "#,##0.00"
INT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
MAX_SHEET_TITLE = 31
MAX_EXACT_FEN = 10**15 - 1
"""Largest amount (in fen) the XLSX export accepts: Excel keeps 15 significant digits."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


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

    The totals row is left out: the file is data for machines (GB/T 24589 style), and
    ``read_back_totals`` recomputes the totals from it.

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


def read_back_csv(data: bytes) -> list[list[str]]:
    """Parse CSV bytes written by ``to_csv`` (BOM stripped); the first row is the header.

    Args:
        data: the CSV file.
    """
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


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
    amount: Decimal = to_decimal(fen)
    cell = WriteOnlyCell(sheet, value=amount)  # data type "n"
    # openpyxl writes numbers with "%.16g" (float); give it the decimal text to write instead.
    cell._value = format(amount, "f")
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


def _column_index(reference: str) -> int:
    """Return the 0-based column of a cell reference such as ``AB12``."""
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + (ord(char.upper()) - ord("A") + 1)
    return number - 1


def read_back_xlsx(data: bytes, sheet: int = 0) -> list[list[str | None]]:
    """Return the raw stored text of every cell of one worksheet, row by row (no float involved).

    Numbers come back as the text in the file (``"12345.67"``), strings as strings, dates as
    Excel serial numbers; the first row is the header.

    Args:
        data: the XLSX file.
        sheet: the 0-based sheet position.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ET.fromstring(archive.read(f"xl/worksheets/sheet{sheet + 1}.xml"))  # noqa: S314 - our own file
        shared: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            strings = ET.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = ["".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")) for si in strings]
    rows: list[list[str | None]] = []
    for row in root.iterfind("m:sheetData/m:row", _NS):
        values: list[str | None] = []
        for cell in row.iterfind("m:c", _NS):
            index = _column_index(cell.get("r", ""))
            values += [None] * (index - len(values))
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                text: str | None = "".join(t.text or "" for t in cell.iter(f"{{{_NS['m']}}}t"))
            else:
                v = cell.find("m:v", _NS)
                text = None if v is None else v.text
                if kind == "s" and text is not None:
                    text = shared[int(text)]
            values.append(text)
        rows.append(values)
    return rows


# ---------------------------------------------------------------------------------------------------
# Read-back totals (for tests and reconciliation)


def _parse_fen(text: str | None) -> Fen:
    if text is None or text == "":
        return 0
    try:
        return from_decimal(Decimal(text))
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal amount: {text!r}") from exc


def read_back_totals(
    data: bytes, table: Table, *, fmt: Literal["csv", "xlsx"], sheet: int = 0
) -> dict[str, Fen]:
    """Sum each money column of an exported file's data rows, exactly, in fen.

    Columns are found by their Chinese header; an XLSX totals row (first cell ``合计``, when the
    table has totals) is not counted. Compare with ``documents.money_totals(table)`` and
    ``read_back_totals_row``.

    Args:
        data: the file written by ``to_csv`` or ``to_xlsx``.
        table: the table that was exported (for its column names and kinds).
        fmt: ``csv`` or ``xlsx``.
        sheet: for XLSX, the 0-based sheet position of the table.

    Raises:
        ValueError: a money column is missing or a cell is not a decimal amount.
    """
    rows = read_back_csv(data) if fmt == "csv" else read_back_xlsx(data, sheet)
    header, body = rows[0], rows[1:]
    if fmt == "xlsx" and table.totals is not None and body:
        body = body[:-1]
    sums: dict[str, Fen] = {}
    for column in table.columns:
        if column.kind != "money":
            continue
        if column.title_cn not in header:
            raise ValueError(f"column {column.title_cn} missing from the export")
        index = header.index(column.title_cn)
        sums[column.key] = sum(_parse_fen(row[index] if index < len(row) else None) for row in body)
    return sums


def read_back_totals_row(data: bytes, table: Table, sheet: int = 0) -> dict[str, Fen]:
    """Return the money cells of the totals row printed at the bottom of an XLSX sheet.

    Args:
        data: the file written by ``to_xlsx``.
        table: the exported table (it must have a totals row).
        sheet: the 0-based sheet position.

    Raises:
        ValueError: the sheet has no totals row.
    """
    rows = read_back_xlsx(data, sheet)
    last = rows[-1] if len(rows) > 1 else []
    if table.totals is None or not last or (table.totals[0] == TOTAL_LABEL and last[0] != TOTAL_LABEL):
        raise ValueError("the sheet has no totals row")
    return {
        column.key: _parse_fen(last[index] if index < len(last) else None)
        for index, column in enumerate(table.columns)
        if column.kind == "money"
    }


def excel_date(serial: str) -> dt.date:
    """Return the date of an Excel serial day number (1900 date system), as read back from XLSX.

    Args:
        serial: the stored text, e.g. ``"45747"``.
    """
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(Decimal(serial)))
