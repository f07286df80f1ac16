"""Pure rules of the relief programmes: months, who counts in a month, the monthly amount of each programme,
eligibility with its reasons, the enrolment and cycle status machines, overpayments and the postings.

Plain values in (integer fen, dates, months, the programme with its rates), values or a named error out.
No database, no web, no clock, no Beancount.

Who is paid for which month: an enrolment pays every month from its effective month up to and including
the month it ends (termination or the death of its last member), except months it is suspended. A member
counts in every month from the month they joined up to and including the month they left or died. A
rate applies from its month (``Programme.rate_on``). Nothing is prorated within a month.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ledger.core.entries import Posting
from ledger.core.errors import FourEyesViolation, IllegalTransition, InvalidInput
from ledger.core.money import Fen, format_amount
from ledger.relief.errors import DeclaredTotalsDiffer, EffectiveMonthTooEarly, NotEligible
from ledger.relief.programmes import ExpenditureTest, Programme, ProgrammeKind, Rate

BANK_ACCOUNT = "Assets:Relief:Bank"
PAYABLE_ACCOUNT = "Liabilities:Relief:Payable"
RECOVERABLE_ACCOUNT = "Assets:Relief:Recoverable"
APPROPRIATION_ACCOUNT = "Income:Relief:Appropriation"

SUBSISTENCE_KINDS = frozenset({ProgrammeKind.GAP, ProgrammeKind.BASIC_AND_CARE})
"""Programmes a household may be in only one of at a time (not 低保 and 特困 at once)."""

_MONTH = re.compile(r"(\d{4})-(\d{2})")


# -- Months ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month, the unit every relief amount is paid for."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str, *, field: str = "month") -> Month:
        """``"2026-03"`` -> ``Month(2026, 3)``.

        Raises:
            InvalidInput: naming ``field`` when the text is not ``YYYY-MM`` with a month 01..12.
        """
        found = _MONTH.fullmatch(text.strip())
        if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
            raise InvalidInput(f"{field} must be YYYY-MM, got {text!r}", field=field, rule="YYYY-MM")
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        """The month ``day`` falls in."""
        return cls(day.year, day.month)

    @property
    def start(self) -> dt.date:
        """Its first day."""
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """Its last day."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Month:
        """The month after."""
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months(first: Month, last: Month) -> list[Month]:
    """Every month from ``first`` to ``last``, both included (empty if ``last`` is earlier)."""
    found: list[Month] = []
    month = first
    while month <= last:
        found.append(month)
        month = month.next()
    return found


