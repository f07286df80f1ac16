"""HTTP routes of the relief domain: parse, call one service method, map its records to the response
schemas, masking resident IDs and bank accounts for roles that do not need them in full.

Who does what: caseworkers (street offices) register households and file applications, and may draft a
month's cycle; relief officers (the district bureau) approve or reject applications and cycles (never
their own), suspend, resume and terminate enrolments; accountants issue bank files, read the bank's
return files, record appropriations and reconcile the account (payment kept apart from the decision);
auditors and administrators read.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from ledger.core.ids import mask_resident_id
from ledger.core.money import format_amount
from ledger.platform.domain import Principal, Role
from ledger.platform.schemas import Page
from ledger.relief.repository import EnrolmentRecord, MemberRecord, RowRecord
from ledger.relief.schemas import (
    ApplyIn,
    AppropriationIn,
    AppropriationView,
    ApproveIn,
    BankFileIn,
    BankFileView,
    BankRowView,
    ContentIn,
    CycleIn,
    CycleView,
    EnrolmentView,
    HistoryLine,
    HouseholdCreate,
    HouseholdSummary,
    HouseholdUpdate,
    HouseholdView,
    ImportView,
    LeaveIn,
    MemberIn,
    MemberView,
    MonthIn,
    ReasonIn,
    ReconciliationView,
    RowView,
    TerminateIn,
)
from ledger.relief.service import BankFileState, CycleState, HouseholdState, ReliefService
from ledger.web.auth import access
from ledger.web.params import Limit, Offset

READERS = (Role.CASEWORKER, Role.RELIEF_OFFICER, Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN)
FULL_DETAIL_ROLES = (Role.CASEWORKER, Role.RELIEF_OFFICER)
"""Roles that see resident IDs and bank accounts in full; everyone else sees them masked."""


def _service(request: Request[Any, Any, Any]) -> ReliefService:
    return ReliefService(request.app.state.settings)


def _full(request: Request[Principal, Any, Any]) -> bool:
    return request.user.role in FULL_DETAIL_ROLES


def mask_account(number: str) -> str:
    """``6228480000001234`` -> ``************1234``."""
    return "*" * max(len(number) - 4, 0) + number[-4:]


def _member(member: MemberRecord, full: bool) -> MemberView:
    return MemberView(
        resident_id=member.resident_id if full else mask_resident_id(member.resident_id),
        name=member.name,
        relation=member.relation,
        urban=member.urban,
        able=member.able,
        categories=[c for c in member.categories.split(",") if c],
        joined_on=member.joined_on,
        left_on=member.left_on,
        died=member.died,
    )


def _enrolment(enrolment: EnrolmentRecord, household_no: str) -> EnrolmentView:
    return EnrolmentView(
        enrolment_no=enrolment.enrolment_no,
        household_no=household_no,
        programme=enrolment.programme,
        status=enrolment.status,
        applied_by=enrolment.applied_by,
        applied_on=enrolment.applied_on,
        reasons=json.loads(enrolment.checks),
        decided_by=enrolment.decided_by,
        effective_month=enrolment.effective_month,
        last_month=enrolment.last_month,
        end_reason=enrolment.end_reason,
        pauses=json.loads(enrolment.pauses),
        overpaid=format_amount(enrolment.overpaid_fen),
        overpayment_seq=enrolment.overpayment_seq,
    )


def _household(state: HouseholdState, full: bool) -> HouseholdView:
    h = state.household
    return HouseholdView(
        household_no=h.household_no,
        street=h.street,
        community=h.community,
        address=h.address,
        monthly_income=format_amount(h.monthly_income_fen),
        assets=format_amount(h.assets_fen),
        medical_spending=format_amount(h.medical_fen),
        education_spending=format_amount(h.education_fen),
        rent_spending=format_amount(h.rent_fen),
        bank_code=h.bank_code,
        bank_account=h.bank_account if full else mask_account(h.bank_account),
        bank_holder=h.bank_holder,
        members=[_member(m, full) for m in state.members],
        enrolments=[_enrolment(e, h.household_no) for e in state.enrolments],
    )


def _cycle(state: CycleState) -> CycleView:
    c = state.cycle
    return CycleView(
        programme=c.programme,
        month=c.month,
        status=c.status,
        declared_count=c.declared_count,
        declared_total=format_amount(c.declared_fen),
        drafted_by=c.drafted_by,
        approved_by=c.approved_by,
        first_seq=c.first_seq,
        last_seq=c.last_seq,
    )


def _row(row: RowRecord, full: bool) -> RowView:
    inputs = json.loads(row.inputs)
    if not full:
        inputs["members"] = [
            {**m, "resident_id": mask_resident_id(m["resident_id"])} for m in inputs["members"]
        ]
    return RowView(
        household_no=row.household_no,
        amount=format_amount(row.amount_fen),
        members=row.members,
        status=row.status,
        failures=row.failures,
        paid_seq=row.paid_seq,
        inputs=inputs,
    )


def _bank_file(state: BankFileState, full: bool) -> BankFileView:
    f = state.file
    return BankFileView(
        file_no=f.file_no,
        bank=f.bank_code,
        row_count=f.row_count,
        total=format_amount(f.total_fen),
        sha256=f.sha256,
        issued_by=f.issued_by,
        rows=[
            BankRowView(
                row_no=r.row_no,
                account_no=r.account_no if full else mask_account(r.account_no),
                holder=r.holder,
                amount=format_amount(r.amount_fen),
                memo=r.memo,
                result=r.result,
                reason=r.reason,
                journal_seq=r.journal_seq,
            )
            for r in state.rows
        ],
    )


class HouseholdController(Controller):
    """Households, members and their means."""

    path = "/api/relief/households"
    tags = ["relief"]

    @post("/", **access(Role.CASEWORKER, idempotent=True), operation_id="registerHousehold")
    async def register(
        self, data: JSONBody[HouseholdCreate], request: Request[Principal, Any, Any]
    ) -> HouseholdView:
        """Register a household with its members (one household per person) and bank account."""
        return _household(await _service(request).register(request.user, data), True)

    @get("/", **access(*READERS), operation_id="listHouseholds")
    async def search(
        self,
        request: Request[Principal, Any, Any],
        street: FromQuery[str | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page:
        """Households by number, optionally of one street."""
        rows, total = await _service(request).search(street, limit, offset)
        items = [
            HouseholdSummary(
                r.household_no, r.street, r.community, format_amount(r.monthly_income_fen), r.bank_holder
            )
            for r in rows
        ]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{household_no:str}", **access(*READERS), operation_id="getHousehold")
    async def show(self, household_no: FromPath[str], request: Request[Principal, Any, Any]) -> HouseholdView:
        """A household with its members and enrolments."""
        return _household(await _service(request).household(household_no), _full(request))

    @get("/{household_no:str}/history", **access(*READERS), operation_id="householdHistory")
    async def history(
        self, household_no: FromPath[str], request: Request[Any, Any, Any]
    ) -> list[HistoryLine]:
        """The household's months in every programme: amount, status and the entry of its payment."""
        return [
            HistoryLine(
                programme=programme,
                month=month,
                amount=format_amount(row.amount_fen),
                members=row.members,
                status=row.status,
                failures=row.failures,
                paid_seq=row.paid_seq,
            )
            for programme, month, row in await _service(request).history(household_no)
        ]

    @patch("/{household_no:str}", **access(Role.CASEWORKER), operation_id="updateHousehold")
    async def update(
        self,
        household_no: FromPath[str],
        data: JSONBody[HouseholdUpdate],
        request: Request[Principal, Any, Any],
    ) -> HouseholdView:
        """Change income, assets, rigid spending, address or bank account, as of a date, with a reason."""
        return _household(await _service(request).update(request.user, household_no, data), True)

    @post("/{household_no:str}/members", **access(Role.CASEWORKER), status_code=200, operation_id="addMember")
    async def add_member(
        self, household_no: FromPath[str], data: JSONBody[MemberIn], request: Request[Principal, Any, Any]
    ) -> HouseholdView:
        """Add a member."""
        return _household(await _service(request).add_member(request.user, household_no, data), True)

    @post(
        "/{household_no:str}/departures",
        **access(
            Role.CASEWORKER,
            description="A death recorded after months were paid posts what was paid for later months "
            "Dr Assets:Relief:Recoverable / Cr Expenses:Relief:<Programme>.",
        ),
        status_code=200,
        operation_id="recordDeparture",
    )
    async def leave(
        self, household_no: FromPath[str], data: JSONBody[LeaveIn], request: Request[Principal, Any, Any]
    ) -> HouseholdView:
        """Record that a member left the household or died."""
        state = await _service(request).member_left(
            request.user, household_no, data.resident_id, data.left_on, data.died
        )
        return _household(state, True)


