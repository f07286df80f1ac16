"""Statement builders: pure functions from ledger figures (fen) to ``documents.Statement`` values.

No database, no Beancount, no clock: the service gathers the figures (from the loaded ledger, cross-checked
with the journal) and passes them here with the period, the check findings and the generation time.

Signs: figures arrive as Beancount sums (debits positive); each builder turns them into the way a Chinese
statement prints them (a liability or income as a positive amount).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ledger.books.chart import Chart
from ledger.books.check import CheckReport
from ledger.books.statements import Turnover
from ledger.core.entries import JournalEntry
from ledger.core.errors import BadRequest
from ledger.core.ids import mask_resident_id
from ledger.core.money import Fen, format_cny
from ledger.reports import documents as d

CLOSE_CAUSE = "period-close:"
ALL_BOOKS = "all"
CURRENCY_PARAM = ("币种 Currency", "人民币 CNY")
EARLIEST_DAY = dt.date(dt.MINYEAR + 1, 1, 1)
"""The first day a period may start on: a statement also reads the day before it (the opening balance)
and the same days a year earlier (the comparative column), which must be calendar days too."""
LATEST_DAY = dt.date.max - dt.timedelta(days=1)
"""The last day a period may end on: a register reads up to the start of the day after it."""


class BadDate(BadRequest):
    """A date parameter is not a calendar date written YYYY-MM-DD."""


@dataclass(frozen=True, slots=True)
class Period:
    """A closed range of days.

    Args:
        start: first day.
        end: last day (inclusive).
    """

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        """``2026年1月1日至2026年12月31日``."""
        return f"{_cn_date(self.start)}至{_cn_date(self.end)}"

    def year_earlier(self) -> Period:
        """The same days one year earlier (the comparative period; 29 February becomes the 28th)."""
        return Period(_year_earlier(self.start), _year_earlier(self.end))


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _year_earlier(day: dt.date) -> dt.date:
    if day.month == 2 and day.day == 29:
        return dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


@dataclass(frozen=True, slots=True)
class Context:
    """What every statement of one request shares.

    Args:
        book: ``insurance``, ``charity`` or ``all``.
        period: the reporting period.
        footer: chain head and check result.
        errors: the cross-check differences of the ledger (printed in red).
        generated_at: the generation time (not part of the content hash).
    """

    book: str
    period: Period
    footer: d.Footer
    errors: tuple[str, ...]
    generated_at: dt.datetime


def _statement(
    ctx: Context,
    kind: str,
    title: tuple[str, str],
    sections: Sequence[d.Section],
    *,
    errors: Sequence[str] = (),
    parameters: Sequence[tuple[str, str]] = (),
    period_label: str | None = None,
) -> d.Statement:
    params = (("报表 Report", kind), *parameters, CURRENCY_PARAM)
    return d.Statement(
        kind=kind,
        title_cn=title[0],
        title_en=title[1],
        book=ctx.book,
        period_label=ctx.period.label if period_label is None else period_label,
        parameters=params,
        sections=tuple(sections),
        footer=ctx.footer,
        generated_at=ctx.generated_at,
        errors=(*ctx.errors, *errors),
    )


# ---------------------------------------------------------------------------------------------------
# Check findings: footer text and error lines.


def check_findings(report: CheckReport) -> tuple[d.Footer, tuple[str, ...]]:
    """Return the footer and the error lines a check report puts on every statement.

    File names are printed relative to the ledger directory, so the text (and the content hash) depends
    on the ledger's content, not on where it lies.

    Args:
        report: the ledger check (Beancount, hash chain, reconciliation with the journal).
    """
    chain = report.chain
    root = f"{report.directory}/"
    errors: list[str] = []
    for error in report.errors:
        where = f"{(error.filename or '').replace(root, '')}:{error.lineno}: " if error.filename else ""
        errors.append(f"Beancount 校验错误 {where}{error.message.replace(root, '')}")
    errors += [f"哈希链 {p.kind}: {p.message.replace(root, '')}" for p in chain.problems]
    errors += [f"日记账与账本不一致 journal ≠ ledger: {diff.message}" for diff in report.differences]
    if report.ok:
        text = (
            f"bean-check 通过；哈希链完整（{chain.count} 条，链头 #{chain.head_seq}）；与数据库日记账核对一致"
        )
    else:
        text = (
            f"校验未通过 FAILED：Beancount 错误 {len(report.errors)} 项，"
            f"哈希链问题 {len(chain.problems)} 项，与日记账差异 {len(report.differences)} 项"
        )
    return d.Footer(chain.head_hash, text, report.ok), tuple(errors)


# ---------------------------------------------------------------------------------------------------
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


def _sides(fen: Fen) -> tuple[Fen, Fen]:
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
        rows.append((code, cn, *_sides(t.opening), t.debit, t.credit, *_sides(t.closing)))
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
    return _statement(ctx, "trial-balance", ("试算平衡表", "Trial balance"), [section], errors=errors)


# ---------------------------------------------------------------------------------------------------
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
    return _statement(
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
    return _statement(
        ctx,
        "activities",
        ("业务活动表", "Statement of activities"),
        [d.Section("", "", (table,), notes)],
        errors=errors,
        parameters=[("比较期间 Comparative", f"{prior_period.start} — {prior_period.end}")],
    )


# ---------------------------------------------------------------------------------------------------
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
    return _statement(
        ctx, "chart-of-accounts", ("会计科目表", "Chart of accounts"), [d.Section("", "", (table,))]
    )


# ---------------------------------------------------------------------------------------------------
# Insurance programme: premium, claims by peril, loss ratio, limit usage; the claims register.


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """One claim as the claims tables hold it.

    Args:
        claim_no: the claim number.
        event_no: its event.
        incident_date: the date of the incident.
        peril: the peril code.
        street: the street of the event.
        victim_name: the victim's name (masked when printed).
        victim_id: the resident ID (masked when printed).
        status: the claim status code.
        approved_fen: the approved amount.
        paid_fen: what the claims tables say was paid.
        policy_year: the policy year code.
        decided: whether the claim counts as decided (approved, paid or closed).
    """

    claim_no: str
    event_no: str
    incident_date: dt.date
    peril: str
    street: str
    victim_name: str
    victim_id: str
    status: str
    approved_fen: Fen
    paid_fen: Fen
    policy_year: str
    decided: bool


@dataclass(frozen=True, slots=True)
class Limit:
    """One limit and how much of it is used.

    Args:
        kind: 保单年度累计 / 险种年度 / 每次事故.
        subject: what it applies to (the year, ``2026 火灾爆炸救助``, the event number).
        limit_fen: the limit.
        used_fen: approved on decided claims under it.
    """

    kind: str
    subject: str
    limit_fen: Fen
    used_fen: Fen


def percent(part: Fen, whole: Fen) -> str:
    """``63.21%`` (rounded half up to 0.01 %); ``—`` when ``whole`` is 0."""
    if whole == 0:
        return "—"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def mask_name(name: str) -> str:
    """``张三丰`` -> ``张**``."""
    return name[:1] + "*" * (len(name) - 1)


def reconcile_paid(recorded: Mapping[str, Fen], ledger: Mapping[str, Fen], what: str) -> list[str]:
    """Return one error per document whose recorded paid amount differs from the ledger's.

    Args:
        recorded: document number -> paid per the business tables.
        ledger: document number -> paid per the ledger (all entries linked to it).
        what: the document kind for the message (``赔案`` / ``资助``).
    """
    return [
        f"{what} {number}：业务系统已付 {format_cny(recorded.get(number, 0))}，"
        f"账本已付 {format_cny(ledger.get(number, 0))}"
        for number in sorted(recorded.keys() | ledger.keys())
        if recorded.get(number, 0) != ledger.get(number, 0)
    ]


@dataclass(frozen=True, slots=True)
class Programme:
    """The figures of the insurance programme statement.

    Args:
        premium_fen: premium income of the period (ledger).
        expense_by_peril: (peril label, account) -> claims expense of the period (ledger).
        perils: peril code -> Chinese label, in configured order.
        claims: the claims with an incident in the period.
        ledger_paid: claim number -> paid by the ledger up to the end of the period.
        limits: limit usage rows.
    """

    premium_fen: Fen
    expense_by_peril: Mapping[str, Fen]
    perils: Mapping[str, str]
    claims: Sequence[ClaimRecord]
    ledger_paid: Mapping[str, Fen]
    limits: Sequence[Limit]


_SUMMARY_COLUMNS = (
    d.Column("item", "项目", "Item", "text", 80),
    d.Column("amount", "金额", "Amount", "money", 40),
    d.Column("note", "说明", "Note", "text", 60),
)
_PERIL_COLUMNS = (
    d.Column("peril", "险种", "Peril", "text", 44),
    d.Column("claims", "赔案数", "Claims", "int", 16),
    d.Column("approved", "核定金额", "Approved", "money", 30),
    d.Column("paid", "已付金额", "Paid (ledger)", "money", 30),
    d.Column("outstanding", "未决金额", "Outstanding", "money", 30),
    d.Column("expense", "本期赔付支出", "Claims expense", "money", 30),
)
_LIMIT_COLUMNS = (
    d.Column("kind", "限额类别", "Limit", "text", 34),
    d.Column("subject", "适用对象", "Applies to", "text", 56),
    d.Column("limit", "限额", "Limit", "money", 32),
    d.Column("used", "已使用", "Used", "money", 32),
    d.Column("usage", "使用率", "Usage", "text", 26),
)


def insurance_programme(ctx: Context, data: Programme, errors: Sequence[str]) -> d.Statement:
    """Insurance programme statement: premium, claims by peril, loss ratio and limit usage.

    Args:
        ctx: book (``insurance``), period, footer.
        data: the figures.
        errors: claim-by-claim differences between the claims tables and the ledger.
    """
    by_peril: dict[str, list[int]] = {code: [0, 0, 0] for code in data.perils}
    for claim in data.claims:
        if not claim.decided:
            continue
        row = by_peril.setdefault(claim.peril, [0, 0, 0])
        row[0] += 1
        row[1] += claim.approved_fen
        row[2] += data.ledger_paid.get(claim.claim_no, 0)
    peril_rows = tuple(
        (
            data.perils.get(code, code),
            count,
            approved,
            paid,
            approved - paid,
            data.expense_by_peril.get(code, 0),
        )
        for code, (count, approved, paid) in by_peril.items()
    )
    peril_totals = d.totals_row(_PERIL_COLUMNS, peril_rows)
    peril_totals = (peril_totals[0], sum(int(r[1] or 0) for r in peril_rows), *peril_totals[2:])
    approved, paid = peril_totals[2], peril_totals[3]
    outstanding, expense = peril_totals[4], peril_totals[5]
    premium = data.premium_fen
    summary_rows: tuple[tuple[d.Cell, ...], ...] = (
        ("保费收入 Premium income", premium, "账本 Income:Insurance:Premium 本期贷方"),
        ("赔付支出 Claims expense", expense, "账本 Expenses:Insurance:Claims 本期借方"),
        ("已核准赔款 Claims approved", approved, "本期出险、已核准的赔案"),
        ("已付赔款 Claims paid", paid, "上述赔案截至期末的账本付款"),
        ("未决赔款 Claims outstanding", outstanding, "已核准未付"),
        ("简单赔付率 Paid loss ratio", None, f"{percent(expense, premium)}（赔付支出 / 保费收入）"),  # type: ignore[arg-type]
        ("综合赔付率 Incurred loss ratio", None, f"{percent(approved, premium)}（已核准 / 保费收入）"),  # type: ignore[arg-type]
    )
    limit_rows = tuple(
        (limit.kind, limit.subject, limit.limit_fen, limit.used_fen, percent(limit.used_fen, limit.limit_fen))
        for limit in data.limits
    )
    sections = (
        d.Section(
            "一、保费与赔付",
            "Premium and claims",
            (d.Table(_SUMMARY_COLUMNS, summary_rows, None, "保费与赔付概况", "Summary"),),
        ),
        d.Section(
            "二、分险种赔付",
            "Claims by peril",
            (d.Table(_PERIL_COLUMNS, peril_rows, peril_totals, "分险种赔付", "By peril"),),
            ("核定、已付、未决按本期出险的已决赔案统计；已付金额取自账本中关联该赔案的付款分录。",),
        ),
        d.Section(
            "三、限额使用",
            "Limit usage",
            (d.Table(_LIMIT_COLUMNS, limit_rows, None, "限额使用情况", "Limits used"),),
            (
                "已使用 = 已决赔案的核定金额；限额取自对应规则版本"
                "（保单年度与险种按年度起始日，事故按出险日）。",
            ),
        ),
    )
    return _statement(
        ctx,
        "insurance-programme",
        ("政府救助责任保险项目报表", "Insurance programme statement"),
        sections,
        errors=errors,
    )


_CLAIM_COLUMNS = (
    d.Column("claim_no", "赔案号", "Claim no.", "text", 30),
    d.Column("event_no", "事件号", "Event no.", "text", 28),
    d.Column("incident_date", "出险日期", "Incident", "date", 22),
    d.Column("peril", "险种", "Peril", "text", 34),
    d.Column("street", "街道", "Street", "text", 22),
    d.Column("victim", "受助人（脱敏）", "Victim (masked)", "text", 50),
    d.Column("status", "状态", "Status", "text", 18),
    d.Column("approved", "核定金额", "Approved", "money", 28),
    d.Column("paid", "已付金额", "Paid (ledger)", "money", 28),
)


def claims_register(
    ctx: Context,
    claims: Sequence[ClaimRecord],
    perils: Mapping[str, str],
    statuses: Mapping[str, str],
    ledger_paid: Mapping[str, Fen],
    errors: Sequence[str],
) -> d.Statement:
    """理赔明细: every claim with an incident in the period, IDs masked, paid amounts from the ledger.

    Args:
        ctx: book (``insurance``), period, footer.
        claims: the claims, in claim-number order.
        perils: peril code -> Chinese label.
        statuses: status code -> Chinese label.
        ledger_paid: claim number -> paid by the ledger up to the end of the period.
        errors: differences between the claims tables and the ledger.
    """
    rows = tuple(
        (
            c.claim_no,
            c.event_no,
            c.incident_date,
            perils.get(c.peril, c.peril),
            c.street,
            f"{mask_name(c.victim_name)} {mask_resident_id(c.victim_id)}",
            statuses.get(c.status, c.status),
            c.approved_fen,
            ledger_paid.get(c.claim_no, 0),
        )
        for c in claims
    )
    table = d.Table(_CLAIM_COLUMNS, rows, d.totals_row(_CLAIM_COLUMNS, rows), "理赔明细", "Claims register")
    notes = (
        f"共 {len(rows)} 件。身份证号与姓名已脱敏；已付金额为账本中关联该赔案的付款分录之和（截至期末）。",
    )
    return _statement(
        ctx,
        "claims-register",
        ("理赔明细表", "Claims register"),
        [d.Section("", "", (table,), notes)],
        errors=errors,
    )


# ---------------------------------------------------------------------------------------------------
# Grant register.


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """One grant as the funds tables hold it.

    Args:
        grant_no: the grant number.
        grantee: the organisation's name.
        credit_code: its unified social credit code.
        project: the project.
        status: the grant status code.
        signed_on: the agreement date, if signed.
        amount_fen: the grant.
        paid_fen: what the funds tables say was paid.
        returned_fen: unspent money paid back.
    """

    grant_no: str
    grantee: str
    credit_code: str
    project: str
    status: str
    signed_on: dt.date | None
    amount_fen: Fen
    paid_fen: Fen
    returned_fen: Fen


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
    ctx: Context, grants: Sequence[GrantRecord], ledger_paid: Mapping[str, Fen], errors: Sequence[str]
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
    return _statement(
        ctx,
        "grant-register",
        ("资助项目登记表", "Grant register"),
        [d.Section("", "", (table,), notes)],
        errors=errors,
    )


# ---------------------------------------------------------------------------------------------------
# Ledger integrity certificate.

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

    def verdict(ok: bool) -> str:
        return "通过 PASS" if ok else "未通过 FAIL"

    results = (
        ("Beancount 校验（bean-check）", verdict(not report.errors), f"错误 {len(report.errors)} 项"),
        (
            "哈希链 Hash chain",
            verdict(chain.ok),
            f"{chain.count} 条分录，链头 #{chain.head_seq}，问题 {len(chain.problems)} 项",
        ),
        (
            "日记账核对 Reconciliation",
            verdict(not report.differences),
            f"日记账 {journal_count} 条，账本 {chain.count} 条；差异 {len(report.differences)} 项",
        ),
        (
            "总体结论 Overall",
            verdict(report.ok),
            "账本与数据库日记账一致且未被篡改" if report.ok else "见红色差异",
        ),
    )
    recon = []
    for account in sorted(journal_sums.keys() | ledger_sums.keys()):
        code = chart.accounts[account].code if account in chart.accounts else "?"
        j, led = journal_sums.get(account, 0), ledger_sums.get(account, 0)
        recon.append((code, account, j, led, led - j))
    recon_rows = tuple(recon)
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
    return _statement(
        ctx,
        "integrity",
        ("账本完整性证明", "Ledger integrity certificate"),
        sections,
        period_label=f"截至 {_cn_date(ctx.period.end)}",
    )


# ---------------------------------------------------------------------------------------------------
# Vouchers (记账凭证).


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
        debit, credit = _sides(posting.fen)
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