# -- The household as the rules see it --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """A household member as the rules need them.

    Args:
        resident_id: the canonical resident ID.
        name: the name.
        urban: urban (``True``) or rural residence; decides the 特困 care allowance.
        able: able to look after themselves; ``False`` earns the 特困 care allowance.
        categories: supplement or benefit categories (``severe_disability``, ``aged_80``, ``pupil``).
        joined: the day they joined the household.
        left: the day they left or died, if they did.
    """

    resident_id: str
    name: str
    urban: bool
    able: bool
    categories: frozenset[str]
    joined: dt.date
    left: dt.date | None = None

    def counts_in(self, month: Month) -> bool:
        """Whether the member counts in ``month``: joined by its end, not gone before its start."""
        return self.joined <= month.end and (self.left is None or self.left >= month.start)


@dataclass(frozen=True, slots=True)
class Household:
    """A household (户) as the rules need it.

    Args:
        household_no: its number.
        members: every member ever registered, gone ones included.
        monthly_income_fen: the assessed monthly income of the whole household.
        rigid_spending_fen: rigid spending (medical, education, rent) over the last 12 months.
    """

    household_no: str
    members: tuple[Member, ...]
    monthly_income_fen: Fen
    rigid_spending_fen: Fen = 0

    def members_in(self, month: Month) -> tuple[Member, ...]:
        """The members counting in ``month``."""
        return tuple(m for m in self.members if m.counts_in(month))


# -- Amounts -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Part:
    """One line of how a monthly amount came about.

    Args:
        code: ``standard``, ``income``, ``supplement:<category>``, ``care_urban``, ``care_rural``,
            ``per_member``.
        fen: its signed contribution.
        count: how many members it is for (0 for the income deduction).
    """

    code: str
    fen: Fen
    count: int


@dataclass(frozen=True, slots=True)
class Amount:
    """A household's amount for one month of one programme, with the inputs it was computed from.

    Args:
        fen: what is paid (0 when nothing is due).
        members: how many members counted.
        rate_from: the first day of the rate applied.
        parts: how it came about; they sum to ``fen`` unless the gap was floored at 0.
    """

    fen: Fen
    members: int
    rate_from: dt.date
    parts: tuple[Part, ...]


def monthly_amount(programme: Programme, household: Household, month: Month) -> Amount:
    """What ``household`` is due from ``programme`` for ``month`` (before enrolment dates are looked at).

    低保 (``gap``): standard x members - monthly income; 0 when that is not above 0 (the household no
    longer passes the income test); otherwise plus each counted member's supplements. 特困
    (``basic_and_care``): standard per member plus the urban or rural care allowance per member unable
    to look after themselves. ``per_member``: the standard for each member in the programme's category.

    Raises:
        InvalidInput: ``field="month"`` for a month before the programme's first rate;
            ``field="monthly_income"`` for a negative income.
    """
    if household.monthly_income_fen < 0:
        raise InvalidInput("income must not be negative", field="monthly_income", rule=">= 0")
    rate = programme.rate_on(month.start)
    present = household.members_in(month)
    parts = _parts(programme, rate, present, household.monthly_income_fen)
    total = sum(part.fen for part in parts)
    if programme.kind is ProgrammeKind.GAP:
        gap = sum(p.fen for p in parts if not p.code.startswith("supplement:"))
        total = total if gap > 0 else 0
    return Amount(fen=max(total, 0), members=len(present), rate_from=rate.starts, parts=parts)


def _parts(programme: Programme, rate: Rate, present: Sequence[Member], income: Fen) -> tuple[Part, ...]:
    n = len(present)
    if programme.kind is ProgrammeKind.PER_MEMBER:
        eligible = sum(1 for m in present if programme.member_category in m.categories)
        return (Part("per_member", rate.standard_fen * eligible, eligible),)
    parts = [Part("standard", rate.standard_fen * n, n)]
    if programme.kind is ProgrammeKind.GAP:
        parts.append(Part("income", -income, 0))
        for category, fen in sorted(rate.supplements.items()):
            count = sum(1 for m in present if category in m.categories)
            if count:
                parts.append(Part(f"supplement:{category}", fen * count, count))
        return tuple(parts)
    urban = sum(1 for m in present if not m.able and m.urban)
    rural = sum(1 for m in present if not m.able and not m.urban)
    if urban:
        parts.append(Part("care_urban", rate.care_urban_fen * urban, urban))
    if rural:
        parts.append(Part("care_rural", rate.care_rural_fen * rural, rural))
    return tuple(parts)


# -- Eligibility -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    """One eligibility rule and whether the household passes it.

    Args:
        rule: ``members``, ``income_test``, ``expenditure_test``, ``category``,
            ``one_household_per_person``, ``one_subsistence_programme``.
        passed: whether it is met.
        detail: the figures, in words.
    """

    rule: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The outcome of the eligibility check: every rule looked at, with its reason."""

    reasons: tuple[Reason, ...]

    @property
    def eligible(self) -> bool:
        """Whether every rule passes."""
        return all(r.passed for r in self.reasons)

    def refuse_unless_eligible(self) -> None:
        """Raise ``NotEligible`` naming the first failed rule and listing all failed ones."""
        failed = [r for r in self.reasons if not r.passed]
        if failed:
            raise NotEligible(
                "not eligible: " + "; ".join(f"{r.rule}: {r.detail}" for r in failed),
                field="household_no",
                rule=failed[0].rule,
            )


def check_eligibility(
    programme: Programme,
    household: Household,
    month: Month,
    *,
    test: ExpenditureTest,
    elsewhere: Iterable[str] = (),
    enrolled_in: Iterable[Programme] = (),
) -> Eligibility:
    """Check ``household`` against ``programme`` for ``month``, giving a reason for every rule.

    Args:
        programme: the programme applied for.
        household: the household.
        month: the month the enrolment would start.
        test: the 支出型困难家庭 test (applies to the programme it names, when the income test fails).
        elsewhere: resident IDs of counted members that are current members of another household.
        enrolled_in: programmes the household is enrolled in (applied, active or suspended).
    """
    present = household.members_in(month)
    n = len(present)
    reasons = [Reason("members", n > 0, f"{n} member(s) in {month}")]
    rate = programme.rate_on(month.start)
    if programme.kind in SUBSISTENCE_KINDS and n:
        income, line = household.monthly_income_fen, rate.standard_fen * n
        passed = income < line
        reasons.append(
            Reason(
                "income_test",
                passed,
                f"monthly income {format_amount(income)} {'<' if passed else '>='} "
                f"{format_amount(rate.standard_fen)} x {n} = {format_amount(line)}",
            )
        )
        if not passed and test.treated_as == programme.code:
            net = income * 12 - household.rigid_spending_fen
            ok = net < line * 12
            reasons[-1] = Reason(
                "expenditure_test",
                ok,
                f"12 months' income {format_amount(income * 12)} - rigid spending "
                f"{format_amount(household.rigid_spending_fen)} = {format_amount(net)} "
                f"{'<' if ok else '>='} {format_amount(line)} x 12",
            )
    if programme.kind is ProgrammeKind.PER_MEMBER:
        count = sum(1 for m in present if programme.member_category in m.categories)
        reasons.append(Reason("category", count > 0, f"{count} member(s) in {programme.member_category}"))
    duplicates = sorted(set(elsewhere))
    reasons.append(
        Reason(
            "one_household_per_person",
            not duplicates,
            f"{len(duplicates)} member(s) also current in another household",
        )
    )
    clashes = [
        p.code
        for p in enrolled_in
        if p.code == programme.code or (p.kind in SUBSISTENCE_KINDS and programme.kind in SUBSISTENCE_KINDS)
    ]
    reasons.append(
        Reason(
            "one_subsistence_programme",
            not clashes,
            "already enrolled in " + ", ".join(clashes) if clashes else "no conflicting enrolment",
        )
    )
    return Eligibility(tuple(reasons))


