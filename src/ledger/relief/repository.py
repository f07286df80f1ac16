"""Every query of the relief tables. Rows come back as typed records (frozen msgspec Structs); money is
integer fen and is summed in Python, never in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

import msgspec
from piccolo.table import Table

from ledger.relief.tables import (
    ReliefBankFile,
    ReliefBankRow,
    ReliefCycle,
    ReliefEnrolment,
    ReliefHousehold,
    ReliefMember,
    ReliefRow,
    ReliefStatementLine,
)

R = TypeVar("R", bound=msgspec.Struct)


class HouseholdRecord(msgspec.Struct, frozen=True):
    """A stored household."""

    id: int
    household_no: str
    street: str
    community: str
    address: str
    monthly_income_fen: int
    assets_fen: int
    medical_fen: int
    education_fen: int
    rent_fen: int
    bank_code: str
    bank_account: str
    bank_holder: str
    registered_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


class MemberRecord(msgspec.Struct, frozen=True):
    """A stored member; ``categories`` is comma-separated."""

    id: int
    household: int
    resident_id: str
    name: str
    relation: str
    urban: bool
    able: bool
    categories: str
    joined_on: dt.date
    left_on: dt.date | None
    died: bool


class EnrolmentRecord(msgspec.Struct, frozen=True):
    """A stored enrolment; ``checks`` and ``pauses`` are JSON."""

    id: int
    enrolment_no: str
    household: int
    programme: str
    status: str
    applied_by: str
    applied_on: dt.date
    checks: str
    decided_by: str
    effective_month: str
    last_month: str
    end_reason: str
    pauses: str
    overpaid_fen: int
    overpayment_seq: int | None
    updated_at: dt.datetime


class CycleRecord(msgspec.Struct, frozen=True):
    """A stored payroll cycle."""

    id: int
    cycle_key: str
    programme: str
    month: str
    status: str
    declared_count: int
    declared_fen: int
    drafted_by: str
    drafted_at: dt.datetime
    approved_by: str
    approved_at: dt.datetime | None
    first_seq: int | None
    last_seq: int | None


class RowRecord(msgspec.Struct, frozen=True):
    """A household's row of a cycle; ``inputs`` is the frozen JSON it was computed from."""

    id: int
    row_key: str
    cycle: int
    enrolment: int
    household: int
    household_no: str
    amount_fen: int
    members: int
    inputs: str
    status: str
    failures: int
    paid_seq: int | None


class BankFileRecord(msgspec.Struct, frozen=True):
    """A stored bank file with its CSV content."""

    id: int
    file_no: str
    bank_code: str
    row_count: int
    total_fen: int
    sha256: str
    content: str
    issued_by: str
    issued_at: dt.datetime
    returned_at: dt.datetime | None


class BankRowRecord(msgspec.Struct, frozen=True):
    """A line of a bank file."""

    id: int
    bank_file: int
    row_no: int
    row: int
    live_key: int | None
    account_no: str
    holder: str
    amount_fen: int
    memo: str
    result: str
    reason: str
    journal_seq: int | None


class StatementLineRecord(msgspec.Struct, frozen=True):
    """An imported bank statement line (credits positive)."""

    id: int
    line_key: str
    booked_on: dt.date
    fen: int
    reference: str
    description: str
    imported_by: str
    imported_at: dt.datetime


def _as(record: type[R], row: dict[str, Any]) -> R:
    return msgspec.convert(row, record, strict=False)


def _all(record: type[R], rows: Sequence[dict[str, Any]]) -> list[R]:
    return [_as(record, row) for row in rows]


INSERT_CHUNK = 1000
"""Rows inserted per statement: asyncpg binds at most 32,767 values to one statement."""


async def _insert_many(table: type[Table], rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), INSERT_CHUNK):
        await table.insert(*[table(**r) for r in rows[start : start + INSERT_CHUNK]])


async def _insert(table: type[Table], **values: Any) -> int:
    rows = await table.insert(table(**values)).returning(table._meta.primary_key)
    return int(rows[0]["id"])


async def _update(table: type[Table], row_id: int, values: dict[str, Any]) -> None:
    await table.update({getattr(table, k): v for k, v in values.items()}).where(
        table._meta.primary_key == row_id
    )