class EnrolmentController(Controller):
    """Applications and enrolments."""

    path = "/api/relief/enrolments"
    tags = ["relief"]

    async def _view(self, request: Request[Any, Any, Any], enrolment: EnrolmentRecord) -> EnrolmentView:
        households = await _service(request).households.by_ids([enrolment.household])
        return _enrolment(enrolment, households[enrolment.household].household_no)

    @post("/", **access(Role.CASEWORKER, idempotent=True), operation_id="applyForRelief")
    async def apply(self, data: JSONBody[ApplyIn], request: Request[Principal, Any, Any]) -> EnrolmentView:
        """File an application; the eligibility reasons are checked and returned."""
        enrolment = await _service(request).apply(request.user, data.household_no, data.programme)
        return await self._view(request, enrolment)

    @get("/{enrolment_no:str}", **access(*READERS), operation_id="getEnrolment")
    async def show(self, enrolment_no: FromPath[str], request: Request[Any, Any, Any]) -> EnrolmentView:
        """An enrolment with its reasons and dates."""
        return await self._view(request, await _service(request).enrolment(enrolment_no))

    @post(
        "/{enrolment_no:str}/approve",
        **access(Role.RELIEF_OFFICER, description="Four eyes: not by whoever filed the application."),
        status_code=200,
        operation_id="approveEnrolment",
    )
    async def approve(
        self, enrolment_no: FromPath[str], data: JSONBody[ApproveIn], request: Request[Principal, Any, Any]
    ) -> EnrolmentView:
        """Approve from an effective month after checking eligibility again."""
        enrolment = await _service(request).approve(request.user, enrolment_no, data.effective_month)
        return await self._view(request, enrolment)

    @post(
        "/{enrolment_no:str}/reject",
        **access(Role.RELIEF_OFFICER),
        status_code=200,
        operation_id="rejectEnrolment",
    )
    async def reject(
        self, enrolment_no: FromPath[str], data: JSONBody[ReasonIn], request: Request[Principal, Any, Any]
    ) -> EnrolmentView:
        """Reject an application with a reason."""
        return await self._view(
            request, await _service(request).reject(request.user, enrolment_no, data.reason)
        )

    @post(
        "/{enrolment_no:str}/suspend",
        **access(Role.RELIEF_OFFICER),
        status_code=200,
        operation_id="suspendEnrolment",
    )
    async def suspend(
        self, enrolment_no: FromPath[str], data: JSONBody[MonthIn], request: Request[Principal, Any, Any]
    ) -> EnrolmentView:
        """Suspend from a month."""
        enrolment = await _service(request).suspend(request.user, enrolment_no, data.month, data.reason)
        return await self._view(request, enrolment)

    @post(
        "/{enrolment_no:str}/resume",
        **access(Role.RELIEF_OFFICER),
        status_code=200,
        operation_id="resumeEnrolment",
    )
    async def resume(
        self, enrolment_no: FromPath[str], data: JSONBody[MonthIn], request: Request[Principal, Any, Any]
    ) -> EnrolmentView:
        """Resume from a month."""
        return await self._view(
            request, await _service(request).resume(request.user, enrolment_no, data.month)
        )

    @post(
        "/{enrolment_no:str}/terminate",
        **access(Role.RELIEF_OFFICER),
        status_code=200,
        operation_id="terminateEnrolment",
    )
    async def terminate(
        self, enrolment_no: FromPath[str], data: JSONBody[TerminateIn], request: Request[Principal, Any, Any]
    ) -> EnrolmentView:
        """End with a last month; what was paid for later months becomes recoverable."""
        enrolment = await _service(request).terminate(
            request.user, enrolment_no, data.last_month, data.reason
        )
        return await self._view(request, enrolment)


