"""The ledger integrity certificate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ledger.books.chart import Chart
from ledger.books.check import CheckReport
from ledger.core.money import Fen
from ledger.reports import documents as d
from ledger.reports.domain.context import Context, cn_date, new_statement

_RESULT_COLUMNS = (
    d.Column("check", "校验项目", "Check", "text", 60),
    d.Column("result", "结果", "Result", "text", 30),
    d.Column("detail", "说明", "Detail", "text", 90),
)
_FILE_COLUMNS = (
    d.Column("file", "文件", "File", "text", 40),
    d.Column("bytes", "字节", "Bytes", "int", 24),
    d.Column("sha256", "SHA-256", "SHA-256", "text", 116),
)
_RECON_COLUMNS = (
    d.std_column("account_code", 18),
    d.Column("account", "账户", "Account", "text", 72),
    d.Column("journal", "日记账余额", "Journal", "money", 30),
    d.Column("ledger", "账本余额", "Ledger", "money", 30),
    d.Column("difference", "差额", "Difference", "money", 30),
)


def _verdict(ok: bool) -> str:
    return "通过 PASS" if ok else "未通过 FAIL"


def _results(report: CheckReport, journal_count: int) -> tuple[tuple[str, str, str], ...]:
    """The rows of the result table: each check's verdict and what it counted."""
    chain = report.chain
    return (
        ("Beancount 校验（bean-check）", _verdict(not report.errors), f"错误 {len(report.errors)} 项"),
        (
            "哈希链 Hash chain",
            _verdict(chain.ok),
            f"{chain.count} 条分录，链头 #{chain.head_seq}，问题 {len(chain.problems)} 项",
        ),
        (
            "日记账核对 Reconciliation",
            _verdict(not report.differences),
            f"日记账 {journal_count} 条，账本 {chain.count} 条；差异 {len(report.differences)} 项",
        ),
        (
            "总体结论 Overall",
            _verdict(report.ok),
            "账本与数据库日记账一致且未被篡改" if report.ok else "见红色差异",
        ),
    )


def _reconciliation(
    chart: Chart, journal_sums: Mapping[str, Fen], ledger_sums: Mapping[str, Fen]
) -> tuple[tuple[str, str, Fen, Fen, Fen], ...]:
    """(code, account, by the journal, by the files, difference) of every account either names."""
    recon = []
    for account in sorted(journal_sums.keys() | ledger_sums.keys()):
        code = chart.accounts[account].code if account in chart.accounts else "?"
        j, led = journal_sums.get(account, 0), ledger_sums.get(account, 0)
        recon.append((code, account, j, led, led - j))
    return tuple(recon)


def integrity_certificate(
    chart: Chart,
    ctx: Context,
    report: CheckReport,
    journal_count: int,
    journal_sums: Mapping[str, Fen],
    ledger_sums: Mapping[str, Fen],
    files: Sequence[tuple[str, int, str]],
) -> d.Statement:
    """账本完整性证明: Beancount validation, the hash chain, journal = files, and each file's digest.

    Args:
        chart: the chart of accounts (for codes).
        ctx: book ``all``, period (as of), footer.
        report: the check of the ledger against the journal.
        journal_count: entries in the database journal.
        journal_sums: account -> balance by the journal.
        ledger_sums: account -> balance by the ledger files.
        files: (name, size, sha256) of every ledger file.
    """
    chain = report.chain
    results = _results(report, journal_count)
    recon_rows = _reconciliation(chart, journal_sums, ledger_sums)
    sections = (
        d.Section(
            "一、校验结论",
            "Result",
            (d.Table(_RESULT_COLUMNS, results, None, "校验结论", "Checks"),),
            (f"链头哈希 Chain head: {chain.head_hash}",),
        ),
        d.Section(
            "二、账户余额核对",
            "Account reconciliation",
            (
                d.Table(
                    _RECON_COLUMNS,
                    recon_rows,
                    d.totals_row(_RECON_COLUMNS, recon_rows),
                    "余额核对",
                    "Balances",
                ),
            ),
        ),
        d.Section(
            "三、账本文件",
            "Ledger files",
            (d.Table(_FILE_COLUMNS, tuple(files), None, "账本文件摘要", "File digests"),),
            ("可用 sha256sum 复核每个文件；任何改动都会改变摘要并被哈希链定位到具体分录。",),
        ),
    )
    return new_statement(
        ctx,
        "integrity",
        ("账本完整性证明", "Ledger integrity certificate"),
        sections,
        period_label=f"截至 {cn_date(ctx.period.end)}",
    )
