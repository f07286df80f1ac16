"""Request and response bodies of the relief routes. Money is a decimal string (``"12345.67"``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from ledger.core.money import Fen, parse_amount

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Amount = Annotated[str, msgspec.Meta(max_length=24, description='decimal string, e.g. "12345.67"')]
MonthText = Annotated[str, msgspec.Meta(max_length=7, description="YYYY-MM")]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Category = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]

_MONEY = {
    "monthly_income": "monthly_income_fen",
    "assets": "assets_fen",
    "medical_spending": "medical_fen",
    "education_spending": "education_fen",
    "rent_spending": "rent_fen",
}


def _money(struct: msgspec.Struct, names: dict[str, str]) -> dict[str, Fen]:
    return {
        column: parse_amount(getattr(struct, name), field=name, allow_zero=True)
        for name, column in names.items()
        if getattr(struct, name) is not None
    }


class MemberIn(msgspec.Struct, forbid_unknown_fields=True):
    """A household member."""

    resident_id: Annotated[str, msgspec.Meta(min_length=1, max_length=24)]
    name: Name
    relation: Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
    joined_on: dt.date
    urban: bool = True
    able: bool = True
    categories: Annotated[list[Category], msgspec.Meta(max_length=8)] = msgspec.field(default_factory=list)


class HouseholdCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new household (户) with its members, means and bank account."""

    street: Short
    community: Short
    address: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    members: Annotated[list[MemberIn], msgspec.Meta(min_length=1, max_length=30)]
    bank_code: Short
    bank_account: Annotated[str, msgspec.Meta(pattern=r"^\d{8,32}$")]
    bank_holder: Name
    monthly_income: Amount = "0.00"
    assets: Amount = "0.00"
    medical_spending: Amount = "0.00"
    education_spending: Amount = "0.00"
    rent_spending: Amount = "0.00"

    def money_fen(self) -> dict[str, Fen]:
        """The money fields as fen columns (each refused naming its field)."""
        return _money(self, _MONEY)


class HouseholdUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Changes to a household, as of ``effective_on``, with a reason (both audited)."""

    effective_on: dt.date
    reason: Reason
    address: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    bank_code: Short | None = None
    bank_account: Annotated[str, msgspec.Meta(pattern=r"^\d{8,32}$")] | None = None
    bank_holder: Name | None = None
    monthly_income: Amount | None = None
    assets: Amount | None = None
    medical_spending: Amount | None = None
    education_spending: Amount | None = None
    rent_spending: Amount | None = None

    def changes_fen(self) -> dict[str, Any]:
        """The fields given, as columns; money in fen."""
        texts = {
            name: getattr(self, name)
            for name in ("address", "bank_code", "bank_account", "bank_holder")
            if getattr(self, name) is not None
        }
        return {**texts, **_money(self, _MONEY)}


class LeaveIn(msgspec.Struct, forbid_unknown_fields=True):
    """A member left the household, or died, on ``left_on``."""

    resident_id: Annotated[str, msgspec.Meta(min_length=1, max_length=24)]
    left_on: dt.date
    died: bool = False


class MemberView(msgspec.Struct):
    """A member; the resident ID is masked for roles that do not need it in full."""

    resident_id: str
    name: str
    relation: str
    urban: bool
    able: bool
    categories: list[str]
    joined_on: dt.date
    left_on: dt.date | None
    died: bool


class EnrolmentView(msgspec.Struct):
    """An enrolment with its eligibility reasons."""

    enrolment_no: str
    household_no: str
    programme: str
    status: str
    applied_by: str
    applied_on: dt.date
    reasons: list[dict[str, Any]]
    decided_by: str
    effective_month: str
    last_month: str
    end_reason: str
    pauses: list[list[str | None]]
    overpaid: str
    overpayment_seq: int | None


class HouseholdView(msgspec.Struct):
    """A household with its members and enrolments; the bank account is masked for some roles."""

    household_no: str
    street: str
    community: str
    address: str
    monthly_income: str
    assets: str
    medical_spending: str
    education_spending: str
    rent_spending: str
    bank_code: str
    bank_account: str
    bank_holder: str
    members: list[MemberView]
    enrolments: list[EnrolmentView]


class HouseholdSummary(msgspec.Struct):
    """A household in a list."""

    household_no: str
    street: str
    community: str
    monthly_income: str
    bank_holder: str


class ApplyIn(msgspec.Struct, forbid_unknown_fields=True):
    """An application of a household for a programme."""

    household_no: Short
    programme: Short


class ApproveIn(msgspec.Struct, forbid_unknown_fields=True):
    """The month an approved enrolment pays from."""

    effective_month: MonthText


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    """A decision's reason."""

    reason: Reason


class MonthIn(msgspec.Struct, forbid_unknown_fields=True):
    """A month a suspension or resumption starts from, with a reason."""

    month: MonthText
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class TerminateIn(msgspec.Struct, forbid_unknown_fields=True):
    """The last month an enrolment pays for, and why it ends."""

    last_month: MonthText
    reason: Reason


class CycleIn(msgspec.Struct, forbid_unknown_fields=True):
    """The programme and month to draft."""

    programme: Short
    month: MonthText


class RowView(msgspec.Struct):
    """A household's row of a cycle with the inputs it was computed from."""

    household_no: str
    amount: str
    members: int
    status: str
    failures: int
    paid_seq: int | None
    inputs: dict[str, Any]


class HistoryLine(msgspec.Struct):
    """One month of a household in one programme."""

    programme: str
    month: str
    amount: str
    members: int
    status: str
    failures: int
    paid_seq: int | None


class CycleView(msgspec.Struct):
    """A cycle: its status, declared count and total, and who drafted and approved it."""

    programme: str
    month: str
    status: str
    declared_count: int
    declared_total: str
    drafted_by: str
    approved_by: str
    first_seq: int | None
    last_seq: int | None


class BankFileIn(msgspec.Struct, forbid_unknown_fields=True):
    """Which bank to issue a batch file for."""

    bank: Short


class BankRowView(msgspec.Struct):
    """A line of a bank file."""

    row_no: int
    account_no: str
    holder: str
    amount: str
    memo: str
    result: str
    reason: str
    journal_seq: int | None


class BankFileView(msgspec.Struct):
    """A bank file: count, total and the SHA-256 of its CSV."""

    file_no: str
    bank: str
    row_count: int
    total: str
    sha256: str
    issued_by: str
    rows: list[BankRowView]


class ContentIn(msgspec.Struct, forbid_unknown_fields=True):
    """A CSV file's text (bank return file or account statement)."""

    content: Annotated[str, msgspec.Meta(min_length=1, max_length=5_000_000)]


class AppropriationIn(msgspec.Struct, forbid_unknown_fields=True):
    """An appropriation received from district finance."""

    amount: Amount
    received_on: dt.date
    reference: Short


class AppropriationView(msgspec.Struct):
    """The journal entry of an appropriation."""

    journal_seq: int


class ImportView(msgspec.Struct):
    """How many statement lines were new."""

    imported: int


class ReconciliationView(msgspec.Struct):
    """The statement against the ledger's bank account; what is unmatched on either side."""

    matched: list[dict[str, Any]]
    statement_only: list[dict[str, Any]]
    ledger_only: list[dict[str, Any]]
    statement_total: str
    ledger_total: str
    balanced: bool
