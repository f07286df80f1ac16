"""The approvals desk (理赔审批): assessed claims waiting for a decision; approve or reject with a code."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from ledger.claims.domain import ClaimStatus
from ledger.claims.repository import ClaimFilter
from ledger.core.errors import FourEyesViolation, LedgerError
from ledger.platform.domain import Role
from ledger.web.errors import status_of
from ledger.web.i18n import gettext_
from ledger.web.pages import messages
from ledger.web.pages.base import amount, desk, error_context, form_of, principal_of, redirect, render
from ledger.web.pages.claims import case_file_page
from ledger.web.pages.views import service_of, worklist

QUEUE_SIZE = 200


async def refused(
    request: Request[Any, Any, Any], claim_no: str, exc: LedgerError, form: dict[str, Any]
) -> Template:
    """The case file again with why a decision was refused: beside the field at fault, or, for the
    four-eyes rule, in a sentence naming the rule."""
    extra = error_context(exc)
    if isinstance(exc, FourEyesViolation):
        extra["refused_by"] = gettext_("Refused by the four-eyes rule")
    return await case_file_page(request, claim_no, status_of(exc), form=form, **extra)


class ApproverPages(Controller):
    """The approval queue and the decisions."""

    @get("/approvals", name="approvals", **desk(Role.APPROVER))
    async def queue(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Assessed claims, the most urgent first, with amount, assessor and duplicates."""
        service = service_of(request)
        claims, total = await worklist(request, ClaimFilter(status=ClaimStatus.ASSESSED.value), QUEUE_SIZE)
        found = await service.duplicates_found(claims)
        return render(
            request,
            "claims/approvals.html",
            claims=[{**claim, "duplicate_found": found.get(claim["claim_no"])} for claim in claims],
            total=total,
            reasons=[
                (code, messages.bilingual(r.cn, r.en)) for code, r in service.policy.rejection_reasons.items()
            ],
        )

    @post("/claims/{claim_no:str}/approve", name="approve", **desk(Role.APPROVER, once=True))
    async def approve(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[Any]:
        """Approve (the four-eyes rule and the second approval are the service's)."""
        form = await form_of(request)
        asked = str(form.get("approved_amount", "")).strip().replace(",", "") or None
        try:
            row = await service_of(request).approve(
                principal_of(request),
                claim_no,
                str(form.get("reason", "")),
                asked,
                str(form.get("reduction_reason", "")),
            )
        except LedgerError as exc:
            return await refused(request, claim_no, exc, form)
        if row["status"] == ClaimStatus.APPROVED:
            text = gettext_("Claim {claim} approved: {amount} yuan, now waiting for payment.")
        else:
            text = gettext_(
                "First approval of claim {claim} recorded; a second approver must also approve it."
            )
        text = text.format(claim=claim_no, amount=amount(row["approved_fen"]))
        if row["reduced_to_fen"] is not None:
            text = messages.sentences(
                text,
                gettext_("Approved for less than the assessed {assessed} yuan: {reason}").format(
                    assessed=amount(row["assessed_fen"]), reason=row["reduction_reason"]
                ),
            )
        return redirect(
            request,
            "/approvals",
            message=text,
            links={gettext_("Case file"): f"/claims/{claim_no}"},
        )

    @post("/claims/{claim_no:str}/reject", name="reject", **desk(Role.APPROVER, once=True))
    async def reject(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[Any]:
        """Reject with a coded reason."""
        form = await form_of(request)
        try:
            await service_of(request).reject(
                principal_of(request), claim_no, str(form.get("reason_code", "")), str(form.get("note", ""))
            )
        except LedgerError as exc:
            return await refused(request, claim_no, exc, form)
        return redirect(
            request,
            "/approvals",
            message=gettext_("Claim {claim} rejected.").format(claim=claim_no),
            links={gettext_("Case file"): f"/claims/{claim_no}"},
        )

    @post(
        "/claims/{claim_no:str}/override-duplicate",
        name="override_duplicate",
        **desk(Role.APPROVER, once=True),
    )
    async def override_duplicate(
        self, request: Request[Any, Any, Any], claim_no: FromPath[str]
    ) -> Response[Any]:
        """Accept a duplicate found, with a reason (four eyes and the audit row are the service's)."""
        form = await form_of(request)
        try:
            row = await service_of(request).override_duplicate(
                principal_of(request), claim_no, str(form.get("override_reason", ""))
            )
        except LedgerError as exc:
            return await refused(request, claim_no, exc, form)
        return redirect(
            request,
            "/approvals",
            message=gettext_(
                "Duplicate of claim {claim} overridden ({other}: {reason}); it may now be approved."
            ).format(claim=claim_no, other=row["duplicate_of"], reason=row["override_reason"]),
            links={gettext_("Case file"): f"/claims/{claim_no}"},
        )
