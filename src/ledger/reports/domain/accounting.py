"""Statements of the books: the trial balance (试算平衡表), the charity book's balance sheet
(资产负债表) and statement of activities (业务活动表), and the chart of accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ledger.books.chart import Chart
from ledger.books.statements import Turnover
from ledger.core.money import Fen, format_cny
from ledger.reports import documents as d
from ledger.reports.domain.context import ALL_BOOKS, Context, new_statement

# Trial balance (试算平衡表).

_TB_COLUMNS = (
    d.std_column("account_code", 20),
    d.std_column("account_name", 55),
    d.Column("opening_debit", "期初借方余额", "Opening Dr", "money", 30),
    d.Column("opening_credit", "期初贷方余额", "Opening Cr", "money", 30),
    d.std_column("debit_total", 30),
    d.std_column("credit_total", 30),
    d.Column("closing_debit", "期末借方余额", "Closing Dr", "money", 30),
    d.Column("closing_credit", "期末贷方余额", "Closing Cr", "money", 30),
)


def debit_credit(fen: Fen) -> tuple[Fen, Fen]:
    """A balance as (debit, credit): debits positive, credits negative in, both positive out."""
    return (fen, 0) if fen >= 0 else (0, -fen)


def _book_accounts(chart: Chart, book: str, extra: Sequence[str]) -> list[tuple[str, str, str]]:
    """(code, Chinese name, account) of the book's accounts and of any unknown account with figures."""
    rows = [(a.code, a.cn, a.name) for a in chart.accounts.values() if a.book == book]
    rows += [("?", f"未列入科目表 {name}", name) for name in extra if name not in chart.accounts]
    return sorted(rows)


def trial_balance(chart: Chart, ctx: Context, figures: Mapping[str, Turnover]) -> d.Statement:
    """试算平衡表: opening, debit and credit turnover and closing balance of every account of the book.

    Each pair of columns must total the same; a pair that does not is reported as an error.

    Args:
        chart: the chart of accounts.
        ctx: book, period, footer.
        figures: account -> turnover of the period, from the ledger.
    """
    rows: list[tuple[d.Cell, ...]] = []
    for code, cn, account in _book_accounts(chart, ctx.book, sorted(figures)):
        t = figures.get(account, Turnover())
        rows.append((code, cn, *debit_credit(t.opening), t.debit, t.credit, *debit_credit(t.closing)))
    totals = d.totals_row(_TB_COLUMNS, rows)
    errors = [
        f"试算不平衡 {label}：借方 {format_cny(dr)}，贷方 {format_cny(cr)}"  # type: ignore[arg-type]
        for label, dr, cr in (
            ("期初余额", totals[2], totals[3]),
            ("本期发生额", totals[4], totals[5]),
            ("期末余额", totals[6], totals[7]),
        )
        if dr != cr
    ]
    note = "借贷平衡 Balanced." if not errors else "借贷不平衡 NOT BALANCED，见红色差异。"
    table = d.Table(_TB_COLUMNS, tuple(rows), totals, "科目余额", "Account balances")
    section = d.Section("", "", (table,), (f"{note} 数据来源：Beancount 账本，每笔凭证可按凭证号追溯。",))
    return new_statement(ctx, "trial-balance", ("试算平衡表", "Trial balance"), [section], errors=errors)


# Charity book: 资产负债表 and 业务活动表.


def _root(account: str) -> str:
    return account.split(":", 1)[0]


def _restricted(account: str) -> bool:
    return account.endswith(":Restricted")


def net_assets(balances: Mapping[str, Fen]) -> tuple[Fen, Fen]:
    """Return (unrestricted, restricted) net assets, positive, including income and expense not yet closed.

    Args:
        balances: account -> Beancount balance of one book.
    """
    unrestricted = restricted = 0
    for account, fen in balances.items():
        if _root(account) not in ("Equity", "Income", "Expenses"):
            continue
        if _restricted(account) and _root(account) != "Expenses":
            restricted -= fen
        else:
            unrestricted -= fen
    return unrestricted, restricted


_BS_COLUMNS = (
    d.Column("item", "项目", "Item", "text", 90),
    d.Column("account_code", "科目编码", "Code", "text", 24),
    d.Column("opening", "期初数", "Beginning", "money", 33),
    d.Column("closing", "期末数", "End", "money", 33),
)


