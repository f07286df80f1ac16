"""The payroll roster (发放花名册) of a cycle for one street, as a PDF in the reports' CJK font and styles.

One line per household: its number, the head of the household and the resident ID masked as on every
printed document, the members paid for, the bank account masked, the amount to the fen; the total in
figures and in capital numerals (大写); and the signature lines of who drafted, who approved and the
street office that hands it out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from ledger.core import clock
from ledger.core.ids import mask_resident_id
from ledger.core.money import capital_numerals, format_cny
from ledger.relief.controllers import mask_account
from ledger.relief.programmes import Programme
from ledger.relief.repository import MemberRecord
from ledger.relief.service import Roster
from ledger.reports.pdf import register_cjk_font, render_document
from ledger.reports.pdf import styles as s
from ledger.reports.pdf.render import BoldTitle

HEAD_RELATION = "self"


def _p(text: str, style: Any) -> Paragraph:
    return Paragraph(escape(text), style)


def _head(members: list[MemberRecord]) -> MemberRecord | None:
    return next((m for m in members if m.relation == HEAD_RELATION), members[0] if members else None)


def render_roster(roster: Roster, programme: Programme, font_path: Path | None = None) -> bytes:
    """The roster as PDF bytes.

    Args:
        roster: the cycle's lines of one street (``ReliefService.roster``).
        programme: the cycle's programme (its Chinese and English names).
        font_path: an explicit CJK font (settings), or ``None`` to find one on the system.
    """
    font = register_cjk_font(font_path)
    st = s.Styles(font)
    cycle = roster.cycle
    total = sum(row.amount_fen for row, _household, _members in roster.lines)
    heads = [
        Paragraph(f"{escape(cn)}<br/>{escape(en)}", st.header_cell)
        for cn, en in (
            ("序号", "No."),
            ("户编号", "Household"),
            ("户主", "Head"),
            ("身份证号", "ID no."),
            ("人数", "Members"),
            ("银行账号", "Account"),
            ("金额（元）", "Amount"),
            ("领款人签字", "Signature"),
        )
    ]
    rows: list[list[Any]] = [heads]
    for number, (row, household, members) in enumerate(roster.lines, start=1):
        head = _head(members)
        rows.append(
            [
                _p(str(number), st.body_cell),
                _p(household.household_no, st.body_cell),
                _p(head.name if head else household.bank_holder, st.body_cell),
                _p(mask_resident_id(head.resident_id) if head else "", st.body_cell),
                _p(str(row.members), st.body_cell),
                _p(mask_account(household.bank_account), st.body_cell),
                _p(format_cny(row.amount_fen), st.body_cell),
                _p("", st.body_cell),
            ]
        )
    rows.append(
        [
            _p("合计 Total", st.header_cell),
            _p(f"{len(roster.lines)} 户", st.body_cell),
            "",
            "",
            _p(str(sum(row.members for row, _h, _m in roster.lines)), st.body_cell),
            "",
            _p(format_cny(total), st.body_cell),
            "",
        ]
    )
    table = RLTable(
        rows,
        colWidths=[11 * mm, 22 * mm, 18 * mm, 34 * mm, 15 * mm, 32 * mm, 22 * mm, 22 * mm],
        repeatRows=1,
    )
    table.setStyle(TableStyle(s.list_table_commands(font)))
    facts = [
        ("救助项目 Programme", f"{programme.cn} {programme.title}"),
        ("发放月份 Month", cycle.month),
        ("街道 Street", roster.street),
        ("户数 Households", str(len(roster.lines))),
        ("合计金额 Total", f"{format_cny(total)} 元"),
        ("大写 In words", capital_numerals(total)),
    ]
    info = RLTable([[_p(k, st.meta), _p(v, st.meta)] for k, v in facts], colWidths=[45 * mm, 130 * mm])
    info.setStyle(TableStyle(s.key_value_commands(font)))
    approver = cycle.approved_by or "（未批准 not approved）"
    story = [
        BoldTitle("社会救助资金发放花名册", font, s.TITLE_SIZE, char_space=3),
        _p("Payroll roster of relief payments", st.subtitle),
        Spacer(1, 4 * mm),
        info,
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 8 * mm),
        _p(f"制表人 Drafted by：{cycle.drafted_by}    审批人 Approved by：{approver}", st.meta),
        Spacer(1, 6 * mm),
        _p(
            "街道经办人签字 Street office：____________    负责人签字 Head of office：____________    "
            "日期 Date：____________",
            st.meta,
        ),
        _p(f"打印日期 Printed：{clock.today().isoformat()}", st.small),
    ]
    return render_document(story, font=font, title=f"发放花名册 {cycle.cycle_key} {roster.street}")
