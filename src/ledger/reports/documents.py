"""Printable documents as plain, immutable values: statements, tables and vouchers (记账凭证).

Nothing here knows about ReportLab, the database or Beancount. Report builders fill these values;
``ledger.reports.pdf`` turns them into PDF bytes and ``ledger.reports.exports`` into CSV / XLSX.
Money cells are integer fen; dates are ``datetime.date``; no ``float`` appears anywhere.

``content_hash`` fingerprints a statement or voucher (everything except the generation time), so two
printouts of the same figures carry the same hash and any changed amount changes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from ledger.core.money import Fen, capital_numerals

CellKind = Literal["text", "money", "int", "date"]
Cell = str | int | dt.date | None
"""One table cell: ``str`` for text, ``int`` fen for money, ``int`` for counts, ``date`` for dates,
``None`` for an empty cell (any kind)."""

CELL_KINDS: tuple[CellKind, ...] = ("text", "money", "int", "date")
TOTAL_LABEL = "合计"

BOOK_LABELS: dict[str, str] = {
    "insurance": "政府救助责任保险",
    "charity": "政府引导资金（慈善会）",
    "relief": "社会救助资金（民政局）",
    "all": "全部账簿",
}
"""Chinese names of the books, for headings; unknown book keys are printed as given."""


def book_label(book: str) -> str:
    """Return the printable name of ``book``: ``"政府引导资金（慈善会） charity"``.

    Args:
        book: the book key (``insurance`` / ``charity``) or any other label.
    """
    cn = BOOK_LABELS.get(book)
    return f"{cn} {book}" if cn else book


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a table.

    Args:
        key: a stable machine name (``account_code``); used by exports and read-back helpers.
        title_cn: the printed Chinese header; use the GB/T 24589 name where the standard gives one
            (see ``GBT_24589``), e.g. 科目编码, 借方金额.
        title_en: an English subtitle printed under the Chinese header (may be empty).
        kind: ``text``, ``money`` (int fen, right-aligned, ``12,345.67``), ``int`` (right-aligned,
            thousands separators) or ``date`` (``2025-03-31``).
        width_mm: printed width in whole millimetres.
    """

    key: str
    title_cn: str
    title_en: str = ""
    kind: CellKind = "text"
    width_mm: int = 30

    def __post_init__(self) -> None:
        if self.kind not in CELL_KINDS:
            raise ValueError(f"column {self.key!r}: kind must be one of {CELL_KINDS}, got {self.kind!r}")
        if isinstance(self.width_mm, bool) or not isinstance(self.width_mm, int) or self.width_mm <= 0:
            raise ValueError(f"column {self.key!r}: width_mm must be a positive int, got {self.width_mm!r}")
        if not self.key or not self.title_cn:
            raise ValueError("a column needs a key and a Chinese title")


GBT_24589: dict[str, tuple[str, str, CellKind]] = {
    "account_code": ("科目编码", "Account code", "text"),
    "account_name": ("科目名称", "Account name", "text"),
    "voucher_no": ("凭证号", "Voucher no.", "text"),
    "voucher_date": ("凭证日期", "Voucher date", "date"),
    "summary": ("摘要", "Summary", "text"),
    "debit": ("借方金额", "Debit", "money"),
    "credit": ("贷方金额", "Credit", "money"),
    "opening_balance": ("期初余额", "Opening balance", "money"),
    "closing_balance": ("期末余额", "Closing balance", "money"),
    "debit_total": ("借方发生额", "Debit turnover", "money"),
    "credit_total": ("贷方发生额", "Credit turnover", "money"),
    "balance_direction": ("余额方向", "Dr/Cr", "text"),
    "preparer": ("制单人", "Prepared by", "text"),
    "attachments": ("附件数", "Attachments", "int"),
}
"""Column names of GB/T 24589 (财经信息技术 会计核算软件数据接口) used by our exports."""


def std_column(key: str, width_mm: int = 30) -> Column:
    """Return the GB/T 24589 column ``key`` (see ``GBT_24589``) with the given width.

    Args:
        key: a key of ``GBT_24589``.
        width_mm: printed width in millimetres.

    Raises:
        KeyError: for a key the table does not define.
    """
    title_cn, title_en, kind = GBT_24589[key]
    return Column(key, title_cn, title_en, kind, width_mm)


