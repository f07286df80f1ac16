"""The insurance programme: premium, claims by peril, loss ratio, limit usage; the claims register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ledger.core.ids import mask_resident_id
from ledger.core.money import Fen, format_cny
from ledger.reports import documents as d
from ledger.reports.domain.context import Context, new_statement


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


def _peril_rows(data: Programme) -> tuple[tuple[str, int, Fen, Fen, Fen, Fen], ...]:
    """Per peril: decided claims, approved, paid by the ledger, outstanding, and the ledger's expense."""
    by_peril: dict[str, list[int]] = {code: [0, 0, 0] for code in data.perils}
    for claim in data.claims:
        if not claim.decided:
            continue
        row = by_peril.setdefault(claim.peril, [0, 0, 0])
        row[0] += 1
        row[1] += claim.approved_fen
        row[2] += data.ledger_paid.get(claim.claim_no, 0)
    return tuple(
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


def insurance_programme(ctx: Context, data: Programme, errors: Sequence[str]) -> d.Statement:
    """Insurance programme statement: premium, claims by peril, loss ratio and limit usage.

    Args:
        ctx: book (``insurance``), period, footer.
        data: the figures.
        errors: claim-by-claim differences between the claims tables and the ledger.
    """
    peril_rows = _peril_rows(data)
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
    return new_statement(
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
    return new_statement(
        ctx,
        "claims-register",
        ("理赔明细表", "Claims register"),
        [d.Section("", "", (table,), notes)],
        errors=errors,
    )