class HouseholdRepository:
    """Households and their members."""

    async def add(self, **values: Any) -> int:
        """Insert a household; return its id."""
        return await _insert(ReliefHousehold, **values)

    async def count(self) -> int:
        """How many households are registered."""
        return int(await ReliefHousehold.count())

    async def by_no(self, household_no: str) -> HouseholdRecord | None:
        """The household ``household_no``."""
        row = await ReliefHousehold.select().where(ReliefHousehold.household_no == household_no).first()
        return _as(HouseholdRecord, row) if row else None

    async def by_ids(self, ids: Sequence[int]) -> dict[int, HouseholdRecord]:
        """Households by id."""
        if not ids:
            return {}
        rows = await ReliefHousehold.select().where(ReliefHousehold.id.is_in(list(ids)))
        return {r.id: r for r in _all(HouseholdRecord, rows)}

    async def page(
        self, street: str | None, limit: int, offset: int, text: str | None = None
    ) -> tuple[list[HouseholdRecord], int]:
        """Households by number, optionally of one street, and how many match.

        Args:
            street: only this street's households.
            limit: at most this many.
            offset: after skipping this many.
            text: only the household with this number, or with a member of this full resident ID or
                whose name contains it.
        """
        query = ReliefHousehold.select().order_by(ReliefHousehold.household_no)
        counting = ReliefHousehold.count()
        if street:
            query = query.where(ReliefHousehold.street == street)
            counting = counting.where(ReliefHousehold.street == street)
        if text:
            members = await ReliefMember.select(ReliefMember.household).where(
                (ReliefMember.resident_id == text.upper()) | ReliefMember.name.like(f"%{text}%")
            )
            found = (ReliefHousehold.household_no == text) | ReliefHousehold.id.is_in(
                [m["household"] for m in members] or [0]
            )
            query = query.where(found)
            counting = counting.where(found)
        rows = await query.limit(limit).offset(offset)
        return _all(HouseholdRecord, rows), int(await counting)

    async def update(self, household_id: int, values: dict[str, Any]) -> None:
        """Change a household's columns."""
        await _update(ReliefHousehold, household_id, values)

    async def add_members(self, members: Sequence[dict[str, Any]]) -> None:
        """Insert members (each with its ``household`` id)."""
        await _insert_many(ReliefMember, members)

    async def members_of(self, household_ids: Sequence[int]) -> dict[int, list[MemberRecord]]:
        """Members of each household, in the order they were registered."""
        found: dict[int, list[MemberRecord]] = {i: [] for i in household_ids}
        if not household_ids:
            return found
        rows = (
            await ReliefMember.select()
            .where(ReliefMember.household.is_in(list(household_ids)))
            .order_by(ReliefMember.id)
        )
        for member in _all(MemberRecord, rows):
            found[member.household].append(member)
        return found

    async def current_elsewhere(self, resident_ids: Sequence[str], household_id: int) -> list[str]:
        """Which of ``resident_ids`` are current members of a household other than ``household_id``."""
        if not resident_ids:
            return []
        rows = await ReliefMember.select(ReliefMember.current_key).where(
            ReliefMember.current_key.is_in(list(resident_ids)) & (ReliefMember.household != household_id)
        )
        return sorted(str(r["current_key"]) for r in rows)

    async def member_left(self, member_id: int, left_on: dt.date, died: bool) -> None:
        """Record that a member left (or died) on ``left_on``; they are no longer current anywhere."""
        await _update(ReliefMember, member_id, {"left_on": left_on, "died": died, "current_key": None})


