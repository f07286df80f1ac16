"""The one-time notice of missing documents (一次性告知书) as a PDF, in the reports' CJK font and styles.

The notice lists every document the claim still lacked when the adjuster sent it (the claim's
``documents_requested``, recorded once by ``ClaimsService.request_documents``), the claim, the victim
with the ID masked as on every printed document, and the deadline: the documents must arrive before
the claim is time-barred, and the decision follows within the configured days after they are complete.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from ledger.claims.repository import Row
from ledger.claims.service import ClaimsService
from ledger.core import clock
from ledger.core.errors import Conflict
from ledger.core.ids import mask_resident_id
from ledger.reports.pdf import register_cjk_font, render_document
from ledger.reports.pdf import styles as s
from ledger.reports.pdf.render import BoldTitle


class NoNoticeSent(Conflict):
    """No one-time notice of missing documents has been sent for this claim yet."""


def _p(text: str, style: Any) -> Paragraph:
    return Paragraph(escape(text), style)


def render_notice(service: ClaimsService, claim: Row, font_path: Path | None = None) -> bytes:
    """The notice of ``claim`` as PDF bytes.

    Args:
        service: the claims service (for the policy's names, clocks and the deadline).
        claim: the claim as ``ClaimsService.claims_view`` returns it.
        font_path: an explicit CJK font (settings), or ``None`` to find one on the system.

    Raises:
        NoNoticeSent: the claim's notice has not been recorded yet.
    """
    requested = json.loads(claim["documents_requested"])
    if not requested:
        raise NoNoticeSent(field="documents_requested", rule="send the one-time notice first")
    font = register_cjk_font(font_path)
    st = s.Styles(font)
    policy = service.policy
    due = service.documents_deadline(claim).isoformat()
    info = _facts(st, font, service, claim)
    missing = _missing(st, font, requested)
    days = policy.clocks.decision_days
    story = [
        BoldTitle("理赔材料一次性告知书", font, s.TITLE_SIZE, char_space=3),
        _p("One-time notice of missing documents", st.subtitle),
        Spacer(1, 4 * mm),
        _p(f"{claim['claimant_name']}：", st.meta),
        _p(
            "您申请的政府救助责任保险理赔尚缺以下材料。根据《保险法》第二十二条，现一次性告知需补充的全部材料；"
            f"请于 {due} 前补齐（逾期将超过索赔时效）。材料齐全后，我们将在 {days} 日内作出核定。",
            st.meta,
        ),
        _p(
            "Your claim still lacks the documents below; this notice lists all of them at once "
            "(Insurance Law "
            f"Art. 22). Please provide them by {due} (after that the claim is time-barred). Once they are "
            f"complete we decide within {days} days.",
            st.small,
        ),
        Spacer(1, 3 * mm),
        info,
        Spacer(1, 4 * mm),
        missing,
        Spacer(1, 6 * mm),
        _p(f"截止日期 Deadline：{due}", st.section),
        _p(f"告知日期 Date of notice：{clock.today().isoformat()}", st.meta),
        _p(f"经办人 Adjuster：{claim['registered_by']}", st.meta),
        Spacer(1, 10 * mm),
        _p("申请人签收 Received by the claimant：____________________    日期 Date：____________", st.meta),
    ]
    return render_document(story, font=font, title=f"理赔材料一次性告知书 {claim['claim_no']}")


def _facts(st: s.Styles, font: str, service: ClaimsService, claim: Row) -> RLTable:
    """The claim, its event and the people, the victim's ID masked."""
    peril = service.policy.peril(claim["peril"])
    facts = [
        ("理赔案号 Claim no.", claim["claim_no"]),
        ("事件编号 Event no.", claim["event_no"]),
        ("险种 Peril", f"{peril.cn} {peril.en}"),
        ("出险日期 Incident date", claim["incident_date"].isoformat()),
        ("街道 Street", claim["street"]),
        ("受害人 Victim", claim["victim_name"]),
        ("身份证号 ID no.", mask_resident_id(claim["victim_id"])),
        ("申请人 Claimant", claim["claimant_name"]),
    ]
    info = RLTable(
        [[_p(k, st.meta), _p(v, st.meta)] for k, v in facts],
        colWidths=[45 * mm, 120 * mm],
    )
    info.setStyle(TableStyle(s.key_value_commands(font)))
    return info


def _missing(st: s.Styles, font: str, requested: list[dict[str, Any]]) -> RLTable:
    """Every document still needed, numbered, with how many."""
    rows = [
        [
            _p("序号 No.", st.header_cell),
            _p("需补充的材料 Document still needed", st.header_cell),
            _p("份数 Count", st.header_cell),
        ]
    ]
    for number, item in enumerate(requested, start=1):
        rows.append(
            [
                _p(str(number), st.body_cell),
                Paragraph(f"{escape(item['cn'])}<br/>{escape(item['en'])}", st.body_cell),
                _p(str(item["still_needed"]), st.body_cell),
            ]
        )
    missing = RLTable(rows, colWidths=[16 * mm, 129 * mm, 20 * mm], repeatRows=1)
    missing.setStyle(TableStyle(s.list_table_commands(font)))
    return missing