def balance_sheet(
    chart: Chart, ctx: Context, opening: Mapping[str, Fen], closing: Mapping[str, Fen]
) -> d.Statement:
    """资产负债表 of the charity book at the start (comparative) and the end of the period.

    Args:
        chart: the chart of accounts.
        ctx: book, period, footer.
        opening: account -> balance the day before the period starts.
        closing: account -> balance at the end of the period.
    """
    # Long on purpose: the statement's rows are laid out top to bottom as they print.
    accounts = _book_accounts(chart, ctx.book, sorted(opening.keys() | closing.keys()))
    rows: list[tuple[d.Cell, ...]] = []

    def block(root: str, sign: int) -> tuple[Fen, Fen]:
        begin = end = 0
        for code, cn, account in accounts:
            if _root(account) == root:
                a, b = sign * opening.get(account, 0), sign * closing.get(account, 0)
                rows.append((f"　{cn}", code, a, b))
                begin, end = begin + a, end + b
        return begin, end

    rows.append(("资产 Assets", None, None, None))
    assets = block("Assets", 1)
    rows.append(("资产总计 Total assets", None, *assets))
    rows.append(("负债 Liabilities", None, None, None))
    liabilities = block("Liabilities", -1)
    rows.append(("负债合计 Total liabilities", None, *liabilities))
    u0, r0 = net_assets(opening)
    u1, r1 = net_assets(closing)
    rows += [
        ("净资产 Net assets", None, None, None),
        ("　非限定性净资产 Unrestricted", "3101", u0, u1),
        ("　限定性净资产 Restricted", "3102", r0, r1),
        ("净资产合计 Total net assets", None, u0 + r0, u1 + r1),
        (
            "负债和净资产总计 Total liabilities and net assets",
            None,
            liabilities[0] + u0 + r0,
            liabilities[1] + u1 + r1,
        ),
    ]
    errors = [
        f"资产负债表不平衡 {label}：资产 {format_cny(a)}，负债和净资产 {format_cny(b)}"
        for label, a, b in (
            ("期初", assets[0], liabilities[0] + u0 + r0),
            ("期末", assets[1], liabilities[1] + u1 + r1),
        )
        if a != b
    ]
    before = ctx.period.start - dt.timedelta(days=1)
    table = d.Table(_BS_COLUMNS, tuple(rows), None, "资产负债表", "Statement of financial position")
    notes = (
        f"期初数为 {before.isoformat()} 日终余额，期末数为 {ctx.period.end.isoformat()} 日终余额。"
        "净资产含尚未结转的本期收入与费用（限定性收入计入限定性净资产）。",
    )
    section = d.Section("", "", (table,), notes)
    return new_statement(
        ctx,
        "balance-sheet",
        ("资产负债表", "Statement of financial position"),
        [section],
        errors=errors,
        period_label=f"{ctx.period.end.year}年{ctx.period.end.month}月{ctx.period.end.day}日",
    )


_ACT_COLUMNS = (
    d.Column("item", "项目", "Item", "text", 63),
    d.Column("current_unrestricted", "本期 非限定性", "Current: unrestricted", "money", 34),
    d.Column("current_restricted", "本期 限定性", "Current: restricted", "money", 34),
    d.Column("current_total", "本期 合计", "Current: total", "money", 34),
    d.Column("prior_unrestricted", "上年同期 非限定性", "Prior: unrestricted", "money", 34),
    d.Column("prior_restricted", "上年同期 限定性", "Prior: restricted", "money", 34),
    d.Column("prior_total", "上年同期 合计", "Prior: total", "money", 34),
)


@dataclass(frozen=True, slots=True)
class Activities:
    """One period's activities, positive amounts.

    Args:
        income: (label, unrestricted, restricted) per kind of income.
        expenses: (label, amount) per kind of expense (all unrestricted).
        released: restricted net assets released to unrestricted.
    """

    income: tuple[tuple[str, Fen, Fen], ...]
    expenses: tuple[tuple[str, Fen], ...]
    released: Fen

    @property
    def change(self) -> tuple[Fen, Fen]:
        """(unrestricted, restricted) change in net assets."""
        income_u = sum(u for _, u, _ in self.income)
        income_r = sum(r for _, _, r in self.income)
        spent = sum(fen for _, fen in self.expenses)
        return income_u - spent + self.released, income_r - self.released


def activities_of(chart: Chart, book: str, period_sums: Mapping[str, Fen]) -> Activities:
    """Group a period's postings (closing entries left out) into the lines of the 业务活动表.

    Args:
        chart: the chart of accounts.
        book: the book (``charity``).
        period_sums: account -> sum of the period's postings, without ``period-close`` entries.
    """
    income: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    expenses: list[tuple[str, Fen]] = []
    released = 0
    for code, cn, account in _book_accounts(chart, book, sorted(period_sums)):
        fen = period_sums.get(account, 0)
        root = _root(account)
        if root == "Income":
            stem = account.rsplit(":", 1)[0] if account.endswith(("Restricted", "Unrestricted")) else account
            labels.setdefault(stem, cn.split("—")[0])
            pair = income.setdefault(stem, [0, 0])
            pair[1 if _restricted(account) else 0] -= fen
        elif root == "Expenses":
            expenses.append((f"{cn}（{code}）", fen))
        elif root == "Equity" and _restricted(account):
            released += fen
    return Activities(
        income=tuple(
            (labels[stem], u, r) for stem, (u, r) in sorted(income.items(), key=lambda i: labels[i[0]])
        ),
        expenses=tuple(expenses),
        released=released,
    )


