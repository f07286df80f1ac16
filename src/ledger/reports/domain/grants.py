"""The grant register, from the grants the funds service hands out (``GrantOfPeriod``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ledger.core.money import Fen
from ledger.funds.records import GrantOfPeriod
from ledger.reports import documents as d
from ledger.reports.domain.context import Context, new_statement

GRANT_STATUS_CN = {
    "agreement_pending": "待签协议",
    "committed": "已签约",
    "in_progress": "执行中",
    "report_submitted": "报告待审",
    "report_accepted": "报告已验收",
    "final_accepted": "结项验收",
    "closed": "已结项",
    "cancelled": "已取消",
}

_GRANT_COLUMNS = (
    d.Column("grant_no", "资助编号", "Grant no.", "text", 30),
    d.Column("grantee", "受资助组织", "Grantee", "text", 50),
    d.Column("credit_code", "信用代码（脱敏）", "Credit code (masked)", "text", 40),
    d.Column("project", "项目", "Project", "text", 48),
    d.Column("status", "状态", "Status", "text", 18),
    d.Column("signed_on", "签约日期", "Signed", "date", 22),
    d.Column("amount", "资助金额", "Grant", "money", 28),
    d.Column("paid", "已拨付", "Paid (ledger)", "money", 28),
    d.Column("returned", "已退回", "Returned", "money", 24),
    d.Column("unpaid", "未拨付", "Unpaid", "money", 28),
)


def mask_credit_code(code: str) -> str:
    """``91370214MA3C1234X5`` -> ``913702**********X5``."""
    return code[:6] + "*" * max(len(code) - 8, 0) + code[-2:] if len(code) > 8 else "*" * len(code)


def grant_register(
    ctx: Context, grants: Sequence[GrantOfPeriod], ledger_paid: Mapping[str, Fen], errors: Sequence[str]
) -> d.Statement:
    """资助项目登记表: every grant made up to the end of the period, paid amounts from the ledger.

    Args:
        ctx: book (``charity``), period, footer.
        grants: the grants, in grant-number order.
        ledger_paid: grant number -> tranches paid by the ledger up to the end of the period.
        errors: differences between the funds tables and the ledger.
    """
    rows = tuple(
        (
            g.grant_no,
            g.grantee,
            mask_credit_code(g.credit_code),
            g.project,
            GRANT_STATUS_CN.get(g.status, g.status),
            g.signed_on,
            g.amount_fen,
            ledger_paid.get(g.grant_no, 0),
            g.returned_fen,
            g.amount_fen - ledger_paid.get(g.grant_no, 0),
        )
        for g in grants
    )
    table = d.Table(_GRANT_COLUMNS, rows, d.totals_row(_GRANT_COLUMNS, rows), "资助项目", "Grant register")
    notes = (f"共 {len(rows)} 项。已拨付为账本中关联该资助的拨款分录（借 2209）之和（截至期末）。",)
    return new_statement(
        ctx,
        "grant-register",
        ("资助项目登记表", "Grant register"),
        [d.Section("", "", (table,), notes)],
        errors=errors,
    )
