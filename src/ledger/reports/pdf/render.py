"""Render statements and vouchers to PDF bytes with ReportLab.

Pure: a ``Statement`` / ``Voucher`` in, bytes out. The output is deterministic: ReportLab runs in
invariant mode and the PDF creation date is the document's ``generated_at``, so the same inputs give
the same bytes.

Big tables are laid out one printed page at a time (``PagedTable``): each page becomes a small
ReportLab ``Table`` with the header row repeated, so the cost grows linearly with the rows (one
100,000-row ``LongTable`` splits super-linearly) and no header row appears in the middle of a page,
as it would with fixed-size chunks.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from ledger.core.money import format_cny
from ledger.reports import documents as d
from ledger.reports.pdf import styles as s
from ledger.reports.pdf.fonts import register_cjk_font

AUTHOR = "救助账本 Relief Ledger"
HASH_SHORT = 16
UNIT_TEXT = "单位：元"
MEASURE_LIMIT = 1200.0  # points; taller than any A4 frame
SECTION_MIN_SPACE = 45 * mm  # start a section on a new page unless this much room is left
TABLE_MIN_ROWS = 3  # start a table on a new page unless its header and this many rows fit


# ---------------------------------------------------------------------------------------------------
# Page furniture: running head, footer with "第 N 页 / 共 M 页" (two-pass canvas).


@dataclass(frozen=True, slots=True)
class PageDecor:
    """What is printed around the body of every page.

    Args:
        font: the registered CJK font name.
        running_head: (left, right) texts printed above the body from page 2 on.
        info: the first footer line (generation time, hashes).
        check: the second footer line (the ledger check result); ``""`` prints nothing.
        check_passed: colours ``check`` green when true, red when false.
        alert: a red warning printed on every page (cross-check differences); ``""`` for none.
    """

    font: str
    running_head: tuple[str, str]
    info: str
    check: str = ""
    check_passed: bool = True
    alert: str = ""


def page_label(number: int, total: int) -> str:
    """Return the page label ``第 N 页 / 共 M 页``."""
    return f"第 {number} 页 / 共 {total} 页"


def _draw_decor(canvas: Canvas, decor: PageDecor, number: int, total: int) -> None:
    """Draw the running head (pages 2+) and the footer of page ``number`` of ``total``."""
    width, height = canvas._pagesize
    left, right = s.MARGIN_X, width - s.MARGIN_X
    canvas.saveState()
    canvas.setStrokeColor(s.GRID)
    canvas.setLineWidth(s.GRID_WIDTH)
    if number > 1:
        y = height - s.MARGIN_TOP + s.RUNNING_HEAD_GAP - 3.5 * mm
        canvas.setFont(decor.font, 7.5)
        canvas.setFillColor(s.MUTED)
        canvas.drawString(left, y + 1.2 * mm, decor.running_head[0])
        canvas.drawRightString(right, y + 1.2 * mm, decor.running_head[1])
        canvas.line(left, y, right, y)
    base = s.FOOTER_Y
    canvas.line(left, base + 8.5 * mm, right, base + 8.5 * mm)
    canvas.setFont(decor.font, s.FOOTER_SIZE)
    canvas.setFillColor(s.MUTED)
    canvas.drawString(left, base + 5 * mm, decor.info)
    canvas.setFont(decor.font, 8)
    canvas.setFillColor(s.INK)
    canvas.drawRightString(right, base + 3 * mm, page_label(number, total))
    x = left
    if decor.check:
        canvas.setFont(decor.font, s.FOOTER_SIZE)
        canvas.setFillColor(s.OK_INK if decor.check_passed else s.ERROR_INK)
        canvas.drawString(x, base + 1.5 * mm, decor.check)
        x += stringWidth(decor.check, decor.font, s.FOOTER_SIZE) + 4 * mm
    if decor.alert:
        canvas.setFont(decor.font, 7)
        canvas.setFillColor(s.ERROR_INK)
        canvas.drawString(x, base + 1.5 * mm, decor.alert)
    canvas.restoreState()


def _pdf_date(moment: dt.datetime) -> str:
    """Return ``moment`` as a PDF date string ``D:20250401100000+08'00'``."""
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"D:{moment.strftime('%Y%m%d%H%M%S')}{sign}{hours:02d}'{mins:02d}'"


class _NumberedCanvas(Canvas):
    """A canvas that holds every page until ``save`` so each footer can say how many pages there are."""

    def __init__(self, *args: Any, decor: PageDecor, pdf_date: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decor = decor
        self._page_states: list[dict[str, Any]] = []
        self.setDateFormatter(lambda *_ignored: pdf_date)

    def showPage(self) -> None:  # noqa: N802 - ReportLab API
        # Hold the page's operators as one string (ReportLab joins them with "\n" itself): fewer
        # objects to keep while thousands of pages wait for the page count.
        state = self.__dict__
        if state["_code"]:
            state["_code"] = ["\n".join(state["_code"])]
        self._page_states.append(dict(state))
        self._startPage()

    def save(self) -> None:
        total = len(self._page_states)
        for number, state in enumerate(self._page_states, start=1):
            self.__dict__.update(state)
            _draw_decor(self, self._decor, number, total)
            super().showPage()
        super().save()


# ---------------------------------------------------------------------------------------------------
# Small flowables.


class BoldTitle(Flowable):
    """A centred title in faux bold (fill + thin stroke: the CJK font has no bold face).

    Args:
        text: the title.
        font: the registered CJK font name.
        size: font size in points.
        char_space: extra space between characters, in points.
        underline: 0, 1 or 2 rules under the title (a voucher title is double-underlined).
    """

    def __init__(self, text: str, font: str, size: float, char_space: float = 0, underline: int = 0) -> None:
        super().__init__()
        self.text, self.font, self.size = text, font, size
        self.char_space, self.underline = char_space, underline
        self.text_width = stringWidth(text, font, size) + char_space * max(len(text) - 1, 0)
        self.avail_width = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - ReportLab API
        self.avail_width = availWidth
        return availWidth, self.size * 1.25 + self.underline * 2.5

    def draw(self) -> None:
        canvas = self.canv
        x = (self.avail_width - self.text_width) / 2
        y = self.underline * 2.5 + self.size * 0.25
        text = canvas.beginText(x, y)
        text.setFont(self.font, self.size)
        text.setCharSpace(self.char_space)
        text.setTextRenderMode(2)
        canvas.setLineWidth(self.size * 0.035)
        text.textOut(self.text)
        canvas.drawText(text)
        canvas.setLineWidth(0.6)
        for n in range(self.underline):
            rule_y = y - 2.5 - n * 2.2
            canvas.line(x - 4, rule_y, x + self.text_width + 4, rule_y)


class CutLine(Flowable):
    """A dashed line across the frame between two vouchers printed on one page."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - ReportLab API
        self.width = availWidth
        return availWidth, 10 * mm

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setStrokeColor(s.GRID)
        self.canv.setDash(3, 2)
        self.canv.setLineWidth(s.GRID_WIDTH)
        self.canv.line(0, 5 * mm, self.width, 5 * mm)
        self.canv.restoreState()


