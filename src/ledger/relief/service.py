"""Relief use cases. Each method that writes owns one write transaction: it takes the domain's lock,
reloads, applies the pure rules of ``domain``, stores through the repositories, writes the audit row and
(for approvals, bank returns, appropriations and overpayments) posts the journal entries in that same
transaction; the export to the Beancount files follows the commit.

Locks: ``relief-registry`` for households, members and enrolments; ``relief-cycle:<programme>:<month>``
for a cycle; ``relief-bank`` for bank files and returns (advisory locks on PostgreSQL; SQLite's
immediate transaction already serialises writers).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import msgspec

from ledger import db
from ledger.config import Settings
from ledger.core import clock
from ledger.core.errors import IllegalTransition, InvalidInput
from ledger.core.ids import validate_resident_id
from ledger.core.money import Fen, parse_amount
from ledger.journal import service as journal
from ledger.journal.records import AccountFilter, PostingLine
from ledger.journal.service import Draft, Ledger
from ledger.platform.domain import Principal
from ledger.platform.service import record_audit
from ledger.relief import bankfiles, domain
from ledger.relief.domain import (
    OPEN_ENROLMENTS,
    CycleStatus,
    EnrolmentAction,
    EnrolmentStatus,
    Household,
    Member,
    Month,
    Pause,
    RowStatus,
)
from ledger.relief.errors import (
    BankFileNotFound,
    CycleExists,
    CycleNotFound,
    EnrolmentNotFound,
    HouseholdNotFound,
    MonthNotOver,
    NothingToIssue,
    PersonInAnotherHousehold,
    ReturnRowUnknown,
)
from ledger.relief.programmes import Programme, ReliefConfig, load_relief_config
from ledger.relief.repository import (
    BankFileRecord,
    BankRepository,
    BankRowRecord,
    CycleRecord,
    CycleRepository,
    EnrolmentRecord,
    EnrolmentRepository,
    HouseholdRecord,
    HouseholdRepository,
    MemberRecord,
    RowRecord,
)
from ledger.relief.schemas import HouseholdCreate, HouseholdUpdate, MemberIn

BOOK = "relief"
REGISTRY_LOCK = "relief-registry"
BANK_LOCK = "relief-bank"
SYSTEM = "system"
PAYING = (CycleStatus.APPROVED, CycleStatus.ISSUED, CycleStatus.PARTLY_FAILED)
"""Cycles whose payable rows go into the next bank file."""


def config_of(settings: Settings) -> ReliefConfig:
    """The relief configuration of ``settings`` (decoded once while the file is unchanged)."""
    return load_relief_config(settings.relief_file)


@dataclass(frozen=True, slots=True)
class HouseholdState:
    """A household with its members and enrolments."""

    household: HouseholdRecord
    members: list[MemberRecord]
    enrolments: list[EnrolmentRecord]


@dataclass(frozen=True, slots=True)
class CycleState:
    """A cycle with its rows."""

    cycle: CycleRecord
    rows: list[RowRecord]


@dataclass(frozen=True, slots=True)
class Roster:
    """A cycle's rows of one street, each with its household and current members."""

    cycle: CycleRecord
    street: str
    lines: list[tuple[RowRecord, HouseholdRecord, list[MemberRecord]]]