def _check_cell(column: Column, value: Cell, where: str) -> None:
    """Raise ``TypeError`` unless ``value`` fits ``column.kind`` (``None`` fits every kind)."""
    if value is None:
        return
    kind = column.kind
    if kind == "text":
        ok = isinstance(value, str)
    elif kind in ("money", "int"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if not ok:
        expected = {"text": "str", "money": "int fen", "int": "int", "date": "datetime.date"}[kind]
        got = f"{type(value).__name__} {value!r}"
        raise TypeError(f"{where}, column {column.key!r} ({kind}): expected {expected}, got {got}")


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table of rows; validated on construction.

    Args:
        columns: the columns, in print order.
        rows: the data rows; each has one cell per column, of the column's kind.
        totals: an optional totals row printed last (first cell usually ``"合计"``); same shape.
        title: the Chinese table title (also the XLSX sheet name).
        title_en: an optional English subtitle.
    """

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    totals: tuple[Cell, ...] | None = None
    title: str = ""
    title_en: str = ""

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("a table needs at least one column")
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"table {self.title!r}: duplicate column keys {keys}")
        width = len(self.columns)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(f"table {self.title!r}, row {number}: {len(row)} cells for {width} columns")
        for index, column in enumerate(self.columns):
            for number, row in enumerate(self.rows, start=1):
                _check_cell(column, row[index], f"table {self.title!r}, row {number}")
        if self.totals is not None:
            if len(self.totals) != width:
                raise ValueError(f"table {self.title!r}: totals row has {len(self.totals)} cells for {width}")
            for column, value in zip(self.columns, self.totals, strict=True):
                _check_cell(column, value, f"table {self.title!r}, totals row")

    def money_keys(self) -> tuple[str, ...]:
        """Return the keys of the money columns, in order."""
        return tuple(c.key for c in self.columns if c.kind == "money")


def money_totals(table: Table) -> dict[str, Fen]:
    """Return the sum of each money column over the data rows (empty cells count as 0).

    Args:
        table: the table; its ``totals`` row is ignored.
    """
    sums: dict[str, Fen] = {}
    for index, column in enumerate(table.columns):
        if column.kind == "money":
            sums[column.key] = sum(row[index] or 0 for row in table.rows)  # type: ignore[misc]
    return sums


def totals_row(
    columns: Sequence[Column], rows: Iterable[Sequence[Cell]], label: str = TOTAL_LABEL
) -> tuple[Cell, ...]:
    """Build a totals row: ``label`` in the first column, the sum of every money column, blanks elsewhere.

    Args:
        columns: the table's columns; the first one should be a text column to hold the label.
        rows: the data rows.
        label: the text for the first cell.
    """
    sums = [0] * len(columns)
    for row in rows:
        for index, column in enumerate(columns):
            value = row[index]
            if column.kind == "money" and value is not None:
                sums[index] += value  # type: ignore[operator]
    cells: list[Cell] = [sums[i] if c.kind == "money" else None for i, c in enumerate(columns)]
    if columns and columns[0].kind == "text":
        cells[0] = label
    return tuple(cells)


@dataclass(frozen=True, slots=True)
class Section:
    """A headed part of a statement (一、资产 ...).

    Args:
        title_cn: the Chinese heading (may be empty for an untitled section).
        title_en: an English subtitle.
        tables: the tables, printed in order.
        notes: paragraphs printed after the tables (说明).
    """

    title_cn: str
    title_en: str = ""
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()


DEFAULT_SIGNATURES: tuple[tuple[str, str], ...] = (("单位负责人", ""), ("会计主管", ""), ("制表人", ""))


@dataclass(frozen=True, slots=True)
class Footer:
    """What every page of a statement states about the ledger it came from.

    Args:
        chain_head_hash: the hash of the last journal entry included (hex); printed in full on the
            first page and as its first 16 characters on every page.
        check_result_text: the result of the ledger checks, e.g. ``"bean-check 通过；链哈希一致"``.
        check_passed: whether the checks passed; a failed check is printed in red.
        signatures: (role, name) pairs for the signature line (单位负责人 / 会计主管 / 制表人).
    """

    chain_head_hash: str
    check_result_text: str
    check_passed: bool = True
    signatures: tuple[tuple[str, str], ...] = DEFAULT_SIGNATURES


@dataclass(frozen=True, slots=True)
class Statement:
    """A complete financial statement or register, ready to print.

    Args:
        kind: a machine name for the report (``balance_sheet``, ``claims_register`` ...).
        title_cn: the Chinese title (资产负债表).
        title_en: the English subtitle (Balance sheet).
        book: ``insurance`` / ``charity`` (or another label).
        period_label: the period in words, e.g. ``"2025年1月1日至2025年3月31日"``.
        parameters: (name, value) pairs describing how the report was selected, printed in a block.
        sections: the body.
        footer: ledger hash, check result and signatures.
        errors: cross-check differences; printed prominently in red at the top, never hidden.
        generated_at: when the document was generated (timezone-aware); the only field outside
            ``content_hash``.
    """

    kind: str
    title_cn: str
    title_en: str
    book: str
    period_label: str
    parameters: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    footer: Footer
    generated_at: dt.datetime
    errors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None:
            raise ValueError("generated_at must be timezone-aware")

    def tables(self) -> Iterator[Table]:
        """Yield every table of every section, in print order."""
        for section in self.sections:
            yield from section.tables


@dataclass(frozen=True, slots=True)
class VoucherLine:
    """One line of a voucher.

    Args:
        account_code: the statutory code (1002).
        account_cn: the Chinese account name (银行存款).
        account: the Beancount account (``Assets:Charity:Bank``).
        debit_fen: the debit amount in fen (0 when the line is a credit).
        credit_fen: the credit amount in fen (0 when the line is a debit).
        summary: the line's 摘要; empty means "same as the voucher's".
    """

    account_code: str
    account_cn: str
    account: str
    debit_fen: Fen = 0
    credit_fen: Fen = 0
    summary: str = ""

    def __post_init__(self) -> None:
        for name in ("debit_fen", "credit_fen"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"voucher line {self.account}: {name} must be a non-negative int fen")
        if (self.debit_fen == 0) == (self.credit_fen == 0):
            raise ValueError(f"voucher line {self.account}: exactly one of debit and credit must be non-zero")


@dataclass(frozen=True, slots=True)
class Voucher:
    """A 记账凭证 (accounting voucher) for one journal entry.

    Args:
        seq: the journal sequence number; printed as the voucher number (记-000123).
        date: the booking date.
        book: ``insurance`` / ``charity``.
        summary: the entry's narration (摘要).
        lines: the debit and credit lines; debits and credits must balance.
        prepared_by: who made the entry (制单).
        approved_by: who approved it (审核); may be empty.
        attachments: names of the attached documents (附件), e.g. invoice or approval numbers.
        cause: what caused the entry, ``<kind>:<id>`` (``claim-payment:17``).
        hash: the journal entry's chained hash (hex).
        reverses: the ``seq`` this entry reverses (红字冲销), if any.
    """

    seq: int
    date: dt.date
    book: str
    summary: str
    lines: tuple[VoucherLine, ...]
    prepared_by: str
    approved_by: str = ""
    attachments: tuple[str, ...] = ()
    cause: str = ""
    hash: str = ""
    reverses: int | None = None

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError(f"voucher {self.seq}: no lines")
        debit = sum(line.debit_fen for line in self.lines)
        credit = sum(line.credit_fen for line in self.lines)
        if debit != credit:
            raise ValueError(f"voucher {self.seq}: debits {debit} != credits {credit} fen")

    @property
    def number(self) -> str:
        """The printed voucher number: ``记-000123``."""
        return f"记-{self.seq:06d}"

    @property
    def total_fen(self) -> Fen:
        """The voucher total (the sum of the debits, equal to the sum of the credits)."""
        return sum(line.debit_fen for line in self.lines)

    @property
    def total_capital(self) -> str:
        """The total in capital numerals (大写金额): 壹万贰仟叁佰肆拾伍元陆角柒分."""
        return capital_numerals(self.total_fen)


# ---------------------------------------------------------------------------------------------------
# Content hash: canonical JSON lines, streamed into sha256 (a 100,000-row register is never one string).


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _canonical_cell(value: Cell) -> object:
    """Return ``value`` as a JSON-ready value that says its type (a date is not its ISO string)."""
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def _json(value: object) -> bytes:
    """Return one canonical JSON line: compact, keys sorted, UTF-8, newline-terminated."""
    return (_ENCODER.encode(value) + "\n").encode()


def _table_lines(table: Table) -> Iterator[bytes]:
    columns = [[c.key, c.title_cn, c.title_en, c.kind, c.width_mm] for c in table.columns]
    yield _json(
        {"table": table.title, "title_en": table.title_en, "columns": columns, "rows": len(table.rows)}
    )
    date = dt.date
    for row in table.rows:
        yield _json([{"date": v.isoformat()} if isinstance(v, date) else v for v in row])
    totals = None if table.totals is None else [_canonical_cell(v) for v in table.totals]
    yield _json({"totals": totals})


def _statement_lines(statement: Statement) -> Iterator[bytes]:
    footer = statement.footer
    yield _json(
        {
            "document": "statement",
            "kind": statement.kind,
            "title_cn": statement.title_cn,
            "title_en": statement.title_en,
            "book": statement.book,
            "period": statement.period_label,
            "parameters": [list(p) for p in statement.parameters],
            "errors": list(statement.errors),
            "footer": {
                "chain_head_hash": footer.chain_head_hash,
                "check_result_text": footer.check_result_text,
                "check_passed": footer.check_passed,
                "signatures": [list(s) for s in footer.signatures],
            },
            "sections": len(statement.sections),
        }
    )
    for section in statement.sections:
        yield _json(
            {
                "section": section.title_cn,
                "title_en": section.title_en,
                "notes": list(section.notes),
                "tables": len(section.tables),
            }
        )
        for table in section.tables:
            yield from _table_lines(table)


def _voucher_lines(voucher: Voucher) -> Iterator[bytes]:
    yield _json(
        {
            "document": "voucher",
            "seq": voucher.seq,
            "date": voucher.date.isoformat(),
            "book": voucher.book,
            "summary": voucher.summary,
            "lines": [
                [ln.account_code, ln.account_cn, ln.account, ln.debit_fen, ln.credit_fen, ln.summary]
                for ln in voucher.lines
            ],
            "prepared_by": voucher.prepared_by,
            "approved_by": voucher.approved_by,
            "attachments": list(voucher.attachments),
            "cause": voucher.cause,
            "hash": voucher.hash,
            "reverses": voucher.reverses,
        }
    )


def content_hash(document: Statement | Voucher) -> str:
    """Return the sha256 (hex) of ``document``'s canonical JSON, leaving out ``generated_at``.

    The canonical form is one compact, key-sorted JSON value per line (header, then each section,
    table header, row and totals), so the hash is stable across processes and Python versions and
    a 100,000-row table is hashed row by row.

    Args:
        document: a statement or a voucher.
    """
    digest = hashlib.sha256()
    lines = _statement_lines(document) if isinstance(document, Statement) else _voucher_lines(document)
    for line in lines:
        digest.update(line)
    return digest.hexdigest()


def vouchers_hash(vouchers: Sequence[Voucher]) -> str:
    """Return one sha256 over several vouchers (in order), for a many-voucher printout.

    Args:
        vouchers: the vouchers as printed.
    """
    digest = hashlib.sha256()
    for voucher in vouchers:
        digest.update(content_hash(voucher).encode() + b"\n")
    return digest.hexdigest()


__all__ = [
    "BOOK_LABELS",
    "CELL_KINDS",
    "DEFAULT_SIGNATURES",
    "GBT_24589",
    "TOTAL_LABEL",
    "Cell",
    "CellKind",
    "Column",
    "Footer",
    "Section",
    "Statement",
    "Table",
    "Voucher",
    "VoucherLine",
    "book_label",
    "content_hash",
    "money_totals",
    "std_column",
    "totals_row",
    "vouchers_hash",
]