# -- Enrolment ---------------------------------------------------------------------------------------


class EnrolmentStatus(StrEnum):
    """Where an enrolment stands."""

    APPLIED = "applied"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class EnrolmentAction(StrEnum):
    """What can be done to an enrolment."""

    APPROVE = "approve"
    REJECT = "reject"
    SUSPEND = "suspend"
    RESUME = "resume"
    TERMINATE = "terminate"


ENROLMENT_MOVES: dict[tuple[EnrolmentStatus, EnrolmentAction], EnrolmentStatus] = {
    (EnrolmentStatus.APPLIED, EnrolmentAction.APPROVE): EnrolmentStatus.ACTIVE,
    (EnrolmentStatus.APPLIED, EnrolmentAction.REJECT): EnrolmentStatus.REJECTED,
    (EnrolmentStatus.ACTIVE, EnrolmentAction.SUSPEND): EnrolmentStatus.SUSPENDED,
    (EnrolmentStatus.SUSPENDED, EnrolmentAction.RESUME): EnrolmentStatus.ACTIVE,
    (EnrolmentStatus.ACTIVE, EnrolmentAction.TERMINATE): EnrolmentStatus.TERMINATED,
    (EnrolmentStatus.SUSPENDED, EnrolmentAction.TERMINATE): EnrolmentStatus.TERMINATED,
}
"""Every allowed enrolment move."""

OPEN_ENROLMENTS = (EnrolmentStatus.APPLIED, EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED)
"""Enrolments that block another in the same or a clashing programme."""


def enrolment_move(current: str, action: EnrolmentAction) -> EnrolmentStatus:
    """The status after ``action``.

    Raises:
        IllegalTransition: ``field="status"`` when ``current`` does not allow it.
    """
    status = EnrolmentStatus(current)
    moved = ENROLMENT_MOVES.get((status, action))
    if moved is None:
        raise IllegalTransition(
            f"an enrolment that is {status.value} cannot be {action.value}d",
            field="status",
            rule=f"{action.value} from " + ", ".join(s.value for (s, a) in ENROLMENT_MOVES if a is action),
        )
    return moved


def check_effective_month(effective: Month, applied_on: dt.date) -> Month:
    """The effective month of an approval: not before the month of the application."""
    if effective < Month.of(applied_on):
        raise EffectiveMonthTooEarly(
            f"effective month {effective} is before the application's month {Month.of(applied_on)}",
            field="effective_month",
            rule="on or after the month of the application",
        )
    return effective


@dataclass(frozen=True, slots=True)
class Pause:
    """A suspension: from its first month up to (not including) the month it was resumed, if it was."""

    first: Month
    resumed: Month | None = None


def pays_in(month: Month, *, effective: Month, last: Month | None, pauses: Iterable[Pause] = ()) -> bool:
    """Whether an approved enrolment pays for ``month``.

    Args:
        month: the month.
        effective: its first month.
        last: the month it ended in (paid in full), or ``None`` while it runs.
        pauses: its suspensions.
    """
    if month < effective or (last is not None and month > last):
        return False
    return not any(p.first <= month and (p.resumed is None or month < p.resumed) for p in pauses)


def check_four_eyes(preparer: str, approver: str, what: str) -> None:
    """Whoever prepared ``what`` may not approve it.

    Raises:
        FourEyesViolation: ``field="approver"``.
    """
    if preparer == approver:
        raise FourEyesViolation(
            f"{approver!r} prepared this {what} and may not approve it",
            field="approver",
            rule="four eyes: preparer and approver differ",
        )