def statement_of_activities(
    ctx: Context, current: Activities, prior: Activities, balance_sheet_change: Fen
) -> d.Statement:
    """业务活动表 with 非限定性 / 限定性 / 合计 columns for the period and the same period a year earlier.

    Args:
        ctx: book, period, footer.
        current: the period's activities.
        prior: the comparative period's activities.
        balance_sheet_change: the change in total net assets over the period by the balance sheet; a
            different net change here is reported as an error.
    """
    # Long on purpose: the statement's rows are laid out top to bottom as they print.
    prior_income = {label: (u, r) for label, u, r in prior.income}
    prior_expense = dict(prior.expenses)
    labels = list(dict.fromkeys([label for label, _, _ in current.income] + list(prior_income)))
    cur_income = {label: (u, r) for label, u, r in current.income}
    rows: list[tuple[d.Cell, ...]] = [("一、收入 Income", None, None, None, None, None, None)]

    def line(label: str, cur: tuple[Fen, Fen], old: tuple[Fen, Fen]) -> tuple[d.Cell, ...]:
        return (label, cur[0], cur[1], cur[0] + cur[1], old[0], old[1], old[0] + old[1])

    for label in labels:
        rows.append(line(f"　{label}", cur_income.get(label, (0, 0)), prior_income.get(label, (0, 0))))

    def income_total(a: Activities) -> tuple[Fen, Fen]:
        return sum(u for _, u, _ in a.income), sum(r for _, _, r in a.income)

    rows.append(line("收入合计 Total income", income_total(current), income_total(prior)))
    rows.append(("二、费用 Expenses", None, None, None, None, None, None))
    cur_expense = dict(current.expenses)
    for label in dict.fromkeys(list(cur_expense) + list(prior_expense)):
        rows.append(line(f"　{label}", (cur_expense.get(label, 0), 0), (prior_expense.get(label, 0), 0)))
    spent = (sum(cur_expense.values()), 0)
    rows.append(line("费用合计 Total expenses", spent, (sum(prior_expense.values()), 0)))
    rows.append(
        line(
            "三、限定性净资产转为非限定性净资产 Released from restriction",
            (current.released, -current.released),
            (prior.released, -prior.released),
        )
    )
    rows.append(line("四、净资产变动额 Change in net assets", current.change, prior.change))
    errors = []
    total_change = sum(current.change)
    if total_change != balance_sheet_change:
        errors.append(
            f"业务活动表净资产变动额 {format_cny(total_change)} 与资产负债表净资产变动 "
            f"{format_cny(balance_sheet_change)} 不一致（有未经收入、费用或限定性解除的净资产分录）"
        )
    prior_period = ctx.period.year_earlier()
    table = d.Table(_ACT_COLUMNS, tuple(rows), None, "业务活动表", "Statement of activities")
    notes = (
        f"上年同期：{prior_period.label}。收入与费用不含期末结转分录（period-close）；"
        "限定性净资产的解除按冲减 3102 的分录计算。",
    )
    return new_statement(
        ctx,
        "activities",
        ("业务活动表", "Statement of activities"),
        [d.Section("", "", (table,), notes)],
        errors=errors,
        parameters=[("比较期间 Comparative", f"{prior_period.start} — {prior_period.end}")],
    )


# Chart of accounts.

_CHART_COLUMNS = (
    d.std_column("account_code", 24),
    d.std_column("account_name", 56),
    d.Column("account", "账户", "Beancount account", "text", 80),
    d.Column("book", "账簿", "Book", "text", 20),
    d.Column("opened", "启用日期", "Opened", "date", 22),
    d.Column("closed", "停用日期", "Closed", "date", 22),
)


def chart_of_accounts(chart: Chart, ctx: Context) -> d.Statement:
    """会计科目表: every account of the chart (of one book, or all)."""
    rows = tuple(
        (a.code, a.cn, a.name, a.book, a.opened, a.closed)
        for a in sorted(chart.accounts.values(), key=lambda a: (a.book, a.code, a.name))
        if ctx.book in (ALL_BOOKS, a.book)
    )
    table = d.Table(_CHART_COLUMNS, rows, None, "会计科目", "Chart of accounts")
    return new_statement(
        ctx, "chart-of-accounts", ("会计科目表", "Chart of accounts"), [d.Section("", "", (table,))]
    )