def _p(text: str, style: Any) -> Paragraph:
    """Return a Paragraph of plain ``text`` (escaped; newlines become line breaks)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _bilingual(cn: str, en: str, style: Any, en_size: float = s.HEADER_EN_SIZE) -> Paragraph:
    """Return a Paragraph: the Chinese text, and the English text smaller and grey on the next line."""
    markup = escape(cn)
    if en:
        markup += f'<br/><font size="{en_size}" color="#595959">{escape(en)}</font>'
    return Paragraph(markup, style)


# ---------------------------------------------------------------------------------------------------
# Data tables, laid out a page at a time.


def cell_text(column: d.Column, value: d.Cell) -> str:
    """Return the printed text of one cell.

    Args:
        column: the cell's column (its kind decides the format).
        value: the cell value; money as int fen (printed ``12,345.67``), dates as ``2025-03-31``.
    """
    if value is None:
        return ""
    if column.kind == "money":
        return format_cny(value)  # type: ignore[arg-type]
    if column.kind == "int":
        return f"{value:,}"
    if column.kind == "date":
        return value.isoformat()  # type: ignore[union-attr]
    return str(value)


class TableLayout:
    """One ``documents.Table`` prepared for printing: header cells, styles, and a row measurer.

    Args:
        table: the table.
        font: the registered CJK font name.
        widths: column widths in points.
        styles: the document's paragraph styles.
    """

    def __init__(self, table: d.Table, font: str, widths: tuple[float, ...], styles: s.Styles) -> None:
        self.table = table
        self.font = font
        self.widths = widths
        self.cell_style = styles.body_cell
        header_style = styles.header_cell
        self.header = [_bilingual(c.title_cn, c.title_en, header_style) for c in table.columns]
        self.header_height = (
            max(p.wrap(w - 2 * s.PAD_X, 10_000)[1] for p, w in zip(self.header, widths, strict=True))
            + 2 * s.PAD_Y
        )
        self.plain_height = s.BODY_LEADING + 2 * s.PAD_Y
        self.style_body = TableStyle(s.data_table_commands(font, table.columns, with_totals=False))
        self.style_last = TableStyle(
            s.data_table_commands(font, table.columns, with_totals=table.totals is not None)
        )
        self.totals = self.measure(table.totals) if table.totals is not None else None

    def measure(self, row: Sequence[d.Cell]) -> tuple[list[Any], float]:
        """Return the printable cells of ``row`` (str, or Paragraph for text too wide) and its height."""
        cells: list[Any] = []
        height = self.plain_height
        for column, value, width in zip(self.table.columns, row, self.widths, strict=True):
            text = cell_text(column, value)
            avail = width - 2 * s.PAD_X
            if column.kind == "text" and (
                "\n" in text
                or (len(text) * s.BODY_SIZE > avail and stringWidth(text, self.font, s.BODY_SIZE) > avail)
            ):
                paragraph = _p(text, self.cell_style)
                height = max(height, paragraph.wrap(avail, 100_000)[1] + 2 * s.PAD_Y)
                cells.append(paragraph)
            else:
                cells.append(text)
        return cells, height


class PagedTable(Flowable):
    """A data table that splits into one ReportLab ``Table`` per page, header repeated on each.

    Args:
        layout: the measured table.
        start: the index of the first data row still to print.
        trailer_height: room to keep free below the last page of the table for what must stay with
            it (the statement's notes and signature line); a last data row moves to a new page with
            the totals rather than leave the signatures alone on a page.
    """

    def __init__(self, layout: TableLayout, start: int = 0, trailer_height: float = 0.0) -> None:
        super().__init__()
        self.layout = layout
        self.start = start
        self.trailer_height = trailer_height
        self.hAlign = "CENTER"
        self.width = sum(layout.widths)
        self._measured: dict[int, tuple[list[Any], float]] = {}

    def _row(self, index: int) -> tuple[list[Any], float]:
        cached = self._measured.get(index)
        if cached is None:
            cached = self.layout.measure(self.layout.table.rows[index])
            self._measured[index] = cached
        return cached

    def _fit(self, avail_height: float) -> tuple[int, float, bool]:
        """Return (rows that fit on this page, their table height, whether the rest fits entirely)."""
        layout = self.layout
        rows = layout.table.rows
        used = layout.header_height
        end = self.start
        while end < len(rows):
            height = self._row(end)[1]
            if used + height > avail_height:
                return end - self.start, used, False
            used += height
            end += 1
        if not rows:
            used += layout.plain_height
        total = used + (layout.totals[1] if layout.totals else 0)
        alone = end - self.start <= 1 and self._frame_is_empty()  # nothing left to move to a new page
        if total <= avail_height and (total + self.trailer_height <= avail_height or alone):
            return end - self.start, total, True
        # The totals row (or the trailer) does not fit: the last data row goes to the next page with them.
        count = max(end - self.start - 1, 0)
        return count, used, False

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - ReportLab API
        # KeepTogether / keepWithNext ask with an unbounded height: measure at most a page's worth.
        _count, height, complete = self._fit(min(availHeight, MEASURE_LIMIT))
        return self.width, height if complete else max(availHeight, MEASURE_LIMIT) + 1

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 - ReportLab API
        count, _height, complete = self._fit(availHeight)
        if complete:
            return [self._page(len(self.layout.table.rows), last=True)]
        if count == 0 and self._frame_is_empty() and self.start < len(self.layout.table.rows):
            return self._oversize_row(availWidth, availHeight)
        if count == 0:
            return []
        rest = PagedTable(self.layout, self.start + count, self.trailer_height)
        rest._measured = {k: v for k, v in self._measured.items() if k >= rest.start}
        return [self._page(self.start + count, last=False), rest]

    def _oversize_row(self, avail_width: float, avail_height: float) -> list[Flowable]:
        """Print a row taller than a page as a table that ReportLab splits inside the row."""
        layout = self.layout
        cells, _height = self._row(self.start)
        table = RLTable(
            [list(layout.header), cells],
            colWidths=list(layout.widths),
            style=layout.style_body,
            repeatRows=1,
            splitInRow=1,
            hAlign="CENTER",
        )
        table.wrapOn(self.canv, avail_width, avail_height)
        parts: list[Flowable] = table.splitOn(self.canv, avail_width, avail_height) or [table]
        return [*parts, PagedTable(layout, self.start + 1, self.trailer_height)]

    def _frame_is_empty(self) -> bool:
        """Whether nothing has been drawn in the current frame yet (so a new page would not help)."""
        template = getattr(self.canv, "_doctemplate", None)
        return bool(getattr(getattr(template, "frame", None), "_atTop", False))

    def _page(self, end: int, *, last: bool) -> RLTable:
        """Return the ReportLab table of rows ``start:end`` (plus totals when ``last``)."""
        layout = self.layout
        data: list[list[Any]] = [list(layout.header)]
        heights = [layout.header_height]
        for index in range(self.start, end):
            cells, height = self._row(index)
            data.append(cells)
            heights.append(height)
        commands: list[tuple[Any, ...]] = []
        if not layout.table.rows:
            data.append(["（无记录 no records）"] + [""] * (len(layout.widths) - 1))
            heights.append(layout.plain_height)
            commands = [("SPAN", (0, 1), (-1, 1)), ("ALIGN", (0, 1), (-1, 1), "CENTER")]
        if last and layout.totals is not None:
            data.append(layout.totals[0])
            heights.append(layout.totals[1])
        table = RLTable(
            data,
            colWidths=list(layout.widths),
            rowHeights=heights,
            style=layout.style_last if last else layout.style_body,
            hAlign="CENTER",
        )
        if commands:
            table.setStyle(TableStyle(commands))
        return table

    def draw(self) -> None:
        table = self._page(len(self.layout.table.rows), last=True)
        table.wrapOn(self.canv, self.width, 100_000)
        table.drawOn(self.canv, 0, 0)


# ---------------------------------------------------------------------------------------------------
# Statements.


def _frame_width(pagesize: tuple[float, float]) -> float:
    return pagesize[0] - 2 * s.MARGIN_X


def choose_pagesize(statement: d.Statement) -> tuple[float, float]:
    """Return A4 portrait, or A4 landscape when a table is wider than the portrait frame."""
    widest = max((sum(c.width_mm for c in t.columns) for t in statement.tables()), default=0)
    portrait: tuple[float, float] = A4
    if widest * mm > _frame_width(portrait) + 0.5:
        portrait = landscape(portrait)
    return portrait


def column_widths(table: d.Table, frame_width: float) -> tuple[float, ...]:
    """Return the column widths in points, scaled down proportionally if the table is too wide."""
    widths = [c.width_mm * mm for c in table.columns]
    total = sum(widths)
    scale = min(1.0, frame_width / total)
    return tuple(w * scale for w in widths)


def _header_block(statement: d.Statement, st: s.Styles, frame_width: float) -> list[Flowable]:
    flow: list[Flowable] = [BoldTitle(statement.title_cn, st.font, s.TITLE_SIZE, char_space=3)]
    if statement.title_en:
        flow.append(_p(statement.title_en, st.subtitle))
    else:
        flow.append(Spacer(1, 4))
    third = frame_width / 3
    info = RLTable(
        [
            [
                _p(f"账本：{d.book_label(statement.book)}", st.meta),
                _p(f"期间：{statement.period_label}", st.meta_center),
                _p(UNIT_TEXT, st.meta_right),
            ]
        ],
        colWidths=[third, third, third],
        style=TableStyle(s.plain_commands(st.font)),
    )
    flow += [info, Spacer(1, 2 * mm)]
    return flow


def _errors_block(errors: Sequence[str], st: s.Styles, frame_width: float) -> list[Flowable]:
    """The red cross-check box: every difference, numbered; never truncated."""
    if not errors:
        return []
    rows: list[list[Any]] = [
        [
            _p(
                f"核对差异 Cross-check differences：共 {len(errors)} 项。"
                "本表数字与账本核对不一致，须查明原因后方可作为定稿使用。",
                st.error_title,
            )
        ]
    ]
    rows += [[_p(f"{n}. {text}", st.error_item)] for n, text in enumerate(errors, start=1)]
    box = RLTable(
        rows,
        colWidths=[frame_width],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st.font),
                ("BOX", (0, 0), (-1, -1), 1.2, s.ERROR_INK),
                ("BACKGROUND", (0, 0), (-1, -1), s.ERROR_BG),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, 0), 5),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ]
        ),
    )
    return [box, Spacer(1, 3 * mm)]


def _key_value_block(
    pairs: Sequence[tuple[str, Any]], st: s.Styles, frame_width: float, *, per_row: int
) -> RLTable:
    """A bordered block of (label, value) pairs, ``per_row`` pairs on each row, labels shaded."""
    label_width = 40 * mm if per_row == 1 else 28 * mm
    value_width = frame_width / per_row - label_width
    rows: list[list[Any]] = []
    for offset in range(0, len(pairs), per_row):
        row: list[Any] = []
        for label, value in pairs[offset : offset + per_row]:
            row += [_p(label, st.meta), value if isinstance(value, Flowable) else _p(str(value), st.meta)]
        row += ["", ""] * (per_row - len(pairs[offset : offset + per_row]))
        rows.append(row)
    commands = s.key_value_commands(st.font, range(0, 2 * per_row, 2))
    return RLTable(
        rows, colWidths=[label_width, value_width] * per_row, style=TableStyle(commands), hAlign="CENTER"
    )


def _verification_block(
    statement: d.Statement, chash: str, st: s.Styles, frame_width: float
) -> list[Flowable]:
    footer = statement.footer
    colour = "#1E6B2E" if footer.check_passed else "#C00000"
    check = Paragraph(f'<font color="{colour}">{escape(footer.check_result_text)}</font>', st.meta)
    pairs: list[tuple[str, Any]] = [
        ("账本链头哈希 Chain head", _p(footer.chain_head_hash, st.small)),
        ("内容哈希 Content hash", _p(chash, st.small)),
        ("校验结果 Check", check),
    ]
    return [_key_value_block(pairs, st, frame_width, per_row=1), Spacer(1, 3 * mm)]


def _signature_block(
    signatures: Sequence[tuple[str, str]], st: s.Styles, frame_width: float
) -> list[Flowable]:
    if not signatures:
        return []
    cells = [_p(f"{role}：{name}", st.meta) for role, name in signatures]
    width = frame_width / len(cells)
    table = RLTable([cells], colWidths=[width] * len(cells), style=TableStyle(s.plain_commands(st.font)))
    return [Spacer(1, 8 * mm), table]


def _height(flowables: Sequence[Flowable], frame_width: float) -> float:
    """Return the height ``flowables`` take stacked in a frame of ``frame_width`` (with spacing)."""
    total = 0.0
    for flowable in flowables:
        total += flowable.wrap(frame_width, 100_000)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _sections(
    statement: d.Statement, st: s.Styles, frame_width: float, trailer: Sequence[Flowable] = ()
) -> list[Flowable]:
    """Return the sections' flowables; the last table keeps room for its notes and ``trailer``."""
    # Headings are kept with their table by CondPageBreak, not keepWithNext: keepWithNext wraps the
    # heading and a long table in a KeepTogether, which moves the whole table to a new page.
    flow: list[Flowable] = []
    last_table = next((t for t in reversed(list(statement.tables()))), None)
    for section in statement.sections:
        notes = [_p(note, st.note) for note in section.notes]
        if section.title_cn:
            flow.append(CondPageBreak(SECTION_MIN_SPACE))
            flow.append(_bilingual(section.title_cn, section.title_en, st.section, en_size=8))
        for table in section.tables:
            layout = TableLayout(table, st.font, column_widths(table, frame_width), st)
            flow.append(CondPageBreak(layout.header_height + TABLE_MIN_ROWS * layout.plain_height + 12 * mm))
            if table.title:
                flow.append(_bilingual(table.title, table.title_en, st.table_title, en_size=7))
            keep = 0.0
            if table is last_table and section is statement.sections[-1] and table is section.tables[-1]:
                keep = 4 * mm + _height([*notes, *trailer], frame_width)
            flow += [PagedTable(layout, trailer_height=keep), Spacer(1, 4 * mm)]
        flow += notes
    return flow


def statement_story(statement: d.Statement, font: str, frame_width: float, chash: str) -> list[Flowable]:
    """Return the flowables of ``statement``'s body, in print order.

    Args:
        statement: the statement.
        font: the registered CJK font name.
        frame_width: the printable width in points.
        chash: the statement's content hash.
    """
    st = s.Styles(font)
    flow = _header_block(statement, st, frame_width)
    flow += _errors_block(statement.errors, st, frame_width)
    if statement.parameters:
        flow += [_key_value_block(statement.parameters, st, frame_width, per_row=2), Spacer(1, 2 * mm)]
    flow += _verification_block(statement, chash, st, frame_width)
    signatures = _signature_block(statement.footer.signatures, st, frame_width)
    flow += _sections(statement, st, frame_width, trailer=signatures)
    flow += signatures
    return flow


def _generated_text(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


def _build(
    story: list[Flowable],
    *,
    font: str,
    pagesize: tuple[float, float],
    decor: PageDecor,
    generated_at: dt.datetime,
    title: str,
    subject: str,
    keywords: str,
) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=s.MARGIN_X,
        rightMargin=s.MARGIN_X,
        topMargin=s.MARGIN_TOP,
        bottomMargin=s.MARGIN_BOTTOM,
        title=title,
        author=AUTHOR,
        subject=subject,
        creator="ledger.reports.pdf",
        keywords=keywords,
        invariant=1,
        lang="zh-CN",
        initialFontName=font,
    )
    maker = functools.partial(_NumberedCanvas, decor=decor, pdf_date=_pdf_date(generated_at))
    doc.build(story, canvasmaker=maker)
    return buffer.getvalue()


def render_document(story: list[Flowable], *, font: str, title: str) -> bytes:
    """Render a one-off A4 document (a notice, a case file) in the statements' margins and font.

    Args:
        story: the flowables, built with ``styles`` and the font ``font`` already registered.
        font: the registered CJK font name.
        title: the PDF's title.
    """
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=s.MARGIN_X,
        rightMargin=s.MARGIN_X,
        topMargin=s.MARGIN_TOP,
        bottomMargin=s.MARGIN_BOTTOM,
        title=title,
        author=AUTHOR,
        creator="ledger.reports.pdf",
        invariant=1,
        lang="zh-CN",
        initialFontName=font,
    )
    doc.build(story)
    return buffer.getvalue()


