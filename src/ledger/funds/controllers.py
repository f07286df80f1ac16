"""HTTP routes of the funds domain. Thin: validate, call one service method, return a schema.

Roles: accountants record receipts, organisations, calls, applications, tranches, returns and period
closes; accountants and administrators review and decide (never the recorder or a reviewer of the
same case, never a user linked to the organisation: four eyes, conflicts of interest); auditors read.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, JSONBody

from ledger.config import Settings
from ledger.core import clock
from ledger.funds import schemas as s
from ledger.funds.service import ApplicationService, FundService, GrantService, fund_config
from ledger.platform.domain import Principal, Role
from ledger.web.auth import access
from ledger.web.choices import ApplicationStatusCode, GrantStatusCode
from ledger.web.params import Limit, Number, Offset, RowId, RowIdQuery

READERS = (Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN)
RECORDERS = (Role.ACCOUNTANT,)
DECIDERS = (Role.ACCOUNTANT, Role.ADMIN)
UserRequest = Request[Principal, Any, Any]


def _settings(request: UserRequest) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


class FundController(Controller):
    """Funds, receipts, positions and period closes of the charity book."""

    path = "/api/funds"
    tags = ["funds"]

    @get("/", **access(*READERS), operation_id="listFunds")
    async def list_funds(self, request: UserRequest) -> list[s.FundView]:
        """Every fund."""
        return [s.FundView.of(row) for row in await FundService(_settings(request)).all_funds()]

    @post("/", **access(*DECIDERS, idempotent=True), operation_id="createFund")
    async def create_fund(self, data: JSONBody[s.FundCreate], request: UserRequest) -> s.FundView:
        """Create a fund with its purpose and restriction."""
        row = await FundService(_settings(request)).create_fund(
            code=data.code,
            name=data.name,
            purpose=data.purpose,
            restriction=data.restriction,
            actor=request.user,
        )
        return s.FundView.of(row)

    @get("/{fund_id:int}", **access(*READERS), operation_id="getFund")
    async def get_fund(self, fund_id: RowId, request: UserRequest) -> s.FundView:
        """One fund."""
        return s.FundView.of(await FundService(_settings(request)).fund(fund_id))

    @get("/{fund_id:int}/position", **access(*READERS), operation_id="getFundPosition")
    async def position(self, fund_id: RowId, request: UserRequest) -> s.PositionView:
        """Received, committed but unpaid, paid, returned and available, as decimal strings.

        ``received = available + committed_unpaid + paid - returned``; ``bank`` equals the balance of
        Assets:Charity:Bank for a fund with its own account, ``payable`` that of 2209.
        """
        position = await FundService(_settings(request)).fund_position(fund_id)
        return s.PositionView.of(fund_id, position)

    @post(
        "/{fund_id:int}/receipts",
        **access(*RECORDERS, idempotent=True, description="Dr 1002 / Cr 440102 or 410102, posted at once."),
        operation_id="recordReceipt",
    )
    async def record_receipt(
        self, fund_id: RowId, data: JSONBody[s.ReceiptCreate], request: UserRequest
    ) -> s.ReceiptView:
        """Record the guidance grant or a donation received into the fund."""
        row = await FundService(_settings(request)).record_receipt(
            fund_id,
            kind=data.kind,
            amount_fen=data.amount_fen(),
            donor=data.donor,
            agreement=data.agreement,
            reference=data.reference,
            received_on=data.received_on,
            actor=request.user,
        )
        return s.ReceiptView.of(row)

    @get("/{fund_id:int}/receipts", **access(*READERS), operation_id="listReceipts")
    async def receipts(
        self, fund_id: RowId, request: UserRequest, limit: Limit = 100, offset: Offset = 0
    ) -> list[s.ReceiptView]:
        """A fund's receipts, oldest first."""
        rows = await FundService(_settings(request)).receipts(fund_id, limit=limit, offset=offset)
        return [s.ReceiptView.of(r) for r in rows]

    @post(
        "/period-closes",
        **access(
            *RECORDERS,
            idempotent=True,
            description="Also run monthly by the job `funds-period-close`; each period closes once.",
        ),
        operation_id="closePeriod",
    )
    async def close_period(
        self, data: JSONBody[s.PeriodCloseRequest], request: UserRequest
    ) -> s.PeriodCloseView:
        """Close a finished period of the charity book: income and expense into net assets."""
        row = await FundService(_settings(request)).close_period(data.period, actor=request.user)
        return s.PeriodCloseView.of(row)

    @get("/period-closes", **access(*READERS), operation_id="listPeriodCloses")
    async def period_closes(self, request: UserRequest) -> list[s.PeriodCloseView]:
        """Closed periods, oldest first."""
        return [s.PeriodCloseView.of(r) for r in await FundService(_settings(request)).closed_periods()]