# -- Payroll cycles ----------------------------------------------------------------------------------


class CycleStatus(StrEnum):
    """Where a programme's month of payments stands."""

    DRAFT = "draft"
    APPROVED = "approved"
    ISSUED = "issued"
    PARTLY_FAILED = "partly_failed"
    PAID = "paid"
    CLOSED = "closed"


class RowStatus(StrEnum):
    """Where one household's payment of a cycle stands."""

    PAYABLE = "payable"
    IN_FILE = "in_file"
    PAID = "paid"
    WITHHELD = "withheld"
    """Owed when the cycle was approved, no longer due (the household ended before its month) and not
    yet in a bank file: its accrual is reversed and it is never paid."""


SETTLED_ROWS = (RowStatus.PAID, RowStatus.WITHHELD)
"""Rows that need nothing more: a cycle whose rows are all settled is paid."""


def settled_status(current: str, row_statuses: Iterable[str], failed: int) -> CycleStatus:
    """The status of an approved cycle after some of its rows changed (a return file read, a row
    withheld): paid when every row is paid or withheld; partly failed while a failed row waits for a
    later file; otherwise as it was, except that a partly failed cycle whose failed rows are all in a
    new file is issued again.

    Args:
        current: its status now (approved, issued or partly failed).
        row_statuses: the status of each of its rows.
        failed: how many of its rows the bank failed that wait (payable) for a later file.
    """
    if all(s in SETTLED_ROWS for s in row_statuses):
        return CycleStatus.PAID
    if failed:
        return CycleStatus.PARTLY_FAILED
    status = CycleStatus(current)
    return CycleStatus.ISSUED if status is CycleStatus.PARTLY_FAILED else status


def check_declared(count: int, total: Fen, rows: Sequence[Fen], what: str) -> None:
    """The declared count and total of a cycle must equal ``rows`` (the stored rows, the postings or the
    bank file) to the fen.

    Raises:
        DeclaredTotalsDiffer: naming ``what`` and both figures.
    """
    if (len(rows), sum(rows)) != (count, total):
        raise DeclaredTotalsDiffer(
            f"{what}: {len(rows)} rows, {format_amount(sum(rows))}; declared {count} rows, "
            f"{format_amount(total)}",
            field="declared",
            rule="count and total equal to the fen",
        )


# -- Overpayment -------------------------------------------------------------------------------------


def overpaid(paid: Iterable[tuple[Month, Fen]], due: Mapping[Month, Fen], last: Month) -> Fen:
    """What was paid for months after ``last`` above what is due for them now: to recover.

    Args:
        paid: ``(month, fen)`` of each row the bank paid.
        due: what is due for each month now (0 or absent for a month no longer paid for).
        last: the last month the change leaves untouched (the month of the death or departure).
    """
    return sum(max(fen - due.get(month, 0), 0) for month, fen in paid if month > last)


# -- Postings ----------------------------------------------------------------------------------------


def _positive(fen: Fen) -> Fen:
    if fen <= 0:
        raise InvalidInput("an amount posted must be above 0", field="amount", rule="> 0")
    return fen


def accrual_postings(expense_account: str, fen: Fen) -> tuple[Posting, ...]:
    """A household's amount for a month, owed once the cycle is approved: Dr expense / Cr payable."""
    amount = _positive(fen)
    return (Posting(expense_account, amount), Posting(PAYABLE_ACCOUNT, -amount))


def paid_postings(fen: Fen) -> tuple[Posting, ...]:
    """The bank paid a household's row: Dr payable / Cr bank."""
    amount = _positive(fen)
    return (Posting(PAYABLE_ACCOUNT, amount), Posting(BANK_ACCOUNT, -amount))


def overpayment_postings(expense_account: str, fen: Fen) -> tuple[Posting, ...]:
    """Months paid after the enrolment ended become a receivable: Dr recoverable / Cr expense."""
    amount = _positive(fen)
    return (Posting(RECOVERABLE_ACCOUNT, amount), Posting(expense_account, -amount))


def withheld_postings(expense_account: str, fen: Fen) -> tuple[Posting, ...]:
    """A payable row no longer due is withheld: its accrual reversed, Dr payable / Cr expense."""
    amount = _positive(fen)
    return (Posting(PAYABLE_ACCOUNT, amount), Posting(expense_account, -amount))


def appropriation_postings(fen: Fen) -> tuple[Posting, ...]:
    """District finance's appropriation received: Dr bank / Cr appropriation income."""
    amount = _positive(fen)
    return (Posting(BANK_ACCOUNT, amount), Posting(APPROPRIATION_ACCOUNT, -amount))