def render_statement(statement: d.Statement, font_path: Path | None = None) -> bytes:
    """Render ``statement`` as an A4 PDF (landscape when its tables need it).

    Args:
        statement: the statement to print.
        font_path: an explicit TrueType CJK font file (from settings); ``None`` searches the system.

    Raises:
        CJKFontMissing: no embeddable CJK font is available.
    """
    font = register_cjk_font(font_path)
    chash = d.content_hash(statement)
    pagesize = choose_pagesize(statement)
    head = statement.footer.chain_head_hash
    alert = f"【注意】本表存在 {len(statement.errors)} 项核对差异，详见第 1 页。" if statement.errors else ""
    decor = PageDecor(
        font=font,
        running_head=(
            statement.title_cn,
            f"{d.book_label(statement.book)}　{statement.period_label}　{UNIT_TEXT}",
        ),
        info=(
            f"生成时间 {_generated_text(statement.generated_at)}　"
            f"账本链头 {head[:HASH_SHORT]}…　内容哈希 {chash[:HASH_SHORT]}…"
        ),
        check=f"校验：{statement.footer.check_result_text}",
        check_passed=statement.footer.check_passed,
        alert=alert,
    )
    return _build(
        statement_story(statement, font, _frame_width(pagesize), chash),
        font=font,
        pagesize=pagesize,
        decor=decor,
        generated_at=statement.generated_at,
        title=f"{statement.title_cn} {statement.title_en}".strip(),
        subject=f"{d.book_label(statement.book)} {statement.period_label}",
        keywords=f"{statement.kind} content-sha256:{chash} chain-head:{head}",
    )