class GranteeController(Controller):
    """Social organisations and conflict-of-interest links."""

    path = "/api/grantees"
    tags = ["funds"]

    @get("/", **access(*READERS), operation_id="listGrantees")
    async def list_grantees(
        self, request: UserRequest, limit: Limit = 100, offset: Offset = 0
    ) -> list[s.GranteeView]:
        """Organisations by id."""
        rows = await ApplicationService(_settings(request)).grantee_page(limit=limit, offset=offset)
        return [s.GranteeView.of(row) for row in rows]

    @post("/", **access(*RECORDERS, idempotent=True), operation_id="createGrantee")
    async def create_grantee(self, data: JSONBody[s.GranteeCreate], request: UserRequest) -> s.GranteeView:
        """Register an organisation under its validated unified social credit code (GB 32100-2015)."""
        row = await ApplicationService(_settings(request)).add_grantee(
            credit_code=data.credit_code,
            name=data.name,
            contact_person=data.contact_person,
            contact_phone=data.contact_phone,
            bank_name=data.bank_name,
            bank_account=data.bank_account,
            actor=request.user,
        )
        return s.GranteeView.of(row)

    @get("/{grantee_id:int}", **access(*READERS), operation_id="getGrantee")
    async def get_grantee(self, grantee_id: RowId, request: UserRequest) -> s.GranteeView:
        """One organisation with its conflict-of-interest links."""
        return s.GranteeView.of(*await ApplicationService(_settings(request)).grantee_detail(grantee_id))

    @post("/{grantee_id:int}/conflicts", **access(*DECIDERS, idempotent=True), operation_id="linkConflict")
    async def link_conflict(
        self, grantee_id: RowId, data: JSONBody[s.ConflictLinkCreate], request: UserRequest
    ) -> s.ConflictLinkView:
        """Link a user to the organisation: they may no longer review or decide its cases."""
        row = await ApplicationService(_settings(request)).link_conflict(
            grantee_id, username=data.username, reason=data.reason, actor=request.user
        )
        return s.ConflictLinkView.of(row)


class CallController(Controller):
    """Calls for applications."""

    path = "/api/calls"
    tags = ["funds"]

    @get("/", **access(*READERS), operation_id="listCalls")
    async def list_calls(
        self, request: UserRequest, limit: Limit = 100, offset: Offset = 0
    ) -> list[s.CallView]:
        """Calls by id."""
        rows = await ApplicationService(_settings(request)).call_page(limit=limit, offset=offset)
        return [s.CallView.of(row) for row in rows]

    @post("/", **access(*RECORDERS, idempotent=True), operation_id="createCall")
    async def create_call(self, data: JSONBody[s.CallCreate], request: UserRequest) -> s.CallView:
        """Open a call: budget, window, matching rule and tranche split (defaults from fund.toml)."""
        row = await ApplicationService(_settings(request)).create_call(
            data.fund_id,
            title=data.title,
            budget_fen=data.budget_fen(),
            opens_on=data.opens_on,
            closes_on=data.closes_on,
            rule=data.matching_rule(fund_config().matching),
            tranche_percents=data.tranche_percents,
            actor=request.user,
        )
        return s.CallView.of(row)

    @get("/{call_id:int}", **access(*READERS), operation_id="getCall")
    async def get_call(self, call_id: RowId, request: UserRequest) -> s.CallView:
        """One call."""
        return s.CallView.of(await ApplicationService(_settings(request)).call(call_id))