@dataclass(frozen=True, slots=True)
class BankFileState:
    """A bank file with its rows."""

    file: BankFileRecord
    rows: list[BankRowRecord]


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Statement lines against ``Assets:Relief:Bank`` postings over a period.

    Args:
        matched: pairs ``(statement reference or date, fen)`` that agree.
        statement_only: statement lines with no posting.
        ledger_only: postings (``seq``, date, fen, cause) with no statement line.
        statement_fen: the statement's net movement.
        ledger_fen: the ledger's net movement.
    """

    matched: list[dict[str, Any]]
    statement_only: list[dict[str, Any]]
    ledger_only: list[dict[str, Any]]
    statement_fen: Fen
    ledger_fen: Fen


def _facts(config: ReliefConfig, household: HouseholdRecord, members: Iterable[MemberRecord]) -> Household:
    spending = {
        "medical": household.medical_fen,
        "education": household.education_fen,
        "rent": household.rent_fen,
    }
    return Household(
        household_no=household.household_no,
        members=tuple(
            Member(
                resident_id=m.resident_id,
                name=m.name,
                urban=m.urban,
                able=m.able,
                categories=frozenset(c for c in m.categories.split(",") if c),
                joined=m.joined_on,
                left=m.left_on,
            )
            for m in members
        ),
        monthly_income_fen=household.monthly_income_fen,
        rigid_spending_fen=sum(spending.get(kind, 0) for kind in config.expenditure_test.rigid_spending),
    )


def _pauses(enrolment: EnrolmentRecord) -> list[Pause]:
    return [
        Pause(Month.parse(first), Month.parse(resumed) if resumed else None)
        for first, resumed in json.loads(enrolment.pauses)
    ]


def _pays_in(enrolment: EnrolmentRecord, month: Month) -> bool:
    if enrolment.status not in (
        EnrolmentStatus.ACTIVE,
        EnrolmentStatus.SUSPENDED,
        EnrolmentStatus.TERMINATED,
    ):
        return False
    return domain.pays_in(
        month,
        effective=Month.parse(enrolment.effective_month),
        last=Month.parse(enrolment.last_month) if enrolment.last_month else None,
        pauses=_pauses(enrolment),
    )


def _jsonable(record: msgspec.Struct) -> dict[str, Any]:
    return {
        k: v.isoformat() if isinstance(v, dt.date) else v for k, v in msgspec.structs.asdict(record).items()
    }


class ReliefService:
    """Households, enrolments, monthly cycles, bank files and reconciliation of the relief book."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.config = config_of(settings)
        self.households = HouseholdRepository()
        self.enrolments = EnrolmentRepository()
        self.cycles = CycleRepository()
        self.bank = BankRepository()

    # -- households ---------------------------------------------------------------------------------

    async def household(self, household_no: str) -> HouseholdState:
        """The household with its members and enrolments.

        Raises:
            HouseholdNotFound: ``field="household_no"``.
        """
        found = await self.households.by_no(household_no)
        if found is None:
            raise HouseholdNotFound(f"no household {household_no!r}", field="household_no")
        members = (await self.households.members_of([found.id]))[found.id]
        return HouseholdState(found, members, await self.enrolments.of_household(found.id))

    async def history(self, household_no: str) -> list[tuple[str, str, RowRecord]]:
        """Every month the household was in a cycle: ``(programme, month, row)``, oldest first, with
        where each payment stands and its journal entry once the bank paid it."""
        state = await self.household(household_no)
        return await self.cycles.rows_of_household(state.household.id)

    async def search(
        self, street: str | None, limit: int, offset: int, text: str | None = None
    ) -> tuple[list[HouseholdRecord], int]:
        """Households by number, optionally of one street, or found by number, full resident ID or a
        member's name (``text``)."""
        return await self.households.page(street, limit, offset, text)

    async def current_members(self, households: Sequence[HouseholdRecord]) -> dict[int, list[MemberRecord]]:
        """The current members of each household (by household id), in the order they were registered."""
        found = await self.households.members_of([h.id for h in households])
        return {household: _current(members) for household, members in found.items()}

    async def applications(self) -> list[tuple[EnrolmentRecord, HouseholdRecord]]:
        """Applications waiting for a decision, oldest first, each with its household."""
        waiting = await self.enrolments.with_status(EnrolmentStatus.APPLIED.value)
        households = await self.households.by_ids(sorted({e.household for e in waiting}))
        return [(e, households[e.household]) for e in waiting]

    def _members(self, members: Sequence[MemberIn], household_id: int, field: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for index, member in enumerate(members):
            where = f"{field}[{index}].resident_id"
            number = validate_resident_id(member.resident_id, field=where, today=clock.today())
            if member.joined_on > clock.today():
                joined = f"{field}[{index}].joined_on"
                raise InvalidInput(f"{joined} may not be in the future", field=joined, rule="not after today")
            if number in seen:
                raise InvalidInput(f"{where}: {number} is listed twice", field=where, rule="each person once")
            seen.add(number)
            rows.append(
                {
                    "household": household_id,
                    "resident_id": number,
                    "current_key": number,
                    "name": member.name,
                    "relation": member.relation,
                    "urban": member.urban,
                    "able": member.able,
                    "categories": ",".join(member.categories),
                    "joined_on": member.joined_on,
                }
            )
        return rows

    async def _refuse_current_elsewhere(
        self, rows: Sequence[dict[str, Any]], household_id: int, field: str
    ) -> None:
        elsewhere = await self.households.current_elsewhere([r["resident_id"] for r in rows], household_id)
        if elsewhere:
            index = next(i for i, r in enumerate(rows) if r["resident_id"] == elsewhere[0])
            raise PersonInAnotherHousehold(
                f"{field}[{index}].resident_id is already a current member of another household",
                field=f"{field}[{index}].resident_id",
                rule="one household per person",
            )

    async def register(self, actor: Principal, data: HouseholdCreate) -> HouseholdState:
        """Register a household with its members and bank account."""
        self.config.bank(data.bank_code, field="bank_code")
        values = data.money_fen()
        now = clock.now()
        async with db.write_transaction():
            await db.serialize(REGISTRY_LOCK)
            number = f"HH{await self.households.count() + 1:06d}"
            rows = self._members(data.members, 0, "members")
            await self._refuse_current_elsewhere(rows, 0, "members")
            household_id = await self.households.add(
                household_no=number,
                street=data.street,
                community=data.community,
                address=data.address,
                bank_code=data.bank_code,
                bank_account=data.bank_account,
                bank_holder=data.bank_holder,
                registered_by=actor.username,
                created_at=now,
                updated_at=now,
                **values,
            )
            await self.households.add_members([{**r, "household": household_id} for r in rows])
            state = await self.household(number)
            await record_audit(
                actor,
                "relief.household.register",
                "relief_household",
                number,
                None,
                _jsonable(state.household),
            )
        return state

    async def update(self, actor: Principal, household_no: str, data: HouseholdUpdate) -> HouseholdState:
        """Change a household's income, assets, rigid spending, address or bank account, as of a date.

        Past cycles keep the inputs they were computed from; the change counts from the next draft.
        """
        changes = data.changes_fen()
        if "bank_code" in changes:
            self.config.bank(changes["bank_code"], field="bank_code")
        async with db.write_transaction():
            await db.serialize(REGISTRY_LOCK)
            state = await self.household(household_no)
            before = {k: getattr(state.household, k) for k in changes}
            await self.households.update(state.household.id, {**changes, "updated_at": clock.now()})
            await record_audit(
                actor,
                "relief.household.update",
                "relief_household",
                household_no,
                before,
                {**changes, "effective_on": data.effective_on.isoformat(), "reason": data.reason},
            )
            return await self.household(household_no)

    async def add_member(self, actor: Principal, household_no: str, member: MemberIn) -> HouseholdState:
        """Add a member to a household (one household per person)."""
        async with db.write_transaction():
            await db.serialize(REGISTRY_LOCK)
            state = await self.household(household_no)
            rows = self._members([member], state.household.id, "members")
            if any(m.resident_id == rows[0]["resident_id"] for m in _current(state.members)):
                raise PersonInAnotherHousehold(
                    "members[0].resident_id is already a member of this household",
                    field="members[0].resident_id",
                    rule="one household per person",
                )
            await self._refuse_current_elsewhere(rows, state.household.id, "members")
            await self.households.add_members(rows)
            await record_audit(
                actor,
                "relief.member.add",
                "relief_household",
                household_no,
                None,
                {"member": rows[0]["name"]},
            )
            return await self.household(household_no)

    async def member_left(
        self, actor: Principal, household_no: str, resident_id: str, left_on: dt.date, died: bool
    ) -> HouseholdState:
        """Record that a member left or died. When no member is left, the household's open enrolments end
        with that month; what was paid for later months (a death recorded after payments) becomes a
        receivable posted Dr ``Assets:Relief:Recoverable`` / Cr the programme's expense."""
        number = validate_resident_id(resident_id, field="resident_id", today=clock.today())
        if left_on > clock.today():
            raise InvalidInput("left_on may not be in the future", field="left_on", rule="not after today")
        async with db.write_transaction():
            await db.serialize(REGISTRY_LOCK)
            state = await self.household(household_no)
            member = next((m for m in _current(state.members) if m.resident_id == number), None)
            if member is None:
                raise InvalidInput(
                    f"{number} is not a current member of {household_no}",
                    field="resident_id",
                    rule="current member",
                )
            if left_on < member.joined_on:
                raise InvalidInput(
                    "left_on is before the member joined", field="left_on", rule="after joined_on"
                )
            await self.households.member_left(member.id, left_on, died)
            await record_audit(
                actor,
                "relief.member.died" if died else "relief.member.left",
                "relief_household",
                household_no,
                {"resident_id": number, "left_on": None},
                {"resident_id": number, "left_on": left_on.isoformat(), "died": died},
            )
            state = await self.household(household_no)
            last = Month.of(left_on)
            if not _current(state.members):
                for enrolment in state.enrolments:
                    if enrolment.status in (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED):
                        await self._end(actor, enrolment, last, "death" if died else "no member left")
            for enrolment in state.enrolments:
                await self._recover(actor, enrolment, state, last)
            state = await self.household(household_no)
        await Ledger.of(self.settings).export_quietly()
        return state

    async def _recover(
        self, actor: Principal, enrolment: EnrolmentRecord, state: HouseholdState, last: Month
    ) -> None:
        """Settle the months after ``last`` with what is due for them now: rows of approved cycles not yet
        sent to the bank and no longer due are withheld (their accrual reversed); what was paid above
        what is due becomes a receivable."""
        programme = self.config.programme(enrolment.programme)
        facts = _facts(self.config, state.household, state.members)
        refreshed = await self.enrolments.by_no(enrolment.enrolment_no)
        assert refreshed is not None
        rows = await self.cycles.rows_of_enrolment(enrolment.id)
        due = {
            month: domain.monthly_amount(programme, facts, month).fen if _pays_in(refreshed, month) else 0
            for month in {Month.parse(text) for text, _, _ in rows}
        }
        withheld = [
            row
            for text, cycle_status, row in rows
            if row.status == RowStatus.PAYABLE
            and cycle_status in PAYING
            and Month.parse(text) > last
            and due[Month.parse(text)] == 0
        ]
        if withheld:
            await self._withhold(actor, programme, state.household, withheld)
        paid = [(Month.parse(text), row.amount_fen) for text, _, row in rows if row.status == RowStatus.PAID]
        # the receivable is cumulative: a second departure posts only what the first did not
        fen = domain.overpaid(paid, due, last) - refreshed.overpaid_fen
        if fen <= 0:
            return
        entry = await journal.post(
            date=clock.today(),
            book=BOOK,
            narration=f"{programme.cn} 多发待追回 {state.household.household_no} {enrolment.enrolment_no}",
            postings=domain.overpayment_postings(programme.account, fen),
            cause=f"relief-overpayment:{enrolment.enrolment_no}",
            actor=actor.username,
            payee=state.household.bank_holder,
            links={"household": state.household.household_no, "enrolment": enrolment.enrolment_no},
        )
        total = refreshed.overpaid_fen + fen
        await self.enrolments.update(enrolment.id, {"overpaid_fen": total, "overpayment_seq": entry.seq})
        await record_audit(
            actor,
            "relief.enrolment.overpayment",
            "relief_enrolment",
            enrolment.enrolment_no,
            {"overpaid_fen": refreshed.overpaid_fen},
            {"overpaid_fen": total, "journal_seq": entry.seq},
        )

    async def _withhold(
        self, actor: Principal, programme: Programme, household: HouseholdRecord, rows: Sequence[RowRecord]
    ) -> None:
        await journal.post_many(
            [
                Draft(
                    date=clock.today(),
                    book=BOOK,
                    narration=f"{programme.cn} 停发冲回 {row.row_key}",
                    postings=domain.withheld_postings(programme.account, row.amount_fen),
                    cause=f"relief-withheld:{row.row_key}",
                    actor=actor.username,
                    payee=household.bank_holder,
                    links={"household": household.household_no, "relief-row": row.row_key},
                )
                for row in rows
            ]
        )
        await self.cycles.set_rows([r.id for r in rows], {"status": RowStatus.WITHHELD.value})
        await self._settle_cycles({r.cycle for r in rows})
        await record_audit(
            actor,
            "relief.row.withhold",
            "relief_household",
            household.household_no,
            {"rows": [r.row_key for r in rows], "status": RowStatus.PAYABLE.value},
            {"status": RowStatus.WITHHELD.value},
        )

    # -- enrolments ---------------------------------------------------------------------------------

    async def enrolment(self, enrolment_no: str) -> EnrolmentRecord:
        """The enrolment ``enrolment_no``.

        Raises:
            EnrolmentNotFound: ``field="enrolment_no"``.
        """
        found = await self.enrolments.by_no(enrolment_no)
        if found is None:
            raise EnrolmentNotFound(f"no enrolment {enrolment_no!r}", field="enrolment_no")
        return found

    async def _eligibility(
        self, programme: Programme, state: HouseholdState, month: Month, exclude: int | None
    ) -> domain.Eligibility:
        current = [m.resident_id for m in state.members if m.left_on is None]
        return domain.check_eligibility(
            programme,
            _facts(self.config, state.household, state.members),
            month,
            test=self.config.expenditure_test,
            elsewhere=await self.households.current_elsewhere(current, state.household.id),
            enrolled_in=[
                self.config.programme(e.programme)
                for e in state.enrolments
                if e.status in OPEN_ENROLMENTS and e.id != exclude
            ],
        )

    async def apply(self, actor: Principal, household_no: str, programme_code: str) -> EnrolmentRecord:
        """File an application; its eligibility reasons are checked now and stored with it."""
        programme = self.config.programme(programme_code)
        today = clock.today()
        async with db.write_transaction():
            await db.serialize(REGISTRY_LOCK)
            state = await self.household(household_no)
            check = await self._eligibility(programme, state, Month.of(today), None)
            number = f"EN{await self.enrolments.count() + 1:06d}"
            await self.enrolments.add(
                enrolment_no=number,
                household=state.household.id,
                programme=programme.code,
                status=EnrolmentStatus.APPLIED.value,
                applied_by=actor.username,
                applied_on=today,
                checks=json.dumps([asdict(r) for r in check.reasons], ensure_ascii=False),
                updated_at=clock.now(),
            )
            enrolment = await self.enrolment(number)
            await record_audit(
                actor, "relief.enrolment.apply", "relief_enrolment", number, None, _jsonable(enrolment)
            )
        return enrolment

    async def _move(
        self, actor: Principal, enrolment: EnrolmentRecord, action: EnrolmentAction, **values: Any
    ) -> EnrolmentRecord:
        status = domain.enrolment_move(enrolment.status, action)
        after = {"status": status.value, **values}
        before = {k: getattr(enrolment, k) for k in after}
        await self.enrolments.update(enrolment.id, {**after, "updated_at": clock.now()})
        await record_audit(
            actor,
            f"relief.enrolment.{action.value}",
            "relief_enrolment",
            enrolment.enrolment_no,
            before,
            after,
        )
        return await self.enrolment(enrolment.enrolment_no)

    async def approve(self, actor: Principal, enrolment_no: str, effective_month: str) -> EnrolmentRecord:
        """Approve an application from its effective month, after checking eligibility again for that
        month (four eyes: not by whoever filed it)."""
        effective = Month.parse(effective_month, field="effective_month")
        async with db.write_transaction():
            await db.serialize(REGISTRY_LOCK)
            enrolment = await self.enrolment(enrolment_no)
            domain.enrolment_move(enrolment.status, EnrolmentAction.APPROVE)
            domain.check_four_eyes(enrolment.applied_by, actor.username, "enrolment application")
            domain.check_effective_month(effective, enrolment.applied_on)
            state = await self._state_of(enrolment)
            check = await self._eligibility(
                self.config.programme(enrolment.programme), state, effective, enrolment.id
            )
            check.refuse_unless_eligible()
            return await self._move(
                actor,
                enrolment,
                EnrolmentAction.APPROVE,
                decided_by=actor.username,
                effective_month=str(effective),
                checks=json.dumps([asdict(r) for r in check.reasons], ensure_ascii=False),
            )

    async def _state_of(self, enrolment: EnrolmentRecord) -> HouseholdState:
        households = await self.households.by_ids([enrolment.household])
        return await self.household(households[enrolment.household].household_no)

    async def reject(self, actor: Principal, enrolment_no: str, reason: str) -> EnrolmentRecord:
        """Reject an application with a reason (four eyes: not by whoever filed it)."""
        async with db.write_transaction():
            await db.serialize(REGISTRY_LOCK)
            enrolment = await self.enrolment(enrolment_no)
            domain.enrolment_move(enrolment.status, EnrolmentAction.REJECT)
            domain.check_four_eyes(enrolment.applied_by, actor.username, "enrolment application")
            return await self._move(
                actor, enrolment, EnrolmentAction.REJECT, decided_by=actor.username, end_reason=reason
            )

    async def suspend(
        self, actor: Principal, enrolment_no: str, first_month: str, reason: str
    ) -> EnrolmentRecord:
        """Suspend payments from ``first_month`` (not before the effective month)."""
        first = Month.parse(first_month, field="month")
        async with db.write_transaction():
            await db.serialize(REGISTRY_LOCK)
            enrolment = await self.enrolment(enrolment_no)
            domain.enrolment_move(enrolment.status, EnrolmentAction.SUSPEND)
            if enrolment.effective_month and first < Month.parse(enrolment.effective_month):
                raise InvalidInput(
                    "month is before the effective month", field="month", rule=">= effective_month"
                )
            pauses = [*json.loads(enrolment.pauses), [str(first), None]]
            return await self._move(
                actor, enrolment, EnrolmentAction.SUSPEND, pauses=json.dumps(pauses), end_reason=reason
            )

    async def resume(self, actor: Principal, enrolment_no: str, month: str) -> EnrolmentRecord:
        """Resume payments from ``month`` (after the suspension's first month)."""
        resumed = Month.parse(month, field="month")
        async with db.write_transaction():
            await db.serialize(REGISTRY_LOCK)
            enrolment = await self.enrolment(enrolment_no)
            domain.enrolment_move(enrolment.status, EnrolmentAction.RESUME)
            pauses = json.loads(enrolment.pauses)
            if resumed <= Month.parse(pauses[-1][0]):
                raise InvalidInput(
                    "month must be after the suspension's first month", field="month", rule="after"
                )
            pauses[-1][1] = str(resumed)
            return await self._move(actor, enrolment, EnrolmentAction.RESUME, pauses=json.dumps(pauses))

    async def terminate(
        self, actor: Principal, enrolment_no: str, last_month: str, reason: str
    ) -> EnrolmentRecord:
        """End an enrolment with ``last_month`` (paid in full); later months paid become recoverable."""
        last = Month.parse(last_month, field="last_month")
        async with db.write_transaction():
            await db.serialize(REGISTRY_LOCK)
            enrolment = await self.enrolment(enrolment_no)
            domain.enrolment_move(enrolment.status, EnrolmentAction.TERMINATE)
            if last < Month.parse(enrolment.effective_month):
                raise InvalidInput(
                    "last_month is before the effective month", field="last_month", rule=">= effective_month"
                )
            ended = await self._end(actor, enrolment, last, reason)
            await self._recover(actor, ended, await self._state_of(ended), last)
            ended = await self.enrolment(enrolment_no)
        await Ledger.of(self.settings).export_quietly()
        return ended

    async def _end(
        self, actor: Principal, enrolment: EnrolmentRecord, last: Month, reason: str
    ) -> EnrolmentRecord:
        """End ``enrolment`` with ``last``; a death before its effective month leaves nothing paid."""
        return await self._move(
            actor, enrolment, EnrolmentAction.TERMINATE, last_month=str(last), end_reason=reason
        )

    # -- cycles -------------------------------------------------------------------------------------

    async def cycle(self, programme: str, month: str) -> CycleState:
        """The cycle of ``programme`` for ``month`` with its rows.

        Raises:
            CycleNotFound: ``field="month"``.
        """
        key = f"{self.config.programme(programme).code}:{Month.parse(month)}"
        found = await self.cycles.by_key(key)
        if found is None:
            raise CycleNotFound(f"no cycle {key}", field="month")
        return CycleState(found, await self.cycles.rows(found.id))

    async def cycle_list(self) -> list[CycleRecord]:
        """Every cycle, the latest month first, then by programme."""
        found = await self.cycles.cycles_in([status.value for status in CycleStatus])
        return sorted(found, key=lambda c: (c.month, c.programme), reverse=True)

    async def streets_of(self, state: CycleState) -> list[str]:
        """The streets of a cycle's households, in order (one roster each)."""
        households = await self.households.by_ids(sorted({r.household for r in state.rows}))
        return sorted({h.street for h in households.values()})

    async def roster(self, programme: str, month: str, street: str) -> Roster:
        """The payroll roster (花名册) of a cycle for one street: each row with its household and the
        household's members then current, in household-number order.

        Raises:
            CycleNotFound: ``field="month"``.
            InvalidInput: ``field="street"`` for a street with no household in the cycle.
        """
        state = await self.cycle(programme, month)
        households = await self.households.by_ids(sorted({r.household for r in state.rows}))
        streets = sorted({h.street for h in households.values()})
        if street not in streets:
            raise InvalidInput(
                f"no household of {street!r} in this cycle",
                field="street",
                rule="one of " + ", ".join(streets) if streets else "a street of the cycle",
            )
        rows = [r for r in state.rows if households[r.household].street == street]
        members = await self.households.members_of([r.household for r in rows])
        return Roster(
            state.cycle,
            street,
            [(r, households[r.household], _current(members[r.household])) for r in rows],
        )

    async def draft(self, actor: str, programme_code: str, month_text: str) -> CycleState:
        """Draft a programme's month: one row per household paid for that month, computed now from the
        registry and the rates and frozen with its inputs. A month is drafted once (``CycleExists``).

        Args:
            actor: the user name, or ``system`` for the scheduled draft.
            programme_code: the programme.
            month_text: ``YYYY-MM``, not after the current month.
        """
        programme = self.config.programme(programme_code)
        month = Month.parse(month_text)
        if month > Month.of(clock.today()):
            raise MonthNotOver(f"{month} has not begun", field="month", rule="not after the current month")
        programme.rate_on(month.start)
        key = f"{programme.code}:{month}"
        now = clock.now()
        async with db.write_transaction():
            await db.serialize(f"relief-cycle:{key}")
            cycle_id = await self.cycles.add(
                cycle_key=key,
                programme=programme.code,
                month=str(month),
                status=CycleStatus.DRAFT.value,
                declared_count=0,
                declared_fen=0,
                drafted_by=actor,
                drafted_at=now,
            )
            if cycle_id is None:
                raise CycleExists(
                    f"cycle {key} exists already", field="month", rule="one cycle per programme and month"
                )
            rows = await self._rows(programme, month, key, cycle_id)
            await self.cycles.add_rows(rows)
            declared = {"declared_count": len(rows), "declared_fen": sum(r["amount_fen"] for r in rows)}
            await self.cycles.update(cycle_id, declared)
            await record_audit(actor, "relief.cycle.draft", "relief_cycle", key, None, declared)
        return await self.cycle(programme.code, str(month))

    async def _rows(
        self, programme: Programme, month: Month, key: str, cycle_id: int
    ) -> list[dict[str, Any]]:
        enrolments = [
            e
            for e in await self.enrolments.in_programme(
                programme.code,
                [EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED, EnrolmentStatus.TERMINATED],
            )
            if _pays_in(e, month)
        ]
        ids = [e.household for e in enrolments]
        households = await self.households.by_ids(ids)
        members = await self.households.members_of(ids)
        rows: list[dict[str, Any]] = []
        for enrolment in enrolments:
            household = households[enrolment.household]
            facts = _facts(self.config, household, members[household.id])
            amount = domain.monthly_amount(programme, facts, month)
            if amount.fen <= 0:
                continue
            inputs = {
                "rate_from": amount.rate_from.isoformat(),
                "monthly_income_fen": facts.monthly_income_fen,
                "members": [
                    {
                        "resident_id": m.resident_id,
                        "name": m.name,
                        "urban": m.urban,
                        "able": m.able,
                        "categories": sorted(m.categories),
                    }
                    for m in facts.members_in(month)
                ],
                "parts": [asdict(p) for p in amount.parts],
                "bank_holder": household.bank_holder,
            }
            rows.append(
                {
                    "row_key": f"{key}:{household.household_no}",
                    "cycle": cycle_id,
                    "enrolment": enrolment.id,
                    "household": household.id,
                    "household_no": household.household_no,
                    "amount_fen": amount.fen,
                    "members": amount.members,
                    "inputs": json.dumps(inputs, ensure_ascii=False),
                    "status": RowStatus.PAYABLE.value,
                }
            )
        return sorted(rows, key=lambda r: r["household_no"])

    async def draft_month(self, month: str) -> list[str]:
        """The scheduled draft of every programme's ``month``; a month already drafted (by hand, or by an
        earlier run) is left as it is, so running it twice is harmless. Returns the cycle keys drafted."""
        drafted: list[str] = []
        for code in self.config.programmes:
            try:
                state = await self.draft(SYSTEM, code, month)
            except CycleExists:
                continue
            drafted.append(state.cycle.cycle_key)
        return drafted

    async def approve_cycle(self, actor: Principal, programme: str, month: str) -> CycleState:
        """Approve a drafted cycle (four eyes: not by whoever drafted it) and post one entry per household,
        Dr the programme's expense / Cr ``Liabilities:Relief:Payable``, in household-number order."""
        state = await self.cycle(programme, month)
        config = self.config.programme(programme)
        async with db.write_transaction():
            await db.serialize(f"relief-cycle:{state.cycle.cycle_key}")
            state = await self.cycle(programme, month)
            cycle = state.cycle
            _require(cycle, CycleStatus.DRAFT, "approve")
            domain.check_four_eyes(cycle.drafted_by, actor.username, "cycle")
            domain.check_declared(
                cycle.declared_count, cycle.declared_fen, [r.amount_fen for r in state.rows], "rows"
            )
            households = await self.households.by_ids([r.household for r in state.rows])
            today = clock.today()
            entries = await journal.post_many(
                [
                    Draft(
                        date=today,
                        book=BOOK,
                        narration=f"{config.cn} {cycle.month} {row.household_no}",
                        postings=domain.accrual_postings(config.account, row.amount_fen),
                        cause=f"relief-row:{row.row_key}",
                        actor=actor.username,
                        payee=households[row.household].bank_holder,
                        links={"relief-cycle": cycle.cycle_key, "household": row.household_no},
                    )
                    for row in state.rows
                ]
            )
            domain.check_declared(
                cycle.declared_count, cycle.declared_fen, [e.postings[0].fen for e in entries], "postings"
            )
            values = {
                "status": CycleStatus.APPROVED.value,
                "approved_by": actor.username,
                "approved_at": clock.now(),
                "first_seq": entries[0].seq if entries else None,
                "last_seq": entries[-1].seq if entries else None,
            }
            await self.cycles.update(cycle.id, values)
            await record_audit(
                actor,
                "relief.cycle.approve",
                "relief_cycle",
                cycle.cycle_key,
                {"status": cycle.status},
                {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in values.items()},
            )
        await Ledger.of(self.settings).export_quietly()
        return await self.cycle(programme, month)

    async def close_cycle(self, actor: Principal, programme: str, month: str) -> CycleState:
        """Close a paid cycle after checking its paid and withheld rows equal what it declared, to the fen."""
        async with db.write_transaction():
            state = await self.cycle(programme, month)
            await db.serialize(f"relief-cycle:{state.cycle.cycle_key}")
            state = await self.cycle(programme, month)
            _require(state.cycle, CycleStatus.PAID, "close")
            settled = [r.amount_fen for r in state.rows if r.status in domain.SETTLED_ROWS]
            domain.check_declared(
                state.cycle.declared_count, state.cycle.declared_fen, settled, "paid and withheld rows"
            )
            await self.cycles.update(state.cycle.id, {"status": CycleStatus.CLOSED.value})
            await record_audit(
                actor,
                "relief.cycle.close",
                "relief_cycle",
                state.cycle.cycle_key,
                {"status": state.cycle.status},
                {"status": CycleStatus.CLOSED.value},
            )
        return await self.cycle(programme, month)

    # -- bank files ---------------------------------------------------------------------------------

    async def bank_file(self, file_no: str) -> BankFileState:
        """The bank file ``file_no`` with its rows.

        Raises:
            BankFileNotFound: ``field="file_no"``.
        """
        found = await self.bank.file_by_no(file_no)
        if found is None:
            raise BankFileNotFound(f"no bank file {file_no!r}", field="file_no")
        return BankFileState(found, await self.bank.rows(found.id))

    async def bank_files(self) -> list[BankFileRecord]:
        """Every bank file, the latest first."""
        return await self.bank.files()

    async def bank_file_export(self, file_no: str, fmt: str) -> tuple[bytes, str]:
        """The bank file as sent (``csv``, whose SHA-256 is on the file) or as ``xlsx``, with its media
        type.

        Raises:
            InvalidInput: ``field="fmt"`` for another format.
        """
        state = await self.bank_file(file_no)
        if fmt == "csv":
            return state.file.content.encode("utf-8"), "text/csv; charset=utf-8"
        if fmt != "xlsx":
            raise InvalidInput("fmt must be csv or xlsx", field="fmt", rule="csv or xlsx")
        return await self.bank_file_xlsx(state), bankfiles.XLSX

    async def issue(self, actor: Principal, bank_code: str) -> BankFileState:
        """Put every payable row of approved cycles whose household banks with ``bank_code`` into a new
        batch file, with the account as registered now (so a corrected account is used on reissue)."""
        bank = self.config.bank(bank_code)
        async with db.write_transaction():
            await db.serialize(BANK_LOCK)
            cycles = {c.id: c for c in await self.cycles.cycles_in(list(PAYING))}
            rows = await self.cycles.payable_rows(list(cycles))
            households = await self.households.by_ids(list({r.household for r in rows}))
            rows = [r for r in rows if households[r.household].bank_code == bank.code]
            if not rows:
                raise NothingToIssue(
                    f"no payable row for bank {bank.code}", field="bank", rule="payable rows"
                )
            file_no = f"BF{clock.today():%Y%m}-{await self.bank.count_files() + 1:04d}"
            lines = [
                bankfiles.Line(
                    row_no=index,
                    account_no=households[row.household].bank_account,
                    holder=households[row.household].bank_holder,
                    fen=row.amount_fen,
                    memo=f"{self.config.programme(cycles[row.cycle].programme).cn}{cycles[row.cycle].month}",
                    household_no=row.household_no,
                )
                for index, row in enumerate(rows, start=1)
            ]
            content = bankfiles.to_csv(bank, lines)
            total = sum(line.fen for line in lines)
            file_id = await self.bank.add_file(
                file_no=file_no,
                bank_code=bank.code,
                row_count=len(lines),
                total_fen=total,
                sha256=bankfiles.sha256(content),
                content=content,
                issued_by=actor.username,
                issued_at=clock.now(),
            )
            await self.bank.add_rows(
                [
                    {
                        "bank_file": file_id,
                        "row_no": line.row_no,
                        "row": row.id,
                        "live_key": row.id,
                        "account_no": line.account_no,
                        "holder": line.holder,
                        "amount_fen": line.fen,
                        "memo": line.memo,
                    }
                    for line, row in zip(lines, rows, strict=True)
                ]
            )
            await self.cycles.set_rows([r.id for r in rows], {"status": RowStatus.IN_FILE.value})
            for cycle_id in {r.cycle for r in rows}:
                if cycles[cycle_id].status == CycleStatus.APPROVED:
                    await self.cycles.update(cycle_id, {"status": CycleStatus.ISSUED.value})
            await record_audit(
                actor,
                "relief.bank_file.issue",
                "relief_bank_file",
                file_no,
                None,
                {"rows": len(lines), "total_fen": total, "bank": bank.code},
            )
        return await self.bank_file(file_no)

    async def bank_file_xlsx(self, state: BankFileState) -> bytes:
        """The stored file's lines as XLSX, in the bank's template (the same table as its CSV)."""
        rows = await self.cycles.rows_by_ids([r.row for r in state.rows])
        lines = [
            bankfiles.Line(r.row_no, r.account_no, r.holder, r.amount_fen, r.memo, rows[r.row].household_no)
            for r in state.rows
        ]
        return bankfiles.to_xlsx(self.config.bank(state.file.bank_code), lines)

    async def import_returns(self, actor: Principal, file_no: str, content: str) -> BankFileState:
        """Read the bank's return file: each paid row posts Dr payable / Cr bank; each failed row goes back
        to payable, to be reissued in a later file, and can never be paid twice."""
        answers = bankfiles.parse_returns(content)
        async with db.write_transaction():
            await db.serialize(BANK_LOCK)
            state = await self.bank_file(file_no)
            by_no = {r.row_no: r for r in state.rows}
            for answer in answers:
                row = by_no.get(answer.row_no)
                if row is None or row.result != "pending":
                    raise ReturnRowUnknown(
                        f"row {answer.row_no} of {file_no} is not in the file or already settled",
                        field="content",
                        rule="each pending row once",
                    )
            relief_rows = await self.cycles.rows_by_ids([by_no[a.row_no].row for a in answers])
            paid = [a for a in answers if a.paid]
            entries = await journal.post_many(
                [_paid_draft(actor, file_no, by_no[a.row_no], relief_rows[by_no[a.row_no].row]) for a in paid]
            )
            seqs = {a.row_no: e.seq for a, e in zip(paid, entries, strict=True)}
            for answer in answers:
                bank_row = by_no[answer.row_no]
                relief_row = relief_rows[bank_row.row]
                if answer.paid:
                    await self.bank.settle(
                        bank_row.id, {"result": "paid", "journal_seq": seqs[answer.row_no]}
                    )
                    await self.cycles.set_rows(
                        [relief_row.id], {"status": RowStatus.PAID.value, "paid_seq": seqs[answer.row_no]}
                    )
                else:
                    await self.bank.settle(
                        bank_row.id, {"result": "failed", "reason": answer.reason, "live_key": None}
                    )
                    await self.cycles.set_rows(
                        [relief_row.id],
                        {"status": RowStatus.PAYABLE.value, "failures": relief_row.failures + 1},
                    )
            await self._settle_cycles({r.cycle for r in relief_rows.values()})
            await self.bank.set_file(state.file.id, {"returned_at": clock.now()})
            await record_audit(
                actor,
                "relief.bank_file.returns",
                "relief_bank_file",
                file_no,
                None,
                {"paid": len(paid), "failed": len(answers) - len(paid)},
            )
        await Ledger.of(self.settings).export_quietly()
        return await self.bank_file(file_no)

    async def _settle_cycles(self, cycle_ids: Iterable[int]) -> None:
        cycles = await self.cycles.by_ids(list(cycle_ids))
        for cycle in cycles.values():
            rows = await self.cycles.rows(cycle.id)
            failed = sum(1 for r in rows if r.status == RowStatus.PAYABLE and r.failures)
            status = domain.settled_status(cycle.status, [r.status for r in rows], failed)
            if status != cycle.status:
                await self.cycles.update(cycle.id, {"status": status.value})

    # -- appropriations, statement and reconciliation -----------------------------------------------

    async def record_appropriation(
        self, actor: Principal, amount: str, received_on: dt.date, reference: str
    ) -> int:
        """Record district finance's appropriation received: Dr ``Assets:Relief:Bank`` / Cr
        ``Income:Relief:Appropriation``. Returns the entry's ``seq``."""
        fen = parse_amount(amount)
        if received_on > clock.today():
            raise InvalidInput(
                "received_on may not be in the future", field="received_on", rule="not after today"
            )
        async with db.write_transaction():
            entry = await journal.post(
                date=received_on,
                book=BOOK,
                narration=f"财政拨款 {reference}",
                postings=domain.appropriation_postings(fen),
                cause=f"relief-appropriation:{reference}",
                actor=actor.username,
                payee="区财政局",
                links={"reference": reference},
            )
            await record_audit(
                actor,
                "relief.appropriation",
                "relief_appropriation",
                reference,
                None,
                {"fen": fen, "journal_seq": entry.seq},
            )
        await Ledger.of(self.settings).export_quietly()
        return entry.seq

    async def import_statement(self, actor: Principal, content: str) -> int:
        """Import the relief account's statement CSV; lines imported before are skipped. Returns how many
        lines were new."""
        lines = bankfiles.parse_statement(content)
        now = clock.now()
        async with db.write_transaction():
            return await self.bank.add_lines(
                [
                    {
                        "line_key": line.key,
                        "booked_on": line.booked_on,
                        "fen": line.fen,
                        "reference": line.reference,
                        "description": line.description,
                        "imported_by": actor.username,
                        "imported_at": now,
                    }
                    for line in lines
                ]
            )

    async def reconcile(self, first: dt.date, last: dt.date) -> Reconciliation:
        """Match the statement's lines with the postings to ``Assets:Relief:Bank`` from ``first`` to ``last``.

        A line whose reference is a bank file's number matches the sum of that file's paid postings; any
        other line matches one posting of the same date and amount. What is left on either side is listed.
        """
        if last < first:
            raise InvalidInput("to is before from", field="to", rule="from <= to")
        page = await journal.account_journal(
            domain.BANK_ACCOUNT, AccountFilter(date_from=first, date_to=last), limit=10**9, offset=0
        )
        batches: dict[str, list[PostingLine]] = {}
        singles: list[PostingLine] = []
        for line in page.lines:
            if line.cause.startswith("relief-paid:"):
                batches.setdefault(line.cause.removeprefix("relief-paid:").split("/")[0], []).append(line)
            else:
                singles.append(line)
        statement = await self.bank.lines(first, last)
        matched: list[dict[str, Any]] = []
        unmatched: list[dict[str, Any]] = []
        for item in statement:
            batch = batches.get(item.reference)
            if batch is not None and sum(p.fen for p in batch) == item.fen:
                del batches[item.reference]
                matched.append(
                    {
                        "date": item.booked_on,
                        "reference": item.reference,
                        "fen": item.fen,
                        "seqs": [p.seq for p in batch],
                    }
                )
                continue
            single = next((p for p in singles if p.date == item.booked_on and p.fen == item.fen), None)
            if single is not None:
                singles.remove(single)
                matched.append(
                    {
                        "date": item.booked_on,
                        "reference": item.reference,
                        "fen": item.fen,
                        "seqs": [single.seq],
                    }
                )
                continue
            unmatched.append(
                {
                    "date": item.booked_on,
                    "reference": item.reference,
                    "fen": item.fen,
                    "description": item.description,
                }
            )
        ledger_only = [
            {"seq": p.seq, "date": p.date, "fen": p.fen, "cause": p.cause}
            for p in [*singles, *(p for batch in batches.values() for p in batch)]
        ]
        return Reconciliation(
            matched=matched,
            statement_only=unmatched,
            ledger_only=sorted(ledger_only, key=lambda p: p["seq"]),
            statement_fen=sum(item.fen for item in statement),
            ledger_fen=sum(p.fen for p in page.lines),
        )


def _paid_draft(actor: Principal, file_no: str, bank_row: BankRowRecord, row: RowRecord) -> Draft:
    """The entry of a row the bank paid: Dr payable / Cr bank, linked to the file and the household."""
    return Draft(
        date=clock.today(),
        book=BOOK,
        narration=f"{bank_row.memo} {row.household_no} 银行代发",
        postings=domain.paid_postings(bank_row.amount_fen),
        cause=f"relief-paid:{file_no}/{bank_row.row_no}",
        actor=actor.username,
        payee=bank_row.holder,
        links={"bank-file": file_no, "household": row.household_no, "relief-row": row.row_key},
    )


def _current(members: Iterable[MemberRecord]) -> list[MemberRecord]:
    return [m for m in members if m.left_on is None]


def _require(cycle: CycleRecord, status: CycleStatus, action: str) -> None:
    if cycle.status != status:
        raise IllegalTransition(
            f"cycle {cycle.cycle_key} is {cycle.status}; only a {status.value} cycle can be {action}d",
            field="status",
            rule=f"{action} from {status.value}",
        )