class EnrolmentRepository:
    """Enrolments."""

    async def add(self, **values: Any) -> int:
        """Insert an enrolment; return its id."""
        return await _insert(ReliefEnrolment, **values)

    async def count(self) -> int:
        """How many enrolments exist."""
        return int(await ReliefEnrolment.count())

    async def by_no(self, enrolment_no: str) -> EnrolmentRecord | None:
        """The enrolment ``enrolment_no``."""
        row = await ReliefEnrolment.select().where(ReliefEnrolment.enrolment_no == enrolment_no).first()
        return _as(EnrolmentRecord, row) if row else None

    async def of_household(self, household_id: int) -> list[EnrolmentRecord]:
        """Every enrolment of a household, oldest first."""
        rows = (
            await ReliefEnrolment.select()
            .where(ReliefEnrolment.household == household_id)
            .order_by(ReliefEnrolment.id)
        )
        return _all(EnrolmentRecord, rows)

    async def in_programme(self, programme: str, statuses: Sequence[str]) -> list[EnrolmentRecord]:
        """The programme's enrolments in ``statuses``."""
        rows = (
            await ReliefEnrolment.select()
            .where((ReliefEnrolment.programme == programme) & ReliefEnrolment.status.is_in(list(statuses)))
            .order_by(ReliefEnrolment.id)
        )
        return _all(EnrolmentRecord, rows)

    async def with_status(self, status: str) -> list[EnrolmentRecord]:
        """Every enrolment in ``status``, oldest first."""
        query = ReliefEnrolment.select().where(ReliefEnrolment.status == status)
        rows = await query.order_by(ReliefEnrolment.id)
        return _all(EnrolmentRecord, rows)

    async def update(self, enrolment_id: int, values: dict[str, Any]) -> None:
        """Change an enrolment's columns."""
        await _update(ReliefEnrolment, enrolment_id, values)


class CycleRepository:
    """Cycles and their rows."""

    async def add(self, **values: Any) -> int | None:
        """Insert a cycle; ``None`` when its ``cycle_key`` exists already (the month is drafted)."""
        rows = (
            await ReliefCycle.insert(ReliefCycle(**values))
            .on_conflict(target=ReliefCycle.cycle_key, action="DO NOTHING")
            .returning(ReliefCycle.id)
        )
        return int(rows[0]["id"]) if rows else None

    async def by_key(self, cycle_key: str) -> CycleRecord | None:
        """The cycle ``<programme>:<month>``."""
        row = await ReliefCycle.select().where(ReliefCycle.cycle_key == cycle_key).first()
        return _as(CycleRecord, row) if row else None

    async def by_ids(self, ids: Sequence[int]) -> dict[int, CycleRecord]:
        """Cycles by id."""
        if not ids:
            return {}
        rows = await ReliefCycle.select().where(ReliefCycle.id.is_in(list(ids)))
        return {r.id: r for r in _all(CycleRecord, rows)}

    async def update(self, cycle_id: int, values: dict[str, Any]) -> None:
        """Change a cycle's columns."""
        await _update(ReliefCycle, cycle_id, values)

    async def add_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert a cycle's rows in one statement."""
        await _insert_many(ReliefRow, rows)

    async def rows(self, cycle_id: int) -> list[RowRecord]:
        """A cycle's rows by household number."""
        rows = await ReliefRow.select().where(ReliefRow.cycle == cycle_id).order_by(ReliefRow.household_no)
        return _all(RowRecord, rows)

    async def rows_by_ids(self, ids: Sequence[int]) -> dict[int, RowRecord]:
        """Rows by id."""
        if not ids:
            return {}
        rows = await ReliefRow.select().where(ReliefRow.id.is_in(list(ids)))
        return {r.id: r for r in _all(RowRecord, rows)}

    async def payable_rows(self, cycle_ids: Sequence[int]) -> list[RowRecord]:
        """Rows of these cycles that wait for a bank file, oldest first."""
        if not cycle_ids:
            return []
        rows = (
            await ReliefRow.select()
            .where(ReliefRow.cycle.is_in(list(cycle_ids)) & (ReliefRow.status == "payable"))
            .order_by(ReliefRow.id)
        )
        return _all(RowRecord, rows)

    async def cycles_in(self, statuses: Sequence[str]) -> list[CycleRecord]:
        """Cycles in ``statuses``, oldest first."""
        rows = (
            await ReliefCycle.select()
            .where(ReliefCycle.status.is_in(list(statuses)))
            .order_by(ReliefCycle.id)
        )
        return _all(CycleRecord, rows)

    async def rows_of_enrolment(self, enrolment_id: int) -> list[tuple[str, str, RowRecord]]:
        """``(month, cycle status, row)`` for each row of an enrolment."""
        rows = (
            await ReliefRow.select(
                *ReliefRow.all_columns(),
                ReliefRow.cycle.month.as_alias("cycle_month"),
                ReliefRow.cycle.status.as_alias("cycle_status"),
            )
            .where(ReliefRow.enrolment == enrolment_id)
            .order_by(ReliefRow.id)
        )
        return [(str(r.pop("cycle_month")), str(r.pop("cycle_status")), _as(RowRecord, r)) for r in rows]

    async def rows_of_household(self, household_id: int) -> list[tuple[str, str, RowRecord]]:
        """``(programme, month, row)`` for each row of a household, by month and programme."""
        rows = (
            await ReliefRow.select(
                *ReliefRow.all_columns(),
                ReliefRow.cycle.programme.as_alias("cycle_programme"),
                ReliefRow.cycle.month.as_alias("cycle_month"),
            )
            .where(ReliefRow.household == household_id)
            .order_by(ReliefRow.id)
        )
        found = [(str(r.pop("cycle_programme")), str(r.pop("cycle_month")), _as(RowRecord, r)) for r in rows]
        return sorted(found, key=lambda item: (item[1], item[0]))

    async def set_rows(self, ids: Sequence[int], values: dict[str, Any]) -> None:
        """Change columns of several rows."""
        if ids:
            await ReliefRow.update({getattr(ReliefRow, k): v for k, v in values.items()}).where(
                ReliefRow.id.is_in(list(ids))
            )


