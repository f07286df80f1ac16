"""Reading the CSV and XLSX report exports back in tests, with the ``csv`` module and openpyxl.

A money cell comes back from openpyxl as the float Excel would see; its shortest ``repr`` is the
decimal that was stored whenever that decimal has at most 15 significant digits (which
``exports.MAX_EXACT_FEN`` guarantees), so a stored ``8.949999999999999`` stays visible as such.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl

from ledger.core.money import Fen, from_decimal
from ledger.reports.documents import Table

Row = list[object]


def csv_rows(data: bytes) -> list[Row]:
    """Return the rows of a CSV export (BOM stripped); the first row is the header."""
    return [list(row) for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))]


def xlsx_rows(data: bytes, sheet: int = 0) -> list[Row]:
    """Return the cell values of one worksheet of an XLSX export, row by row; the first is the header."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [list(row) for row in book.worksheets[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def fen_of(value: object) -> Fen:
    """Return the fen of a money cell read back: CSV text or an XLSX number; empty is 0."""
    if value is None or value == "":
        return 0
    return from_decimal(Decimal(value if isinstance(value, str) else repr(value)))


def column_sums(rows: list[Row], table: Table, *, totals_row: bool = False) -> dict[str, Fen]:
    """Sum each money column of ``table`` over the data rows read back, found by its Chinese header.

    Args:
        rows: the rows read back, header first.
        table: the exported table.
        totals_row: whether the last row is the printed totals row (XLSX), not data.
    """
    header, body = rows[0], rows[1:]
    if totals_row and body:
        body = body[:-1]
    return {
        column.key: sum(fen_of(row[header.index(column.title_cn)]) for row in body)
        for column in table.columns
        if column.kind == "money"
    }


def printed_totals(rows: list[Row], table: Table) -> dict[str, Fen]:
    """Return the money cells of the totals row printed last on an XLSX sheet for ``table``."""
    last = rows[-1]
    assert table.totals is not None
    assert last[0] == table.totals[0], f"the last row is not the totals row: {last}"
    money = [index for index, column in enumerate(table.columns) if column.kind == "money"]
    return {table.columns[index].key: fen_of(last[index]) for index in money}
