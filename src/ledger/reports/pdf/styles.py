"""Sizes, colours, paragraph styles and table-style commands of the printed documents.

One place decides how a statement looks: thin grey grid, a black outer box, a shaded header row,
a heavier rule and light shading above the totals row, amounts right-aligned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from ledger.reports.documents import Column

# Page geometry (points).
MARGIN_X: float = 15 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 20 * mm
FOOTER_Y = 8 * mm
RUNNING_HEAD_GAP = 6 * mm

# Type sizes (points).
TITLE_SIZE = 18
SUBTITLE_SIZE = 10
META_SIZE = 9
SECTION_SIZE = 11.5
TABLE_TITLE_SIZE = 9.5
HEADER_SIZE = 8.5
HEADER_EN_SIZE = 6.5
BODY_SIZE = 8
BODY_LEADING = 10
FOOTER_SIZE = 6.5

# Cell padding (points).
PAD_X = 3
PAD_Y = 2

# Colours.
INK = colors.black
GRID = colors.HexColor("#8C8C8C")
MUTED = colors.HexColor("#595959")
HEADER_BG = colors.HexColor("#E6EBF1")
TOTALS_BG = colors.HexColor("#F3F3F3")
LABEL_BG = colors.HexColor("#F5F7FA")
ERROR_INK = colors.HexColor("#C00000")
ERROR_BG = colors.HexColor("#FDECEA")
OK_INK = colors.HexColor("#1E6B2E")

GRID_WIDTH = 0.25
RULE_WIDTH = 0.8


@dataclass(frozen=True, slots=True)
class Styles:
    """The paragraph styles of one document, all in the registered CJK font.

    Args:
        font: the ReportLab name of the registered CJK font.
    """

    font: str

    def _style(self, name: str, size: float, **kwargs: Any) -> ParagraphStyle:
        kwargs.setdefault("leading", size * 1.3)
        return ParagraphStyle(name, fontName=self.font, fontSize=size, wordWrap="CJK", **kwargs)

    @property
    def subtitle(self) -> ParagraphStyle:
        """English subtitle under the title."""
        return self._style("subtitle", SUBTITLE_SIZE, alignment=TA_CENTER, textColor=MUTED, spaceAfter=6)

    @property
    def meta(self) -> ParagraphStyle:
        """Book / period / unit line and parameter values."""
        return self._style("meta", META_SIZE)

    @property
    def meta_center(self) -> ParagraphStyle:
        """Centred meta text."""
        return self._style("meta_center", META_SIZE, alignment=TA_CENTER)

    @property
    def meta_right(self) -> ParagraphStyle:
        """Right-aligned meta text."""
        return self._style("meta_right", META_SIZE, alignment=TA_RIGHT)

    @property
    def small(self) -> ParagraphStyle:
        """Hashes and other fine print."""
        return self._style("small", 7.5, leading=9.5)

    @property
    def section(self) -> ParagraphStyle:
        """Section heading (一、资产)."""
        return self._style("section", SECTION_SIZE, spaceBefore=8, spaceAfter=4)

    @property
    def table_title(self) -> ParagraphStyle:
        """Title above a table."""
        return self._style("table_title", TABLE_TITLE_SIZE, spaceBefore=4, spaceAfter=3)

    @property
    def note(self) -> ParagraphStyle:
        """Notes (说明) after a section's tables."""
        return self._style("note", META_SIZE, spaceBefore=3, textColor=MUTED)

    @property
    def header_cell(self) -> ParagraphStyle:
        """Table header cell: Chinese name, English name below in small grey."""
        return self._style("header_cell", HEADER_SIZE, leading=HEADER_SIZE + 2, alignment=TA_CENTER)

    @property
    def body_cell(self) -> ParagraphStyle:
        """A wrapped text cell."""
        return self._style("body_cell", BODY_SIZE, leading=BODY_LEADING, alignment=TA_LEFT)

    @property
    def error_title(self) -> ParagraphStyle:
        """Heading of the cross-check differences box."""
        return self._style("error_title", 10.5, textColor=ERROR_INK)

    @property
    def error_item(self) -> ParagraphStyle:
        """One cross-check difference."""
        return self._style("error_item", META_SIZE, textColor=ERROR_INK, leftIndent=10, firstLineIndent=-10)


def alignment(column: Column) -> str:
    """Return the ReportLab alignment of ``column``'s data cells (money and counts right, dates centred)."""
    if column.kind in ("money", "int"):
        return "RIGHT"
    if column.kind == "date":
        return "CENTER"
    return "LEFT"


def data_table_commands(font: str, columns: Sequence[Column], *, with_totals: bool) -> list[tuple[Any, ...]]:
    """Return the TableStyle commands of one printed page of a data table.

    Args:
        font: the registered CJK font name.
        columns: the table's columns (for per-column alignment).
        with_totals: whether the last row is the totals row.
    """
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), BODY_SIZE),
        ("LEADING", (0, 0), (-1, -1), BODY_LEADING),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
        ("INNERGRID", (0, 0), (-1, -1), GRID_WIDTH, GRID),
        ("BOX", (0, 0), (-1, -1), RULE_WIDTH, INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), RULE_WIDTH, INK),
    ]
    for index, column in enumerate(columns):
        commands.append(("ALIGN", (index, 1), (index, -1), alignment(column)))
    if with_totals:
        commands += [
            ("BACKGROUND", (0, -1), (-1, -1), TOTALS_BG),
            ("LINEABOVE", (0, -1), (-1, -1), RULE_WIDTH, INK),
            ("ALIGN", (0, -1), (0, -1), "CENTER"),
        ]
    return commands


def frame_commands(font: str, size: float = META_SIZE) -> list[tuple[Any, ...]]:
    """Return the TableStyle commands of a small bordered key/value block (parameters, voucher info)."""
    return [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X + 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X + 1),
        ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
        ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
        ("INNERGRID", (0, 0), (-1, -1), GRID_WIDTH, GRID),
        ("BOX", (0, 0), (-1, -1), GRID_WIDTH * 2, GRID),
    ]


def key_value_commands(font: str, label_columns: Sequence[int] = (0,)) -> list[tuple[Any, ...]]:
    """Return the TableStyle commands of a bordered (label, value) block, the label columns shaded."""
    shading = [("BACKGROUND", (index, 0), (index, -1), LABEL_BG) for index in label_columns]
    return [*frame_commands(font), *shading]


def list_table_commands(font: str, size: float = META_SIZE) -> list[tuple[Any, ...]]:
    """Return the TableStyle commands of a small bordered list with a shaded header row (no totals)."""
    return [
        *frame_commands(font, size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), GRID_WIDTH * 2, GRID),
    ]


def plain_commands(font: str, size: float = META_SIZE) -> list[tuple[Any, ...]]:
    """Return the TableStyle commands of a borderless layout row (book / period / unit line)."""
    return [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
    ]
