"""What the fund desk shows beside the funds service's records: status words and the server-drawn charts.

The charts are SVG drawn by ``pygal`` on the server and written into the page, so they need no
JavaScript (pygal's own inline configuration script, useful only to its tooltips, is left out); every
chart stands beside a table of the same figures for those who cannot see it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pygal
from pygal.style import Style

from ledger.funds.domain import MonthFlow, ProgrammeTotal
from ledger.web.i18n import gettext_
from ledger.web.pages.messages import N_, label

APPLICATION_STATUSES = {
    "draft": N_("draft"),
    "submitted": N_("submitted"),
    "under_review": N_("under review"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
}
GRANT_STATUSES = {
    "agreement_pending": N_("agreement pending"),
    "committed": N_("committed"),
    "in_progress": N_("in progress"),
    "report_submitted": N_("report submitted"),
    "report_accepted": N_("report accepted"),
    "final_accepted": N_("final report accepted"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
}
TRANCHE_STATUSES = {"scheduled": N_("scheduled"), "paid": N_("paid"), "released": N_("released")}
RECEIPT_KINDS = {"government_grant": N_("government guidance grant"), "donation": N_("donation")}
FLOWS = {
    "received": N_("Received"),
    "committed": N_("Committed"),
    "paid": N_("Paid out"),
    "returned": N_("Returned"),
}

_STYLE = Style(
    font_family='"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", sans-serif',
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2328",
    foreground_strong="#1f2328",
    foreground_subtle="#57606a",
    colors=("#1f5fa8", "#b35900", "#2e7d32", "#6a3d9a"),
    opacity="0.95",
    opacity_hover="1",
    title_font_size=16,
    legend_font_size=13,
    label_font_size=12,
    major_label_font_size=12,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def status_word(table: dict[str, str], code: str) -> str:
    """A funds status in the page language (``label`` of one of the tables above)."""
    return label(table, code)


def _yuan(fen: int) -> float:
    """A bar's height: drawing only, every figure shown is formatted from the fen."""
    return fen / 100


def _svg(chart: pygal.graph.graph.Graph) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _chart(kind: type[pygal.graph.graph.Graph], title: str, **options: object) -> pygal.graph.graph.Graph:
    return kind(
        style=_STYLE,
        js=[],
        disable_xml_declaration=True,
        width=720,
        height=340,
        explicit_size=False,
        title=title,
        legend_at_bottom=True,
        show_y_guides=True,
        value_formatter=lambda yuan: f"{yuan:,.0f}",
        **options,
    )


def month_chart(flows: Sequence[MonthFlow]) -> str:
    """Received, committed, paid and returned, month by month, as SVG (yuan on the y axis)."""
    chart = _chart(pygal.Bar, gettext_("The fund month by month (yuan)"))
    chart.x_labels = [flow.month for flow in flows]
    for kind, name in FLOWS.items():
        chart.add(gettext_(name), [_yuan(getattr(flow, kind)) for flow in flows])
    return _svg(chart)


def programme_chart(totals: Sequence[ProgrammeTotal]) -> str:
    """Granted and paid by programme area as SVG bars: one series per area, named in full in the legend
    (a call's title is too long for an axis label)."""
    chart = _chart(
        pygal.Bar,
        gettext_("Grants by programme area (yuan)"),
        truncate_legend=-1,
        legend_at_bottom_columns=1,
    )
    chart.x_labels = [gettext_("Granted"), gettext_("Paid, less returned")]
    for total in totals:
        chart.add(total.area, [_yuan(total.granted), _yuan(total.paid)])
    return _svg(chart)
