"""A claim's whole case file (理赔案卷) as one PDF, for the auditor and the file, in the reports' styles.

The same facts as the case file page: the claim and its parties (resident IDs masked as the reader's
role sees them on the page), the assessment lines with their calculation trail, the approvals with any
reduction and its reason, the payments with their journal entry numbers, the documents with their
SHA-256 and the whole history of transitions with actor and time. Every label is Chinese first with
the English after it, as on the statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from ledger.claims.policy import PolicyConfig
from ledger.claims.service import ClaimsService
from ledger.core import clock
from ledger.core.money import format_cny
from ledger.platform.domain import Principal
from ledger.reports.pdf import register_cjk_font, render_document
from ledger.reports.pdf import styles as s
from ledger.reports.pdf.render import BoldTitle
from ledger.web.i18n import translations
from ledger.web.pages import messages
from ledger.web.pages.base import grouped, iso_date, shown_id

FRAME_WIDTH = 180 * mm


def _zh_en(english: str) -> str:
    """A page message in both languages: ``已核定 assessed``."""
    return f"{translations('zh_CN').gettext(english)} {english}"


def _p(text: str, style: Any) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _list(
    st: s.Styles, heads: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float]
) -> Flowable:
    body = [[_p(h, st.header_cell) for h in heads]]
    body += [[_p(cell, st.body_cell) for cell in row] for row in rows]
    return RLTable(
        body,
        colWidths=[w * mm for w in widths_mm],
        repeatRows=1,
        style=TableStyle(s.list_table_commands(st.font)),
    )


def _document_name(policy: PolicyConfig, code: str) -> str:
    document = policy.documents.get(code)
    return f"{document.cn} {document.en}" if document else code


def _section(st: s.Styles, title: str, content: Flowable | None, empty: str) -> list[Flowable]:
    return [_p(title, st.section), content if content is not None else _p(empty, st.meta)]


def render_case_file(
    service: ClaimsService, case: dict[str, Any], principal: Principal, font_path: Path | None = None
) -> bytes:
    """The case file of one claim as PDF bytes.

    Args:
        service: the claims service (for the policy's names in both languages).
        case: what the case file page shows (``claims.case_file_data``): ``claim`` (with its lines),
            ``documents``, ``transitions`` and ``payments``.
        principal: the reader, whose role decides whether resident IDs are shown in full.
        font_path: an explicit CJK font (settings), or ``None`` to find one on the system.
    """
    font = register_cjk_font(font_path)
    st = s.Styles(font)
    claim = case["claim"]
    paid = _payments(st, case["payments"])
    files = _documents(st, service, case["documents"])
    story: list[Flowable] = [
        BoldTitle("理赔案卷", font, s.TITLE_SIZE, char_space=3),
        _p(f"Claim case file {claim['claim_no']}", st.subtitle),
        _key_values(st, font, _facts(service, claim, principal)),
        *_section(st, "核定明细 Assessment", _lines(st, service, claim), ""),
        *_section(st, "审批 Approvals", _key_values(st, font, _approvals(claim)), ""),
        *_section(st, "支付与记账凭证 Payments and journal entries", paid, "尚无支付 No payments yet."),
        *_section(st, "材料 Documents", files, "尚未收到材料 No documents received yet."),
        *_section(st, "办理记录 History", _history(st, case["transitions"]), ""),
        Spacer(1, 6 * mm),
        _p(f"打印时间 Printed {iso_date(clock.now())} · {principal.username}", st.small),
    ]
    return render_document(story, font=font, title=f"理赔案卷 {claim['claim_no']}")


def _key_values(st: s.Styles, font: str, pairs: list[tuple[str, str]]) -> Flowable:
    """A two-column table of labels and values."""
    return RLTable(
        [[_p(k, st.meta), _p(v, st.meta)] for k, v in pairs],
        colWidths=[45 * mm, FRAME_WIDTH - 45 * mm],
        style=TableStyle(s.key_value_commands(font)),
    )


def _facts(service: ClaimsService, claim: dict[str, Any], principal: Principal) -> list[tuple[str, str]]:
    """The claim, its event, the people and the amounts."""
    peril = service.policy.peril(claim["peril"])
    status = messages.status_pair(claim["status"])
    return [
        ("理赔案号 Claim no.", claim["claim_no"]),
        ("事件编号 Event no.", claim["event_no"]),
        ("险种 Peril", f"{peril.cn} {peril.en}"),
        ("出险日期 Incident date", iso_date(claim["incident_date"])),
        ("街道 Street", claim["street"]),
        ("状态 Status", status),
        ("受害人 Victim", f"{claim['victim_name']}  {shown_id(claim['victim_id'], principal)}"),
        (
            "申请人 Claimant",
            f"{claim['claimant_name']} ({_zh_en(messages.RELATIONS[claim['claimant_relation']])})  "
            f"{shown_id(claim['claimant_id'], principal)}",
        ),
        ("收款账户 Bank account", f"{claim['bank_name']} {claim['bank_account']}"),
        ("核定金额 Assessed (元)", format_cny(int(claim["assessed_fen"]))),
        ("批准金额 Approved (元)", format_cny(int(claim["approved_fen"]))),
        ("已支付 Paid (元)", format_cny(int(claim["paid_fen"]))),
    ]


def _lines(st: s.Styles, service: ClaimsService, claim: dict[str, Any]) -> Flowable:
    """Each benefit line with its calculation trail."""
    policy = service.policy
    return _list(
        st,
        [
            "序号 No.",
            "给付项目 Head",
            "申请 Claimed",
            "核定 Payable",
            "批准 Approved",
            "计算过程 Calculation",
        ],
        [
            [
                str(line["position"]),
                f"{policy.head(line['head']).cn} {policy.head(line['head']).en}",
                format_cny(int(line["claimed_fen"])),
                format_cny(int(line["payable_fen"])),
                format_cny(int(line["approved_fen"])),
                "\n".join(
                    f"{step['label_cn']} {step['label_en']}: {grouped(step['amount'])}"
                    for step in line["trail_steps"]
                )
                + (f"\n人工调减 Lowered: {line['lowered_reason']}" if line["lowered_reason"] else ""),
            ]
            for line in claim["lines"]
        ],
        (14, 28, 24, 24, 24, 66),
    )


def _approvals(claim: dict[str, Any]) -> list[tuple[str, str]]:
    """Who registered, assessed and approved, the reduction and any duplicate override."""
    reduced = claim["reduced_to_fen"]
    approvals = [
        ("受理人 Registered by", claim["registered_by"]),
        ("核定人 Assessed by", claim["assessed_by"] or "—"),
        ("审批人 Approved by", claim["first_approver"] or "—"),
        ("第二审批人 Second approver", claim["second_approver"] or "—"),
        ("批准日期 Approved on", iso_date(claim["approved_on"]) or "—"),
        (
            "核减 Reduction",
            "—"
            if reduced is None
            else f"{format_cny(int(reduced))}（核定 assessed {format_cny(int(claim['assessed_fen']))}）"
            f"：{claim['reduction_reason']}",
        ),
    ]
    if claim["duplicate_of"]:
        approvals.append(
            ("疑似重复 Possible duplicate", f"{claim['duplicate_of']}：{claim['override_reason']}")
        )
    return approvals


def _payments(st: s.Styles, payments: list[dict[str, Any]]) -> Flowable | None:
    """The payments with their journal entries, or ``None`` when there are none."""
    return (
        _list(
            st,
            [
                "支付日期 Paid on",
                "类型 Kind",
                "银行流水号 Bank ref.",
                "金额 Amount",
                "凭证号 Journal entry",
                "经办 By",
            ],
            [
                [
                    iso_date(p["paid_on"]),
                    _zh_en(messages.PAYMENT_KINDS[p["kind"]]),
                    p["reference"],
                    format_cny(int(p["fen"])),
                    str(p["journal_seq"]),
                    p["paid_by"],
                ]
                for p in payments
            ],
            (26, 30, 38, 28, 30, 28),
        )
        if payments
        else None
    )


def _documents(st: s.Styles, service: ClaimsService, documents: list[dict[str, Any]]) -> Flowable | None:
    """The documents received, or ``None`` when there are none."""
    policy = service.policy
    return (
        _list(
            st,
            ["材料 Document", "收到 Received", "核验 Verified by", "SHA-256"],
            [
                [
                    _document_name(policy, d["doc_type"]),
                    f"{iso_date(d['received_at'])} {d['received_by']}",
                    d["verified_by"] or "—",
                    d["sha256"] or "纸质原件 paper original",
                ]
                for d in documents
            ],
            (42, 36, 22, 80),
        )
        if documents
        else None
    )


def _history(st: s.Styles, transitions: list[dict[str, Any]]) -> Flowable:
    """Every transition with actor, time and reason."""
    return _list(
        st,
        ["时间 Time", "操作 Action", "状态 Status", "经办 By", "理由 Reason"],
        [
            [
                iso_date(t["at"]),
                _zh_en(messages.ACTIONS[t["action"]]) if t["action"] in messages.ACTIONS else t["action"],
                f"{messages.status_pair(t['from_status'])} → {messages.status_pair(t['to_status'])}"
                if t["from_status"]
                else messages.status_pair(t["to_status"]),
                t["actor"],
                t["reason"] or "",
            ]
            for t in transitions
        ],
        (28, 30, 50, 22, 50),
    )
