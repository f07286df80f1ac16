"""Vouchers (记账凭证): one per journal entry, with who approved its cause and what backs it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.books.chart import Chart
from ledger.core.entries import JournalEntry
from ledger.reports import documents as d
from ledger.reports.domain.accounting import debit_credit


@dataclass(frozen=True, slots=True)
class Backing:
    """Who approved an entry's cause and which documents back it.

    Args:
        approvers: the approvers' user names.
        documents: document names (types, reference numbers).
    """

    approvers: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()


_LINK_LABELS = {
    "claim": "赔案",
    "grant": "资助",
    "payment-ref": "付款凭据",
    "agreement": "协议",
    "policy-year": "保单年度",
    "fund": "基金",
    "period": "期间",
}


def voucher(chart: Chart, entry: JournalEntry, backing: Backing) -> d.Voucher:
    """The 记账凭证 of one journal entry, as read back from the ledger.

    Args:
        chart: the chart of accounts (codes and Chinese names).
        entry: the entry.
        backing: its approvers and documents.
    """
    lines = []
    for posting in entry.postings:
        account = chart.accounts.get(posting.account)
        code, cn = (account.code, account.cn) if account else ("?", posting.account)
        debit, credit = debit_credit(posting.fen)
        lines.append(d.VoucherLine(code, cn, posting.account, debit_fen=debit, credit_fen=credit))
    links = tuple(f"{_LINK_LABELS.get(k, k)} {v}" for k, v in entry.links)
    return d.Voucher(
        seq=entry.seq,
        date=entry.date,
        book=entry.book,
        summary=entry.narration if not entry.payee else f"{entry.narration}（{entry.payee}）",
        lines=tuple(lines),
        prepared_by=entry.actor,
        approved_by="、".join(backing.approvers),
        attachments=(*links, *backing.documents),
        cause=entry.cause,
        hash=entry.hash,
        reverses=entry.reverses,
    )


_VOUCHER_HEAD_COLUMNS = (
    d.std_column("voucher_no", 24),
    d.std_column("voucher_date", 22),
    d.Column("book", "账簿", "Book", "text", 18),
    d.std_column("summary", 70),
    d.Column("amount", "金额", "Amount", "money", 28),
    d.std_column("preparer", 20),
    d.Column("approver", "审核人", "Approved by", "text", 24),
    d.std_column("attachments", 14),
    d.Column("documents", "附件", "Documents", "text", 60),
    d.Column("cause", "业务来源", "Cause", "text", 36),
    d.Column("hash", "分录哈希", "Entry hash", "text", 60),
)
_VOUCHER_LINE_COLUMNS = (
    d.std_column("voucher_no", 24),
    d.std_column("voucher_date", 22),
    d.Column("line_no", "分录序号", "Line", "int", 14),
    d.std_column("account_code", 20),
    d.std_column("account_name", 50),
    d.Column("account", "账户", "Account", "text", 70),
    d.std_column("summary", 60),
    d.std_column("debit", 28),
    d.std_column("credit", 28),
)


def voucher_tables(vouchers: Sequence[d.Voucher]) -> tuple[d.Table, d.Table]:
    """The vouchers as two GB/T 24589-style tables: headers (凭证头) and lines (凭证分录)."""
    heads = tuple(
        (
            v.number,
            v.date,
            v.book,
            v.summary,
            v.total_fen,
            v.prepared_by,
            v.approved_by,
            len(v.attachments),
            "；".join(v.attachments),
            v.cause,
            v.hash,
        )
        for v in vouchers
    )
    lines = tuple(
        (
            v.number,
            v.date,
            n,
            ln.account_code,
            ln.account_cn,
            ln.account,
            ln.summary or v.summary,
            ln.debit_fen,
            ln.credit_fen,
        )
        for v in vouchers
        for n, ln in enumerate(v.lines, start=1)
    )
    return (
        d.Table(_VOUCHER_HEAD_COLUMNS, heads, None, "凭证头", "Voucher headers"),
        d.Table(
            _VOUCHER_LINE_COLUMNS,
            lines,
            d.totals_row(_VOUCHER_LINE_COLUMNS, lines),
            "凭证分录",
            "Voucher lines",
        ),
    )