class ApplicationController(Controller):
    """Applications, reviews and decisions."""

    path = "/api/applications"
    tags = ["funds"]

    @get("/", **access(*READERS), operation_id="listApplications")
    async def list_applications(
        self,
        request: UserRequest,
        call_id: RowIdQuery = None,
        status: FromQuery[ApplicationStatusCode | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[s.ApplicationView]:
        """Applications by id, optionally of one call or in one status."""
        rows = await ApplicationService(_settings(request)).application_page(
            call_id=call_id, status=status, limit=limit, offset=offset
        )
        return [s.ApplicationView.of(row) for row in rows]

    @post("/", **access(*RECORDERS, idempotent=True), operation_id="recordApplication")
    async def record_application(
        self, data: JSONBody[s.ApplicationCreate], request: UserRequest
    ) -> s.ApplicationView:
        """Record an application, checked against the call's window and matching rule."""
        budget, requested, pledged = data.amounts()
        row = await ApplicationService(_settings(request)).record_application(
            data.call_id,
            grantee_id=data.grantee_id,
            project=data.project,
            project_budget_fen=budget,
            requested_fen=requested,
            pledged_fen=pledged,
            submitted_on=data.submitted_on,
            actor=request.user,
        )
        return s.ApplicationView.of(row)

    @get("/{application_id:int}", **access(*READERS), operation_id="getApplication")
    async def get_application(self, application_id: RowId, request: UserRequest) -> s.ApplicationView:
        """One application with its reviews."""
        service = ApplicationService(_settings(request))
        row = await service.application(application_id)
        return s.ApplicationView.of(row, await service.reviews(application_id))

    @post("/{application_id:int}/reviews", **access(*DECIDERS), operation_id="reviewApplication")
    async def review(
        self, application_id: RowId, data: JSONBody[s.ReviewCreate], request: UserRequest
    ) -> s.ApplicationView:
        """Record the signed-in user's score and notes (not the recorder's, not a linked user's)."""
        service = ApplicationService(_settings(request))
        row = await service.review(application_id, score=data.score, notes=data.notes, actor=request.user)
        return s.ApplicationView.of(row, await service.reviews(application_id))

    @post(
        "/{application_id:int}/approve",
        **access(
            *DECIDERS,
            idempotent=True,
            description="By someone who neither recorded nor reviewed it, not linked to the organisation.",
        ),
        operation_id="approveApplication",
    )
    async def approve(
        self, application_id: RowId, data: JSONBody[s.ApprovalRequest], request: UserRequest
    ) -> s.GrantView:
        """Approve an amount ≤ requested: it is committed at once (a grant awaiting its agreement)."""
        grant = await ApplicationService(_settings(request)).approve(
            application_id, approved_fen=data.approved_fen(), actor=request.user
        )
        return s.GrantView.of(grant)

    @post("/{application_id:int}/reject", **access(*DECIDERS), operation_id="rejectApplication")
    async def reject(
        self, application_id: RowId, data: JSONBody[s.ReasonRequest], request: UserRequest
    ) -> s.ApplicationView:
        """Reject with a reason (four eyes and conflicts of interest as for approval)."""
        row = await ApplicationService(_settings(request)).reject(
            application_id, reason=data.reason, actor=request.user
        )
        return s.ApplicationView.of(row)


class GrantController(Controller):
    """Grants: agreement, tranches, reports, returns, cancellation and closing."""

    path = "/api/grants"
    tags = ["funds"]

    @get("/", **access(*READERS), operation_id="listGrants")
    async def list_grants(
        self,
        request: UserRequest,
        status: FromQuery[GrantStatusCode | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[s.GrantView]:
        """Grants by id, optionally in one status."""
        rows = await GrantService(_settings(request)).grant_page(status=status, limit=limit, offset=offset)
        return [s.GrantView.of(row) for row in rows]

    @get("/{grant_id:int}", **access(*READERS), operation_id="getGrant")
    async def get_grant(self, grant_id: RowId, request: UserRequest) -> s.GrantView:
        """One grant with its tranches, reports and returns."""
        return s.GrantView.of(*await GrantService(_settings(request)).detail(grant_id))

    @post(
        "/{grant_id:int}/sign",
        **access(*RECORDERS, idempotent=True, description="Posts Dr 5101 / Cr 2209 and Dr 3102 / Cr 3101."),
        operation_id="signGrant",
    )
    async def sign(self, grant_id: RowId, data: JSONBody[s.SignRequest], request: UserRequest) -> s.GrantView:
        """Record the signed agreement: the commitment enters the books."""
        row = await GrantService(_settings(request)).sign(
            grant_id, agreement=data.agreement, signed_on=data.signed_on, actor=request.user
        )
        return s.GrantView.of(row)

    @post(
        "/{grant_id:int}/tranches/{n:int}/pay",
        **access(*RECORDERS, idempotent=True, description="Posts Dr 2209 / Cr 1002."),
        operation_id="payTranche",
    )
    async def pay_tranche(
        self,
        grant_id: RowId,
        n: Number,
        data: JSONBody[s.TranchePayment],
        request: UserRequest,
    ) -> s.GrantView:
        """Pay tranche n; a later tranche needs the report on the previous one accepted."""
        row = await GrantService(_settings(request)).pay_tranche(
            grant_id, n, paid_on=data.paid_on, payment_ref=data.payment_ref, actor=request.user
        )
        return s.GrantView.of(row)

    @post("/{grant_id:int}/reports", **access(*RECORDERS, idempotent=True), operation_id="submitReport")
    async def submit_report(
        self, grant_id: RowId, data: JSONBody[s.ReportCreate], request: UserRequest
    ) -> s.ReportView:
        """Record the grantee's report on the latest tranche."""
        row = await GrantService(_settings(request)).submit_report(
            grant_id, summary=data.summary, submitted_on=data.submitted_on, actor=request.user
        )
        return s.ReportView.of(row)

    @post(
        "/{grant_id:int}/reports/{report_id:int}/accept",
        **access(
            *DECIDERS, description="Not by the report's recorder; final acceptance releases the unpaid rest."
        ),
        operation_id="acceptReport",
    )
    async def accept_report(
        self,
        grant_id: RowId,
        report_id: RowId,
        data: JSONBody[s.ReportAcceptance],
        request: UserRequest,
    ) -> s.GrantView:
        """Accept a report; the final one (or one marked final) ends the project."""
        row = await GrantService(_settings(request)).accept_report(
            grant_id,
            report_id,
            final=data.final,
            notes=data.notes,
            accepted_on=data.accepted_on or clock.today(),
            actor=request.user,
        )
        return s.GrantView.of(row)

    @post(
        "/{grant_id:int}/reports/{report_id:int}/send-back",
        **access(*DECIDERS),
        operation_id="sendBackReport",
    )
    async def send_back_report(
        self,
        grant_id: RowId,
        report_id: RowId,
        data: JSONBody[s.ReportSendBack],
        request: UserRequest,
    ) -> s.GrantView:
        """Send a report back with notes."""
        row = await GrantService(_settings(request)).send_back_report(
            grant_id, report_id, notes=data.notes, actor=request.user
        )
        return s.GrantView.of(row)

    @post(
        "/{grant_id:int}/returns",
        **access(*RECORDERS, idempotent=True, description="Posts Dr 1002 / Cr 5101 and Dr 3101 / Cr 3102."),
        operation_id="recordReturn",
    )
    async def record_return(
        self, grant_id: RowId, data: JSONBody[s.ReturnCreate], request: UserRequest
    ) -> s.GrantView:
        """Record unspent money paid back (after final acceptance or cancellation)."""
        row = await GrantService(_settings(request)).record_return(
            grant_id,
            amount_fen=data.amount_fen(),
            returned_on=data.returned_on,
            reference=data.reference,
            actor=request.user,
        )
        return s.GrantView.of(row)

    @post(
        "/{grant_id:int}/cancel",
        **access(
            *DECIDERS, description="Releases the unpaid commitment (posted if the agreement was signed)."
        ),
        operation_id="cancelGrant",
    )
    async def cancel(
        self, grant_id: RowId, data: JSONBody[s.CancelRequest], request: UserRequest
    ) -> s.GrantView:
        """Cancel a grant with a reason."""
        row = await GrantService(_settings(request)).cancel(
            grant_id, reason=data.reason, cancelled_on=data.cancelled_on or clock.today(), actor=request.user
        )
        return s.GrantView.of(row)

    @post("/{grant_id:int}/close", **access(*RECORDERS), operation_id="closeGrant")
    async def close(self, grant_id: RowId, request: UserRequest) -> s.GrantView:
        """Close a grant whose final report is accepted."""
        return s.GrantView.of(await GrantService(_settings(request)).close(grant_id, actor=request.user))


ROUTES: list[Any] = [
    FundController,
    GranteeController,
    CallController,
    ApplicationController,
    GrantController,
]