class CycleController(Controller):
    """Monthly cycles (发放批次)."""

    path = "/api/relief/cycles"
    tags = ["relief"]

    @post(
        "/",
        **access(
            Role.CASEWORKER,
            Role.RELIEF_OFFICER,
            idempotent=True,
            description="One cycle per programme and month: a second draft is refused with 409.",
        ),
        operation_id="draftCycle",
    )
    async def draft(self, data: JSONBody[CycleIn], request: Request[Principal, Any, Any]) -> CycleView:
        """Draft a programme's month from the registry and the rates, frozen with its inputs."""
        return _cycle(await _service(request).draft(request.user.username, data.programme, data.month))

    @get("/{programme:str}/{month:str}", **access(*READERS), operation_id="getCycle")
    async def show(
        self, programme: FromPath[str], month: FromPath[str], request: Request[Any, Any, Any]
    ) -> CycleView:
        """A cycle's status and declared count and total."""
        return _cycle(await _service(request).cycle(programme, month))

    @get("/{programme:str}/{month:str}/rows", **access(*READERS), operation_id="listCycleRows")
    async def rows(
        self, programme: FromPath[str], month: FromPath[str], request: Request[Principal, Any, Any]
    ) -> list[RowView]:
        """A cycle's rows with their frozen inputs."""
        state = await _service(request).cycle(programme, month)
        return [_row(row, _full(request)) for row in state.rows]

    @post(
        "/{programme:str}/{month:str}/approve",
        **access(
            Role.RELIEF_OFFICER,
            description="Four eyes: not by whoever drafted it. Posts one entry per household, Dr "
            "Expenses:Relief:<Programme> / Cr Liabilities:Relief:Payable.",
        ),
        status_code=200,
        operation_id="approveCycle",
    )
    async def approve(
        self, programme: FromPath[str], month: FromPath[str], request: Request[Principal, Any, Any]
    ) -> CycleView:
        """Approve a drafted cycle."""
        return _cycle(await _service(request).approve_cycle(request.user, programme, month))

    @post(
        "/{programme:str}/{month:str}/close",
        **access(Role.RELIEF_OFFICER),
        status_code=200,
        operation_id="closeCycle",
    )
    async def close(
        self, programme: FromPath[str], month: FromPath[str], request: Request[Principal, Any, Any]
    ) -> CycleView:
        """Close a cycle whose every row is paid."""
        return _cycle(await _service(request).close_cycle(request.user, programme, month))


