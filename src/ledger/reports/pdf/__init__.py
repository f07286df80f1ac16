"""PDF rendering of statements and vouchers (ReportLab, embedded CJK TrueType font).

``render_statement(statement) -> bytes``, ``render_voucher(voucher, generated_at=...) -> bytes`` and
``render_vouchers(vouchers, generated_at=...) -> bytes`` are pure: values in, deterministic bytes out.
"""

from ledger.reports.pdf.fonts import CJKFontMissing, register_cjk_font
from ledger.reports.pdf.render import render_statement, render_voucher, render_vouchers

__all__ = ["CJKFontMissing", "register_cjk_font", "render_statement", "render_voucher", "render_vouchers"]
