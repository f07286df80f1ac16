"""Tables of the relief domain: households and members, enrolments, monthly cycles with their frozen
rows, bank files with their rows, and imported bank statement lines. Money is integer fen (``BigInt``);
financial rows are never deleted (every foreign key is ``ON DELETE RESTRICT``).

Uniqueness the database itself enforces (single columns, as SQLite refuses Piccolo's composite ones):
``ReliefMember.current_key`` (a resident ID is a current member of one household at most),
``ReliefCycle.cycle_key`` (``<programme>:<month>``: a month of a programme exists once),
``ReliefRow.row_key`` (``<programme>:<month>:<household>``) and ``ReliefBankRow.live_key`` (a row is in
at most one bank file that has not failed it: never paid twice).
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.table import Table


def _restrict(table: type[Table]) -> ForeignKey[Any]:
    return ForeignKey(references=table, on_delete=OnDelete.restrict, on_update=OnUpdate.restrict)


class ReliefHousehold(Table, tablename="relief_household"):
    """A household (户): where it lives, what it earns and owns, its rigid spending and its bank account."""

    id = Serial(primary_key=True)
    household_no = Varchar(length=20, unique=True)
    street = Varchar(length=32, index=True)
    community = Varchar(length=64)
    address = Varchar(length=200)
    monthly_income_fen = BigInt()
    assets_fen = BigInt()
    medical_fen = BigInt()
    education_fen = BigInt()
    rent_fen = BigInt()
    bank_code = Varchar(length=16)
    bank_account = Varchar(length=32)
    bank_holder = Varchar(length=100)
    registered_by = Varchar(length=64)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReliefMember(Table, tablename="relief_member"):
    """A member of a household; ``left_on`` is the day they left or died (``died`` says which)."""

    id = Serial(primary_key=True)
    household = _restrict(ReliefHousehold)
    resident_id = Varchar(length=18, index=True)
    current_key = Varchar(length=18, unique=True, null=True, default=None)
    name = Varchar(length=100)
    relation = Varchar(length=16)
    urban = Boolean()
    able = Boolean()
    categories = Varchar(length=200, default="")
    joined_on = Date()
    left_on = Date(null=True, default=None)
    died = Boolean(default=False)


class ReliefEnrolment(Table, tablename="relief_enrolment"):
    """A household's enrolment in a programme, from application to termination; ``status`` is a
    ``domain.EnrolmentStatus``; ``checks`` the eligibility reasons as JSON; ``pauses`` the suspensions
    as JSON ``[[first, resumed or null], ...]``."""

    id = Serial(primary_key=True)
    enrolment_no = Varchar(length=20, unique=True)
    household = _restrict(ReliefHousehold)
    programme = Varchar(length=32, index=True)
    status = Varchar(length=16, index=True)
    applied_by = Varchar(length=64)
    applied_on = Date()
    checks = Text(default="[]")
    decided_by = Varchar(length=64, default="")
    effective_month = Varchar(length=7, default="")
    last_month = Varchar(length=7, default="")
    end_reason = Varchar(length=200, default="")
    pauses = Text(default="[]")
    overpaid_fen = BigInt(default=0)
    overpayment_seq = BigInt(null=True, default=None)
    updated_at = Timestamptz()


class ReliefCycle(Table, tablename="relief_cycle"):
    """A programme's payroll for one month; ``status`` is a ``domain.CycleStatus``. Its approval posted
    one entry per row, in household-number order, numbered ``first_seq`` to ``last_seq``."""

    id = Serial(primary_key=True)
    cycle_key = Varchar(length=48, unique=True)
    programme = Varchar(length=32, index=True)
    month = Varchar(length=7, index=True)
    status = Varchar(length=16, index=True)
    declared_count = Integer()
    declared_fen = BigInt()
    drafted_by = Varchar(length=64)
    drafted_at = Timestamptz()
    approved_by = Varchar(length=64, default="")
    approved_at = Timestamptz(null=True, default=None)
    first_seq = BigInt(null=True, default=None)
    last_seq = BigInt(null=True, default=None)


class ReliefRow(Table, tablename="relief_row"):
    """One household's amount in a cycle, with the inputs it was computed from (frozen JSON), and where
    its payment stands (``domain.RowStatus``)."""

    id = Serial(primary_key=True)
    row_key = Varchar(length=72, unique=True)
    cycle = _restrict(ReliefCycle)
    enrolment = _restrict(ReliefEnrolment)
    household = _restrict(ReliefHousehold)
    household_no = Varchar(length=20, index=True)
    amount_fen = BigInt()
    members = Integer()
    inputs = Text()
    status = Varchar(length=16, index=True)
    failures = Integer(default=0)
    paid_seq = BigInt(null=True, default=None)


class ReliefBankFile(Table, tablename="relief_bank_file"):
    """A batch payment file sent to a bank: its rows' count and total, and the SHA-256 of the CSV."""

    id = Serial(primary_key=True)
    file_no = Varchar(length=24, unique=True)
    bank_code = Varchar(length=16)
    row_count = Integer()
    total_fen = BigInt()
    sha256 = Varchar(length=64)
    content = Text()
    issued_by = Varchar(length=64)
    issued_at = Timestamptz()
    returned_at = Timestamptz(null=True, default=None)


class ReliefBankRow(Table, tablename="relief_bank_row"):
    """One line of a bank file; ``result`` is ``pending``, ``paid`` or ``failed``."""

    id = Serial(primary_key=True)
    bank_file = _restrict(ReliefBankFile)
    row_no = Integer()
    row = _restrict(ReliefRow)
    live_key = BigInt(unique=True, null=True, default=None)
    account_no = Varchar(length=32)
    holder = Varchar(length=100)
    amount_fen = BigInt()
    memo = Varchar(length=100)
    result = Varchar(length=16, default="pending")
    reason = Varchar(length=200, default="")
    journal_seq = BigInt(null=True, default=None)


class ReliefStatementLine(Table, tablename="relief_statement_line"):
    """A line of the relief bank account's statement, as imported (signed fen: credits positive)."""

    id = Serial(primary_key=True)
    line_key = Varchar(length=64, unique=True)
    booked_on = Date(index=True)
    fen = BigInt()
    reference = Varchar(length=64)
    description = Varchar(length=200)
    imported_by = Varchar(length=64)
    imported_at = Timestamptz()
