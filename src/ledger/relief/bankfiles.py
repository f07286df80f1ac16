"""Bank files, pure: the batch payment file from a bank's column template (CSV and XLSX, with a totals
line and the SHA-256 of the CSV), and the parsing of the bank's return file and of the relief account's
statement. Text in, text or bytes out; no database.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from ledger.core.errors import InvalidInput
from ledger.core.money import Fen, format_amount, parse_amount
from ledger.relief.programmes import Bank, BankField

TOTAL_LABEL = "合计"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
"""The media type of an XLSX bank file."""


@dataclass(frozen=True, slots=True)
class Line:
    """One payment of a bank file."""

    row_no: int
    account_no: str
    holder: str
    fen: Fen
    memo: str
    household_no: str

    def cell(self, field: BankField) -> str:
        """The text of this line's ``field`` column."""
        values = {
            BankField.ACCOUNT_NO: self.account_no,
            BankField.HOLDER: self.holder,
            BankField.AMOUNT: format_amount(self.fen),
            BankField.MEMO: self.memo,
            BankField.HOUSEHOLD_NO: self.household_no,
            BankField.ROW_NO: str(self.row_no),
        }
        return values[field]


def table(bank: Bank, lines: Sequence[Line]) -> list[list[str]]:
    """The file as rows of text: the template's headings, one row per line, and the totals row (the
    count under the first column, the total under the amount column)."""
    rows = [[column.title for column in bank.columns]]
    rows += [[line.cell(column.field) for column in bank.columns] for line in lines]
    total = [""] * len(bank.columns)
    total[0] = f"{TOTAL_LABEL} {len(lines)}"
    for index, column in enumerate(bank.columns):
        if column.field is BankField.AMOUNT:
            total[index] = format_amount(sum(line.fen for line in lines))
    return [*rows, total]


def to_csv(bank: Bank, lines: Sequence[Line]) -> str:
    """The CSV text of the file (``\\r\\n`` line ends, as banks expect)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(table(bank, lines))
    return out.getvalue()


def sha256(text: str) -> str:
    """The SHA-256 of the CSV's UTF-8 bytes, sent to the bank beside the file."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_xlsx(bank: Bank, lines: Sequence[Line]) -> bytes:
    """The same table as XLSX; amounts are text so no spreadsheet rounds them."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = bank.code
    for row in table(bank, lines):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class ReturnRow:
    """The bank's answer for one row: paid, or failed with its reason."""

    row_no: int
    paid: bool
    reason: str


def _reader(content: str, needed: Sequence[str], field: str) -> list[dict[str, str]]:
    """The CSV's rows as stripped text by column (a short line's missing cells are empty)."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    rows = [{k: (v or "").strip() for k, v in row.items() if isinstance(k, str)} for row in reader]
    header = set(reader.fieldnames or ())
    missing = [name for name in needed if name not in header]
    if not rows or missing:
        raise InvalidInput(
            f"{field} must be CSV with a header row {', '.join(needed)} and at least one row",
            field=field,
            rule="CSV columns " + ", ".join(needed),
        )
    return rows


def parse_returns(content: str) -> list[ReturnRow]:
    """Read a bank return file: CSV with ``row_no``, ``result`` (``paid`` / ``failed``) and ``reason``.

    Raises:
        InvalidInput: ``field="content"`` naming the line and the rule broken (a failed row needs a reason;
            a row is answered once).
    """
    found: list[ReturnRow] = []
    for line, row in enumerate(_reader(content, ("row_no", "result", "reason"), "content"), start=2):
        number, result, reason = row.get("row_no", ""), row.get("result", ""), row.get("reason", "")
        if not number.isdigit() or result not in {"paid", "failed"} or (result == "failed" and not reason):
            raise InvalidInput(
                f"content line {line}: row_no must be a number, result paid or failed, and a failed row "
                f"needs a reason; got {number!r}, {result!r}, {reason!r}",
                field="content",
                rule="row_no, paid|failed, reason when failed",
            )
        if any(r.row_no == int(number) for r in found):
            raise InvalidInput(
                f"content line {line}: row {number} is answered twice", field="content", rule="once"
            )
        found.append(ReturnRow(int(number), result == "paid", reason))
    return found


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A line of the relief bank account's statement: credits positive, debits negative."""

    booked_on: dt.date
    fen: Fen
    reference: str
    description: str
    key: str


def parse_statement(content: str) -> list[StatementLine]:
    """Read the account statement CSV: ``date`` (YYYY-MM-DD), ``amount`` (signed decimal string),
    ``reference`` and ``description``. Each line's key is the SHA-256 of its text and of how often the
    same text came before, so importing a statement twice adds nothing.

    Raises:
        InvalidInput: ``field="content"`` naming the line and the rule broken.
    """
    found: list[StatementLine] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(
        _reader(content, ("date", "amount", "reference", "description"), "content"), 2
    ):
        text = "|".join(row.get(k, "") for k in ("date", "amount", "reference", "description"))
        try:
            booked = dt.date.fromisoformat(row.get("date", ""))
        except ValueError:
            raise InvalidInput(
                f"content line {line}: date must be YYYY-MM-DD, got {row.get('date', '')!r}",
                field="content",
                rule="date",
            ) from None
        fen = parse_amount(row.get("amount", ""), field="content", allow_negative=True)
        seen[text] = seen.get(text, 0) + 1
        key = hashlib.sha256(f"{text}#{seen[text]}".encode()).hexdigest()
        found.append(StatementLine(booked, fen, row.get("reference", ""), row.get("description", ""), key))
    return found