class BankController(Controller):
    """Bank files, return files, appropriations, the account statement and its reconciliation."""

    path = "/api/relief/bank"
    tags = ["relief"]

    @post("/files", **access(Role.ACCOUNTANT, idempotent=True), operation_id="issueBankFile")
    async def issue(self, data: JSONBody[BankFileIn], request: Request[Principal, Any, Any]) -> BankFileView:
        """Issue a batch file of every payable row of approved cycles for one bank."""
        return _bank_file(await _service(request).issue(request.user, data.bank), True)

    @get(
        "/files/{file_no:str}",
        **access(Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN),
        operation_id="getBankFile",
    )
    async def show(self, file_no: FromPath[str], request: Request[Principal, Any, Any]) -> BankFileView:
        """A bank file and its rows (accounts in full for the accountant who sends it)."""
        return _bank_file(await _service(request).bank_file(file_no), request.user.role is Role.ACCOUNTANT)

    @get(
        "/files/{file_no:str}/{fmt:str}",
        **access(Role.ACCOUNTANT),
        operation_id="downloadBankFile",
    )
    async def download(
        self, file_no: FromPath[str], fmt: FromPath[str], request: Request[Any, Any, Any]
    ) -> Response[bytes]:
        """The file as sent (``csv``, whose SHA-256 is on the file) or as ``xlsx``."""
        content, media = await _service(request).bank_file_export(file_no, fmt)
        return Response(content, media_type=media)

    @post(
        "/files/{file_no:str}/returns",
        **access(
            Role.ACCOUNTANT,
            description="CSV with row_no, result (paid / failed), reason. Paid rows post Dr "
            "Liabilities:Relief:Payable / Cr Assets:Relief:Bank; failed rows wait for a later file.",
        ),
        status_code=200,
        operation_id="importBankReturns",
    )
    async def returns(
        self, file_no: FromPath[str], data: JSONBody[ContentIn], request: Request[Principal, Any, Any]
    ) -> BankFileView:
        """Read the bank's return file."""
        return _bank_file(await _service(request).import_returns(request.user, file_no, data.content), True)

    @post("/appropriations", **access(Role.ACCOUNTANT, idempotent=True), operation_id="recordAppropriation")
    async def appropriation(
        self, data: JSONBody[AppropriationIn], request: Request[Principal, Any, Any]
    ) -> AppropriationView:
        """Record an appropriation (Dr Assets:Relief:Bank / Cr Income:Relief:Appropriation)."""
        seq = await _service(request).record_appropriation(
            request.user, data.amount, data.received_on, data.reference
        )
        return AppropriationView(journal_seq=seq)

    @post("/statements", **access(Role.ACCOUNTANT), status_code=200, operation_id="importBankStatement")
    async def statement(self, data: JSONBody[ContentIn], request: Request[Principal, Any, Any]) -> ImportView:
        """Import the relief account's statement (CSV: date, amount, reference, description)."""
        return ImportView(imported=await _service(request).import_statement(request.user, data.content))

    @get(
        "/reconciliation",
        **access(Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN),
        operation_id="reconcileReliefBank",
    )
    async def reconcile(
        self,
        request: Request[Any, Any, Any],
        date_from: Annotated[dt.date, QueryParameter(name="from", description="first day YYYY-MM-DD")],
        date_to: Annotated[dt.date, QueryParameter(name="to", description="last day YYYY-MM-DD")],
    ) -> ReconciliationView:
        """The statement against Assets:Relief:Bank, listing what is unmatched on each side."""
        found = await _service(request).reconcile(date_from, date_to)
        return ReconciliationView(
            matched=found.matched,
            statement_only=found.statement_only,
            ledger_only=found.ledger_only,
            statement_total=format_amount(found.statement_fen),
            ledger_total=format_amount(found.ledger_fen),
            balanced=not found.statement_only and not found.ledger_only,
        )


ROUTES: list[Any] = [HouseholdController, EnrolmentController, CycleController, BankController]
