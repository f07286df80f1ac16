"""PDF rendering of statements and vouchers (ReportLab, embedded CJK TrueType font).

``render_statement(statement) -> bytes``, ``render_voucher(voucher, generated_at=...) -> bytes`` and
``render_vouchers(vouchers, generated_at=...) -> bytes`` are pure: values in, deterministic bytes out.
``render_document(story, font=..., title=...)`` prints a one-off document (the workbench's notice and
case file) in the same margins, font and table styles (``styles.key_value_commands``,
``styles.list_table_commands``).
"""

from ledger.reports.pdf.fonts import CJKFontMissing, register_cjk_font
from ledger.reports.pdf.render import render_document, render_statement, render_voucher, render_vouchers

__all__ = [
    "CJKFontMissing",
    "register_cjk_font",
    "render_document",
    "render_statement",
    "render_voucher",
    "render_vouchers",
]
