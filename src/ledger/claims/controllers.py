"""HTTP routes of the claims domain: parse the request, call the service, and map the rows it returns to
the response schemas by hand (``_claim_view`` and the other ``_*_view`` helpers below), masking resident IDs.

Who does what: adjusters record events, register, update, collect documents and assess; approvers
approve, reject, reopen and override the duplicate check; accountants pay approved claims and record
premium receipts (payment is kept apart from the decision, a second pair of eyes on the money);
auditors and administrators read everything. Resident IDs are shown in full only to adjusters and
approvers.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from ledger.claims.domain import ClaimStatus, OverdueClock, allowed_actions, check_upload
from ledger.claims.records import ClaimPayment, DocumentRecord, EventRecord
from ledger.claims.repository import ClaimFilter, Row
from ledger.claims.schemas import (
    ApproveIn,
    AssessIn,
    ChecklistItem,
    ClaimCreate,
    ClaimSummary,
    ClaimUpdate,
    ClaimView,
    DocumentsView,
    DocumentView,
    DuplicateOverrideIn,
    EventCreate,
    EventView,
    LineView,
    Page,
    PaymentIn,
    PaymentView,
    PolicyYearView,
    PremiumCreate,
    PremiumView,
    ReasonIn,
    RejectIn,
    TransitionView,
)
from ledger.claims.service import FULL_ID_ROLES, ClaimsService
from ledger.core.ids import mask_resident_id
from ledger.core.money import format_amount
from ledger.core.records import view
from ledger.platform.domain import Principal, Role
from ledger.web.auth import access
from ledger.web.choices import ClaimStatusCode, DocumentTypeCode, PerilCode, StreetName
from ledger.web.params import Limit, Offset, RowId

EVERYONE = (Role.ADJUSTER, Role.APPROVER, Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN)
ClaimNo = FromPath[str]


def _service(request: Request[Any, Any, Any]) -> ClaimsService:
    return ClaimsService(request.app.state.settings)


def _id(number: str, full: bool) -> str:
    return number if full else mask_resident_id(number)


def _claim_view(row: Row) -> ClaimView:
    full = bool(row["full_ids"])
    lines = [
        {
            "line": line["position"],
            "head": line["head"],
            "claimed": format_amount(line["claimed_fen"]),
            "grade": line["grade"],
            "unreimbursed": None
            if line["unreimbursed_fen"] is None
            else format_amount(line["unreimbursed_fen"]),
            "rule_version": line["rule_version"],
            "rule_amount": format_amount(line["rule_fen"]),
            "payable": format_amount(line["payable_fen"]),
            "approved": format_amount(line["approved_fen"]),
            "lowered_reason": line["lowered_reason"],
            "trail": json.loads(line["trail"]),
        }
        for line in row["lines"]
    ]
    return ClaimView(
        claim_no=row["claim_no"],
        event_no=row["event_no"],
        policy_year=row["policy_year_code"],
        peril=row["peril"],
        street=row["street"],
        scheme=row["scheme"],
        incident_date=row["incident_date"],
        status=row["status"],
        status_cn=ClaimStatus(row["status"]).cn,
        claimant_name=row["claimant_name"],
        claimant_relation=row["claimant_relation"],
        claimant_id=_id(row["claimant_id"], full),
        victim_name=row["victim_name"],
        victim_id=_id(row["victim_id"], full),
        household=_id(row["household"], full),
        household_status=row["household_status"],
        bank_name=row["bank_name"],
        bank_account=row["bank_account"],
        lines=[LineView(**line) for line in lines],
        assessed=format_amount(row["assessed_fen"]),
        approved=format_amount(row["approved_fen"]),
        reduced_to=None if row["reduced_to_fen"] is None else format_amount(row["reduced_to_fen"]),
        reduction_reason=row["reduction_reason"],
        paid=format_amount(row["paid_fen"]),
        approvals_required=row["approvals_required"],
        registered_by=row["registered_by"],
        assessed_by=row["assessed_by"],
        approvers=[name for name in (row["first_approver"], row["second_approver"]) if name],
        rejection_code=row["rejection_code"],
        duplicate_of=row["duplicate_of"],
        override_reason=row["override_reason"],
        documents_requested=json.loads(row["documents_requested"]),
        decision_due=row["decision_due"],
        payment_due=row["payment_due"],
        advance_payment_due=row["advance_payment_due"],
        rejection_notice_due=row["rejection_notice_due"],
        limitation_ends=row["limitation_ends"],
        overdue=row["overdue"],
        overdue_reasons=[OverdueClock(code) for code in row["overdue_reasons"].split(",") if code],
        allowed_actions=[a.value for a in allowed_actions(row["status"])],
    )


def _summary(row: Row, full: bool) -> ClaimSummary:
    return ClaimSummary(
        claim_no=row["claim_no"],
        event_no=row["event_no"],
        peril=row["peril"],
        street=row["street"],
        incident_date=row["incident_date"],
        status=row["status"],
        victim_name=row["victim_name"],
        victim_id=_id(row["victim_id"], full),
        assessed=format_amount(row["assessed_fen"]),
        approved=format_amount(row["approved_fen"]),
        paid=format_amount(row["paid_fen"]),
        decision_due=row["decision_due"],
        payment_due=row["payment_due"],
        overdue=row["overdue"],
    )


def _event_view(event: EventRecord, service: ClaimsService) -> EventView:
    return view(
        EventView, event, policy_year=event.policy_year_code, peril_cn=service.policy.peril(event.peril).cn
    )


def _document_view(document: DocumentRecord) -> DocumentView:
    return view(DocumentView, document, verified=bool(document.verified_by))


def _payment_view(payment: ClaimPayment) -> PaymentView:
    return view(
        PaymentView, payment, amount=format_amount(payment.fen), claim_paid=format_amount(payment.claim_paid)
    )


class PolicyYearController(Controller):
    """Policy years and premium receipts."""

    path = "/api/policy-years"
    tags = ["claims"]

    @get("/", **access(*EVERYONE), operation_id="listPolicyYears")
    async def list_years(self, request: Request[Any, Any, Any]) -> list[PolicyYearView]:
        """The configured policy years with premium received and limit use."""
        return [
            PolicyYearView(
                code=item["year"].code,
                insurer=item["year"].insurer,
                policyholder=item["year"].policyholder,
                starts=item["year"].starts,
                ends=item["year"].ends,
                insured_population=item["year"].insured_population,
                premium=format_amount(item["year"].premium_fen),
                premium_received=format_amount(item["premium_received"]),
                per_policy_year_limit=format_amount(item["limit"]),
                assessed=format_amount(item["assessed"]),
                approved=format_amount(item["approved"]),
                paid=format_amount(item["paid"]),
            )
            for item in await _service(request).policy_years()
        ]

    @post(
        "/{code:str}/premiums",
        **access(
            Role.ACCOUNTANT,
            Role.ADMIN,
            idempotent=True,
            description="Posts Dr Assets:Insurance:Bank / Cr Income:Insurance:Premium in the same "
            "transaction.",
        ),
        operation_id="recordPremium",
    )
    async def record_premium(
        self, code: FromPath[str], data: JSONBody[PremiumCreate], request: Request[Principal, Any, Any]
    ) -> PremiumView:
        """Record a premium receipt of a policy year."""
        row = await _service(request).record_premium(
            request.user, code, data.amount, data.received_on, data.reference
        )
        return PremiumView(
            policy_year=row["policy_year"],
            amount=format_amount(row["fen"]),
            received_on=row["received_on"],
            reference=row["reference"],
            journal_seq=row["journal_seq"],
            recorded_by=row["recorded_by"],
        )


class EventController(Controller):
    """Insured events (出险事件)."""

    path = "/api/events"
    tags = ["claims"]

    @post("/", **access(Role.ADJUSTER, idempotent=True), operation_id="createEvent")
    async def create_event(
        self, data: JSONBody[EventCreate], request: Request[Principal, Any, Any]
    ) -> EventView:
        """Record an event; its street must be one of the district's streets."""
        service = _service(request)
        event = await service.create_event(
            request.user,
            incident_date=data.incident_date,
            street=data.street,
            place=data.place,
            peril=data.peril,
            authority=data.authority,
            certificate_no=data.certificate_no,
            description=data.description,
        )
        return _event_view(event, service)

    @get("/", **access(*EVERYONE), operation_id="listEvents")
    async def list_events(
        self,
        request: Request[Any, Any, Any],
        peril: FromQuery[PerilCode | None] = None,
        street: FromQuery[StreetName | None] = None,
        date_from: FromQuery[dt.date | None] = None,
        date_to: FromQuery[dt.date | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page:
        """Events newest first, filtered by peril, street and incident dates."""
        service = _service(request)
        rows, total = await service.search_events(
            peril=peril, street=street, date_from=date_from, date_to=date_to, limit=limit, offset=offset
        )
        return Page(items=[_event_view(r, service) for r in rows], total=total, limit=limit, offset=offset)

    @get("/{event_no:str}", **access(*EVERYONE), operation_id="getEvent")
    async def get_event(self, event_no: FromPath[str], request: Request[Any, Any, Any]) -> EventView:
        """One event."""
        service = _service(request)
        return _event_view(await service.event(event_no), service)


class ClaimController(Controller):
    """Claims: registration, documents, assessment, decisions, payments."""

    path = "/api/claims"
    tags = ["claims"]

    @post(
        "/",
        **access(
            Role.ADJUSTER,
            Role.APPROVER,
            idempotent=True,
            description="A duplicate (same victim and event, or same peril within the window) is refused "
            "with 409 naming the other claim; only an approver may override it with `override_reason`.",
        ),
        operation_id="registerClaim",
    )
    async def register(self, data: JSONBody[ClaimCreate], request: Request[Principal, Any, Any]) -> ClaimView:
        """Register a claim."""
        return _claim_view(await _service(request).register(request.user, data))

    @get("/", **access(*EVERYONE), operation_id="listClaims")
    async def list_claims(
        self,
        request: Request[Principal, Any, Any],
        status: FromQuery[ClaimStatusCode | None] = None,
        peril: FromQuery[PerilCode | None] = None,
        street: FromQuery[StreetName | None] = None,
        date_from: FromQuery[dt.date | None] = None,
        date_to: FromQuery[dt.date | None] = None,
        victim_id: FromQuery[str | None] = None,
        overdue: FromQuery[bool | None] = None,
        event_no: FromQuery[str | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page:
        """Claims newest first, filtered by status, peril, street, incident dates, victim ID and overdue."""
        criteria = ClaimFilter(
            status=status,
            peril=peril,
            street=street,
            date_from=date_from,
            date_to=date_to,
            victim_id=victim_id,
            overdue=overdue,
            event_no=event_no,
        )
        rows, total = await _service(request).search(criteria, limit=limit, offset=offset)
        full = request.user.role in FULL_ID_ROLES
        return Page(items=[_summary(r, full) for r in rows], total=total, limit=limit, offset=offset)

    @get("/{claim_no:str}", **access(*EVERYONE), operation_id="getClaim")
    async def get_claim(self, claim_no: ClaimNo, request: Request[Principal, Any, Any]) -> ClaimView:
        """One claim with its lines and assessment trail."""
        return _claim_view(await _service(request).claims_view(claim_no, request.user))

    @patch("/{claim_no:str}", **access(Role.ADJUSTER), operation_id="updateClaim")
    async def update(
        self, claim_no: ClaimNo, data: JSONBody[ClaimUpdate], request: Request[Principal, Any, Any]
    ) -> ClaimView:
        """Change a claim's details or lines before it is assessed."""
        return _claim_view(await _service(request).update(request.user, claim_no, data))

    @get("/{claim_no:str}/transitions", **access(*EVERYONE), operation_id="listClaimTransitions")
    async def transitions(self, claim_no: ClaimNo, request: Request[Any, Any, Any]) -> list[TransitionView]:
        """The claim's status changes: actor, time, from, to, reason."""
        rows = await _service(request).transitions(claim_no)
        return [view(TransitionView, r) for r in rows]

    @get("/{claim_no:str}/documents", **access(*EVERYONE), operation_id="getClaimDocuments")
    async def documents(self, claim_no: ClaimNo, request: Request[Any, Any, Any]) -> DocumentsView:
        """The checklist (required / received / verified), the documents and the one-time notice."""
        found = await _service(request).documents(claim_no)
        return DocumentsView(
            checklist=[ChecklistItem(**item) for item in found["checklist"]],
            documents=[_document_view(d) for d in found["documents"]],
            requested=found["requested"],
        )

    @post(
        "/{claim_no:str}/documents",
        **access(
            Role.ADJUSTER,
            description="The request body is the file itself; `Content-Type` must be an accepted type "
            "(413 above the size limit, 415 for another type). Stored by its sha256.",
        ),
        operation_id="uploadClaimDocument",
    )
    async def upload(
        self,
        claim_no: ClaimNo,
        document_type: FromQuery[DocumentTypeCode],
        request: Request[Principal, Any, Any],
    ) -> DocumentView:
        """Upload one document of a claim."""
        service = _service(request)
        declared = int(request.headers.get("content-length") or 0)
        limits = service.upload_limits()
        if declared > limits.max_bytes:  # refuse before reading a body that is too large
            check_upload(declared, request.headers.get("content-type", ""), limits)
        content = await request.body()
        row = await service.upload(
            request.user, claim_no, document_type, request.headers.get("content-type", ""), content
        )
        return _document_view(row)

    @post(
        "/{claim_no:str}/documents/{document_id:int}/verify",
        **access(Role.ADJUSTER),
        status_code=200,
        operation_id="verifyClaimDocument",
    )
    async def verify(
        self, claim_no: ClaimNo, document_id: RowId, request: Request[Principal, Any, Any]
    ) -> DocumentView:
        """Mark a received document verified."""
        return _document_view(await _service(request).verify(request.user, claim_no, document_id))

    @post(
        "/{claim_no:str}/request-documents",
        **access(Role.ADJUSTER),
        status_code=200,
        operation_id="requestClaimDocuments",
    )
    async def request_documents(self, claim_no: ClaimNo, request: Request[Principal, Any, Any]) -> ClaimView:
        """Ask once, as one list, for every missing document (一次性告知)."""
        return _claim_view(await _service(request).request_documents(request.user, claim_no))

    @post(
        "/{claim_no:str}/documents-complete",
        **access(Role.ADJUSTER),
        status_code=200,
        operation_id="completeClaimDocuments",
    )
    async def documents_complete(self, claim_no: ClaimNo, request: Request[Principal, Any, Any]) -> ClaimView:
        """Start the review once every checklist line is verified; the 30-day decision clock starts."""
        return _claim_view(await _service(request).documents_complete(request.user, claim_no))

    @post("/{claim_no:str}/assess", **access(Role.ADJUSTER), status_code=200, operation_id="assessClaim")
    async def assess(
        self, claim_no: ClaimNo, data: JSONBody[AssessIn], request: Request[Principal, Any, Any]
    ) -> ClaimView:
        """Assess every line with its explanation trail; lower a line only with a reason."""
        return _claim_view(await _service(request).assess(request.user, claim_no, data.adjustments))

    @post(
        "/{claim_no:str}/approve",
        **access(
            Role.APPROVER,
            description="Four eyes: not by whoever registered or assessed the claim; above the configured "
            "amount a second, different approver is needed. An event past its limit is scaled back. "
            "approved_amount approves less than assessed (more than 0, 2 decimals), with a "
            "reduction_reason; the payment desk may pay no more.",
        ),
        status_code=200,
        operation_id="approveClaim",
    )
    async def approve(
        self, claim_no: ClaimNo, data: JSONBody[ApproveIn], request: Request[Principal, Any, Any]
    ) -> ClaimView:
        """Approve the assessed claim, as assessed or for less with a reason."""
        row = await _service(request).approve(
            request.user, claim_no, data.reason, data.approved_amount, data.reduction_reason
        )
        return _claim_view(row)

    @post(
        "/{claim_no:str}/override-duplicate",
        **access(
            Role.APPROVER,
            description="An assessed claim whose victim has another claim for the same event (or peril "
            "within the window) is refused approval with 409 until an approver overrides the duplicate "
            "with an `override_reason`; four eyes as for approval; audited.",
        ),
        status_code=200,
        operation_id="overrideClaimDuplicate",
    )
    async def override_duplicate(
        self, claim_no: ClaimNo, data: JSONBody[DuplicateOverrideIn], request: Request[Principal, Any, Any]
    ) -> ClaimView:
        """Accept a duplicate found on the approval queue, with a reason."""
        return _claim_view(
            await _service(request).override_duplicate(request.user, claim_no, data.override_reason)
        )

    @post("/{claim_no:str}/reject", **access(Role.APPROVER), status_code=200, operation_id="rejectClaim")
    async def reject(
        self, claim_no: ClaimNo, data: JSONBody[RejectIn], request: Request[Principal, Any, Any]
    ) -> ClaimView:
        """Reject with a coded reason."""
        return _claim_view(
            await _service(request).reject(request.user, claim_no, data.reason_code, data.note)
        )

    @post(
        "/{claim_no:str}/payments",
        **access(
            Role.ACCOUNTANT,
            idempotent=True,
            description="Paid by the accountant, never by whoever decided the claim. Posts Dr "
            "Expenses:Insurance:Claims:<Peril> / Cr Assets:Insurance:Bank in the same transaction.",
        ),
        operation_id="payClaim",
    )
    async def pay(
        self, claim_no: ClaimNo, data: JSONBody[PaymentIn], request: Request[Principal, Any, Any]
    ) -> PaymentView:
        """Pay an advance, interim or final payment of the approved amount."""
        row = await _service(request).pay(request.user, claim_no, data.kind, data.amount, data.reference)
        return _payment_view(row)

    @get("/{claim_no:str}/payments", **access(*EVERYONE), operation_id="listClaimPayments")
    async def payments(self, claim_no: ClaimNo, request: Request[Any, Any, Any]) -> list[PaymentView]:
        """The claim's payments."""
        return [_payment_view(row) for row in await _service(request).payments(claim_no)]

    @post("/{claim_no:str}/close", **access(Role.ADJUSTER), status_code=200, operation_id="closeClaim")
    async def close(
        self, claim_no: ClaimNo, data: JSONBody[ReasonIn], request: Request[Principal, Any, Any]
    ) -> ClaimView:
        """Close a paid or rejected claim."""
        return _claim_view(await _service(request).close(request.user, claim_no, data.reason))

    @post("/{claim_no:str}/withdraw", **access(Role.ADJUSTER), status_code=200, operation_id="withdrawClaim")
    async def withdraw(
        self, claim_no: ClaimNo, data: JSONBody[ReasonIn], request: Request[Principal, Any, Any]
    ) -> ClaimView:
        """Withdraw a claim at the claimant's request (a reason is required)."""
        return _claim_view(await _service(request).withdraw(request.user, claim_no, data.reason))

    @post("/{claim_no:str}/reopen", **access(Role.APPROVER), status_code=200, operation_id="reopenClaim")
    async def reopen(
        self, claim_no: ClaimNo, data: JSONBody[ReasonIn], request: Request[Principal, Any, Any]
    ) -> ClaimView:
        """Reopen a rejected, withdrawn or closed claim for a new review (a reason is required)."""
        return _claim_view(await _service(request).reopen(request.user, claim_no, data.reason))


ROUTES: list[Any] = [PolicyYearController, EventController, ClaimController]