# ---------------------------------------------------------------------------------------------------
# Vouchers (记账凭证).

VOUCHER_MIN_LINES = 4
VOUCHER_WIDTHS_MM = (46, 20, 54, 30, 30)


def _voucher_lines_table(voucher: d.Voucher, st: s.Styles) -> RLTable:
    header_style = st.header_cell
    titles = (
        ("摘要", "Summary"),
        ("科目编码", "Code"),
        ("会计科目", "Account"),
        ("借方金额", "Debit"),
        ("贷方金额", "Credit"),
    )
    rows: list[list[Any]] = [[_bilingual(cn, en, header_style) for cn, en in titles]]
    body = st.body_cell
    for line in voucher.lines:
        rows.append(
            [
                _p(line.summary or voucher.summary, body),
                line.account_code,
                _bilingual(line.account_cn, line.account, body, en_size=6.5),
                format_cny(line.debit_fen) if line.debit_fen else "",
                format_cny(line.credit_fen) if line.credit_fen else "",
            ]
        )
    for _ in range(VOUCHER_MIN_LINES - len(voucher.lines)):
        rows.append(["", "", "", "", ""])
    total = format_cny(voucher.total_fen)
    rows.append([_p(f"合计　人民币（大写）：{voucher.total_capital}", body), "", "", total, total])
    columns = (
        d.Column("summary", "摘要"),
        d.Column("code", "科目编码"),
        d.Column("account", "会计科目"),
        d.Column("debit", "借方金额", kind="money"),
        d.Column("credit", "贷方金额", kind="money"),
    )
    commands = s.data_table_commands(st.font, columns, with_totals=True)
    commands += [
        ("SPAN", (0, -1), (2, -1)),
        ("ALIGN", (1, 1), (1, -2), "CENTER"),
        ("FONTSIZE", (0, 1), (-1, -1), 8.5),
        ("TOPPADDING", (0, 1), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
    ]
    blank_rows = max(VOUCHER_MIN_LINES - len(voucher.lines), 0)
    heights: list[float | None] = [None] * (1 + len(voucher.lines)) + [9 * mm] * blank_rows + [None]
    return RLTable(
        rows,
        colWidths=[w * mm for w in VOUCHER_WIDTHS_MM],
        rowHeights=heights,
        style=TableStyle(commands),
        hAlign="CENTER",
    )


def voucher_story(voucher: d.Voucher, font: str, frame_width: float) -> list[Flowable]:
    """Return the flowables of one voucher, kept together on one page.

    Args:
        voucher: the voucher.
        font: the registered CJK font name.
        frame_width: the printable width in points.
    """
    st = s.Styles(font)
    info = RLTable(
        [
            [
                _p(f"核算单位：{d.book_label(voucher.book)}", st.meta),
                _p(
                    f"日期：{voucher.date.year}年{voucher.date.month:02d}月{voucher.date.day:02d}日",
                    st.meta_center,
                ),
                _p(f"凭证号：{voucher.number}", st.meta_right),
            ]
        ],
        colWidths=[frame_width * 0.45, frame_width * 0.3, frame_width * 0.25],
        style=TableStyle(s.plain_commands(st.font)),
    )
    attachments = "；".join(voucher.attachments) if voucher.attachments else "无"
    pairs: list[tuple[str, Any]] = [
        (f"附件 {len(voucher.attachments)} 张", _p(attachments, st.meta)),
        ("来源 Cause", _p(voucher.cause or "—", st.meta)),
    ]
    if voucher.reverses is not None:
        pairs.append(("冲销 Reverses", _p(f"记-{voucher.reverses:06d}", st.meta)))
    pairs.append(("分录哈希 Entry hash", _p(voucher.hash or "—", st.small)))
    signatures = [
        ("会计主管", ""),
        ("记账", ""),
        ("审核", voucher.approved_by),
        ("制单", voucher.prepared_by),
    ]
    quarter = frame_width / 4
    signature_row = RLTable(
        [[_p(f"{role}：{name}", st.meta) for role, name in signatures]],
        colWidths=[quarter] * 4,
        style=TableStyle(s.plain_commands(st.font)),
    )
    body: list[Flowable] = [
        BoldTitle("记账凭证", font, 16, char_space=8, underline=2),
        _p("Accounting voucher", st.subtitle),
        info,
        Spacer(1, 1.5 * mm),
        _voucher_lines_table(voucher, st),
        Spacer(1, 2 * mm),
        _key_value_block(pairs, st, frame_width, per_row=1),
        Spacer(1, 3 * mm),
        signature_row,
    ]
    return [KeepTogether(body)]


def render_vouchers(
    vouchers: Sequence[d.Voucher], font_path: Path | None = None, *, generated_at: dt.datetime
) -> bytes:
    """Render several vouchers into one A4 PDF, as many per page as fit, separated by cut lines.

    Args:
        vouchers: the vouchers, in print order (at least one).
        font_path: an explicit TrueType CJK font file; ``None`` searches the system.
        generated_at: the printing time (timezone-aware), printed in the footer and the PDF metadata.

    Raises:
        ValueError: no vouchers, or a naive ``generated_at``.
        CJKFontMissing: no embeddable CJK font is available.
    """
    if not vouchers:
        raise ValueError("no vouchers to print")
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    font = register_cjk_font(font_path)
    chash = d.vouchers_hash(vouchers)
    frame_width = _frame_width(A4)
    story: list[Flowable] = []
    for index, voucher in enumerate(vouchers):
        if index:
            story.append(CutLine())
        story += voucher_story(voucher, font, frame_width)
    first, last = vouchers[0], vouchers[-1]
    numbers = first.number if len(vouchers) == 1 else f"{first.number} — {last.number}"
    decor = PageDecor(
        font=font,
        running_head=(f"记账凭证 Accounting vouchers　{numbers}", d.book_label(first.book)),
        info=(
            f"生成时间 {_generated_text(generated_at)}　凭证 {len(vouchers)} 张　"
            f"内容哈希 {chash[:HASH_SHORT]}…"
        ),
    )
    return _build(
        story,
        font=font,
        pagesize=A4,
        decor=decor,
        generated_at=generated_at,
        title=f"记账凭证 {numbers}",
        subject=d.book_label(first.book),
        keywords=f"vouchers content-sha256:{chash}",
    )


def render_voucher(voucher: d.Voucher, font_path: Path | None = None, *, generated_at: dt.datetime) -> bytes:
    """Render one voucher (记账凭证) as a PDF; see ``render_vouchers``."""
    return render_vouchers([voucher], font_path, generated_at=generated_at)