class BankRepository:
    """Bank files, their rows, and imported statement lines."""

    async def add_file(self, **values: Any) -> int:
        """Insert a bank file; return its id."""
        return await _insert(ReliefBankFile, **values)

    async def count_files(self) -> int:
        """How many bank files were issued."""
        return int(await ReliefBankFile.count())

    async def files(self) -> list[BankFileRecord]:
        """Every bank file, the latest first."""
        return _all(
            BankFileRecord, await ReliefBankFile.select().order_by(ReliefBankFile.id, ascending=False)
        )

    async def file_by_no(self, file_no: str) -> BankFileRecord | None:
        """The bank file ``file_no``."""
        row = await ReliefBankFile.select().where(ReliefBankFile.file_no == file_no).first()
        return _as(BankFileRecord, row) if row else None

    async def files_by_ids(self, ids: Sequence[int]) -> dict[int, BankFileRecord]:
        """Bank files by id."""
        if not ids:
            return {}
        rows = await ReliefBankFile.select().where(ReliefBankFile.id.is_in(list(ids)))
        return {r.id: r for r in _all(BankFileRecord, rows)}

    async def set_file(self, file_id: int, values: dict[str, Any]) -> None:
        """Change a bank file's columns."""
        await _update(ReliefBankFile, file_id, values)

    async def add_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert a file's rows in one statement."""
        await _insert_many(ReliefBankRow, rows)

    async def rows(self, file_id: int) -> list[BankRowRecord]:
        """A file's rows in order."""
        rows = (
            await ReliefBankRow.select()
            .where(ReliefBankRow.bank_file == file_id)
            .order_by(ReliefBankRow.row_no)
        )
        return _all(BankRowRecord, rows)

    async def settle(self, row_id: int, values: dict[str, Any]) -> None:
        """Store a row's result."""
        await _update(ReliefBankRow, row_id, values)

    async def add_lines(self, lines: Sequence[dict[str, Any]]) -> int:
        """Insert statement lines not imported before (by ``line_key``); return how many were new."""
        added = 0
        for line in lines:
            rows = (
                await ReliefStatementLine.insert(ReliefStatementLine(**line))
                .on_conflict(target=ReliefStatementLine.line_key, action="DO NOTHING")
                .returning(ReliefStatementLine.id)
            )
            added += len(rows)
        return added

    async def lines(self, first: dt.date, last: dt.date) -> list[StatementLineRecord]:
        """Statement lines booked from ``first`` to ``last``."""
        rows = (
            await ReliefStatementLine.select()
            .where((ReliefStatementLine.booked_on >= first) & (ReliefStatementLine.booked_on <= last))
            .order_by(ReliefStatementLine.booked_on, ReliefStatementLine.id)
        )
        return _all(StatementLineRecord, rows)
