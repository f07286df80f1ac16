"""The claims intake desk (理赔受理): the adjuster's inbox, registration, documents and assessment."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ledger.claims.domain import ClaimStatus
from ledger.claims.repository import ClaimFilter
from ledger.claims.schemas import Adjustment, ClaimCreate, EventCreate, LineIn
from ledger.claims.service import HOUSEHOLD_STATUSES, RELATIONS
from ledger.core.errors import InvalidInput, LedgerError
from ledger.platform.domain import Role
from ledger.web.i18n import gettext_
from ledger.web.pages import messages, notice
from ledger.web.pages.base import desk, error_context, form_of, principal_of, redirect, render
from ledger.web.pages.views import (
    claim_rows,
    detail_page,
    documents_of,
    head_name,
    service_of,
    status_tabs,
)

MAX_LINES = 5
OPEN = (
    ClaimStatus.REGISTERED,
    ClaimStatus.DOCUMENTS_PENDING,
    ClaimStatus.UNDER_REVIEW,
    ClaimStatus.ASSESSED,
    ClaimStatus.APPROVED,
    ClaimStatus.PARTLY_PAID,
)
"""The statuses an adjuster's inbox shows by default: claims not yet settled."""
INBOX_SIZE = 200


class FormErrors(InvalidInput):
    """Some inputs of the form are missing or malformed."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(field=next(iter(errors), None))
        self.errors = errors


def _required(struct: type[msgspec.Struct], values: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """A "required" error for each required field of ``struct`` left empty in ``values``."""
    return {
        f"{prefix}{field.name}": gettext_("Required.")
        for field in msgspec.structs.fields(struct)
        if field.required and not values.get(field.name)
    }


def _convert(struct: type[msgspec.Struct], values: dict[str, Any]) -> Any:
    """``values`` as ``struct``; a malformed value becomes a field error naming the input."""
    try:
        return msgspec.convert(values, struct, strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        path = text.rpartition(" - at `$.")[2].rstrip("`") if " - at `$." in text else "_form"
        raise FormErrors(
            {path: gettext_("Please correct this: {detail}").format(detail=text.partition(" - at ")[0])}
        ) from None


def _lines(form: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The benefit lines filled in on the form (rows with a head), and their "required" errors."""
    lines: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for row in range(MAX_LINES):
        head = str(form.get(f"lines[{row}].head", "")).strip()
        if not head:
            continue
        index = len(lines)
        claimed = str(form.get(f"lines[{row}].claimed", "")).strip().replace(",", "")
        grade = str(form.get(f"lines[{row}].grade", "")).strip()
        unreimbursed = str(form.get(f"lines[{row}].unreimbursed", "")).strip().replace(",", "")
        if not claimed:
            errors[f"lines[{index}].claimed"] = gettext_("Required.")
        lines.append(
            {
                "head": head,
                "claimed": claimed,
                "grade": int(grade) if grade.isdigit() else None,
                "unreimbursed": unreimbursed or None,
            }
        )
    if not lines:
        errors["lines[0].head"] = gettext_("Claim at least one benefit head.")
    return lines, errors


def _documents(form: dict[str, Any]) -> list[str]:
    value = form.get("documents", [])
    return [str(v) for v in (value if isinstance(value, list) else [value])]


class AdjusterPages(Controller):
    """Inbox, registration, documents, one-time notice and assessment."""

    path = "/claims"

    @get("/inbox", name="inbox", **desk(Role.ADJUSTER))
    async def inbox(
        self, request: Request[Any, Any, Any], status: FromQuery[str | None] = None
    ) -> Response[Any]:
        """My claims, the most urgent first, with counts per status in the tabs."""
        principal = principal_of(request)
        service = service_of(request)
        mine = ClaimFilter(registered_by=principal.username)
        counts = await service.status_counts(mine)
        wanted = status if status in {s.value for s in ClaimStatus} else None
        criteria = ClaimFilter(
            registered_by=principal.username,
            status=wanted,
            statuses=() if wanted else tuple(s.value for s in OPEN),
        )
        rows, total = await service.search(criteria, limit=INBOX_SIZE, offset=0)
        return render(
            request,
            "claims/inbox.html",
            tabs=status_tabs(counts, ClaimStatus),
            current=wanted,
            open_count=sum(counts.get(s.value, 0) for s in OPEN),
            claims=claim_rows(service, rows, principal),
            total=total,
        )

    # -- registration ---------------------------------------------------------------------------

    def _choices(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """The pickers of the registration form, from the policy configuration."""
        service = service_of(request)
        policy = service.policy
        return {
            "streets": policy.district.streets,
            "perils": [(p.code, messages.bilingual(p.cn, p.en), p.heads) for p in policy.perils],
            "heads": [(code.value, head_name(service, code.value)) for code in policy.heads],
            "relations": [(code, messages.label(messages.RELATIONS, code)) for code in RELATIONS],
            "household_statuses": [
                (code, messages.label(messages.HOUSEHOLD_STATUSES, code)) for code in HOUSEHOLD_STATUSES
            ],
            "documents": [(code, messages.bilingual(d.cn, d.en)) for code, d in policy.documents.items()],
            "max_lines": MAX_LINES,
        }

    @get("/new", name="register", **desk(Role.ADJUSTER, Role.APPROVER))
    async def register_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Report an event and register a claim on one page."""
        return render(request, "claims/register.html", form={}, errors={}, **self._choices(request))

    @post("/new", name="register-submit", **desk(Role.ADJUSTER, Role.APPROVER, once=True))
    async def register(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Record the event (unless an existing one is named) and register the claim in one transaction."""
        form = await form_of(request)
        principal = principal_of(request)
        service = service_of(request)
        event_no = str(form.get("event_no", "")).strip()
        try:
            event = {k: str(form.get(k, "")).strip() for k in EventCreate.__struct_fields__}
            claim: dict[str, Any] = {
                k: str(form.get(k, "")).strip()
                for k in ClaimCreate.__struct_fields__
                if k not in ("lines", "documents") and str(form.get(k, "")).strip()
            }
            lines, errors = _lines(form)
            errors |= {} if event_no else _required(EventCreate, event)
            errors |= _required(ClaimCreate, {**claim, "event_no": event_no or "new", "lines": lines})
            if errors:
                raise FormErrors(errors)
            claim |= {
                "event_no": event_no or "new",
                "lines": [msgspec.convert(line, LineIn, strict=False) for line in lines],
                "documents": _documents(form),
            }
            data = _convert(ClaimCreate, claim)
            if event_no:
                row = await service.register(principal, data)
            else:
                row = await service.report(principal, _convert(EventCreate, event), data)
        except FormErrors as exc:
            return self._form_again(request, form, exc.errors)
        except LedgerError as exc:
            return self._form_again(request, form, error_context(exc)["errors"])
        return redirect(
            request,
            f"/claims/{row['claim_no']}/documents",
            message=gettext_("Claim {claim} registered under event {event}.").format(
                claim=row["claim_no"], event=row["event_no"]
            ),
        )

    def _form_again(
        self, request: Request[Any, Any, Any], form: dict[str, Any], errors: dict[str, str]
    ) -> Template:
        summary = gettext_("The claim was not registered: please correct the fields marked below.")
        return render(
            request,
            "claims/register.html",
            status_code=422,
            form=form,
            errors=errors,
            summary=summary,
            chosen_documents=_documents(form),
            **self._choices(request),
        )

    # -- documents ------------------------------------------------------------------------------

    @get("/{claim_no:str}/documents", name="documents", **desk(Role.ADJUSTER))
    async def documents(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[Any]:
        """The checklist, what is received and verified, uploads and the one-time notice."""
        return await self._documents_page(request, claim_no)

    async def _documents_page(
        self, request: Request[Any, Any, Any], claim_no: str, status_code: int = 200, **extra: Any
    ) -> Template:
        service, claim = await detail_page(request, claim_no)
        found, names = await documents_of(service, claim_no)
        checklist = [
            {
                **item,
                "name": messages.bilingual(item["cn"], item["en"]),
                "choices": [(c, names[c]) for c in item["of"]],
            }
            for item in found["checklist"]
        ]
        return render(
            request,
            "claims/documents.html",
            status_code=status_code,
            claim=claim,
            checklist=checklist,
            documents=found["documents"],
            requested=found["requested"],
            limits=service.upload_limits(),
            **extra,
        )

    @post("/{claim_no:str}/documents", name="upload", **desk(Role.ADJUSTER, once=True))
    async def upload(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[Any]:
        """Receive several files at once, each against its checklist document type."""
        form = await request.form()
        principal = principal_of(request)
        service = service_of(request)
        received = 0
        try:
            for key in form:
                if not key.startswith("file."):
                    continue
                for upload in form.getall(key):
                    if not isinstance(upload, UploadFile) or not upload.filename:
                        continue
                    content = await upload.read()
                    if not content:
                        continue
                    await service.upload(
                        principal, claim_no, key.removeprefix("file."), upload.content_type, content
                    )
                    received += 1
            if not received:
                raise InvalidInput(
                    gettext_("Choose at least one file to upload."), field="_form", rule="a file"
                )
        except LedgerError as exc:
            return await self._documents_page(request, claim_no, 422, **error_context(exc))
        return redirect(
            request,
            f"/claims/{claim_no}/documents",
            message=gettext_("{n} document(s) received; verify them against the originals.").format(
                n=received
            ),
        )

    @post(
        "/{claim_no:str}/documents/{document_id:int}/verify", name="verify", **desk(Role.ADJUSTER, once=True)
    )
    async def verify(
        self, request: Request[Any, Any, Any], claim_no: FromPath[str], document_id: FromPath[int]
    ) -> Response[Any]:
        """Mark one received document verified."""
        try:
            await service_of(request).verify(principal_of(request), claim_no, document_id)
        except LedgerError as exc:
            return await self._documents_page(request, claim_no, 409, **error_context(exc))
        return redirect(request, f"/claims/{claim_no}/documents", message=gettext_("Document verified."))

    @post("/{claim_no:str}/request-documents", name="request-documents", **desk(Role.ADJUSTER, once=True))
    async def request_documents(
        self, request: Request[Any, Any, Any], claim_no: FromPath[str]
    ) -> Response[Any]:
        """Send the one-time notice of every missing document."""
        try:
            await service_of(request).request_documents(principal_of(request), claim_no)
        except LedgerError as exc:
            return await self._documents_page(request, claim_no, 409, **error_context(exc))
        return redirect(
            request,
            f"/claims/{claim_no}/documents",
            message=gettext_(
                "The one-time notice of missing documents is recorded; print it for the claimant."
            ),
            links={gettext_("One-time notice (PDF)"): f"/claims/{claim_no}/notice.pdf"},
        )

    @get("/{claim_no:str}/notice.pdf", name="notice", **desk(Role.ADJUSTER, Role.APPROVER, Role.AUDITOR))
    async def notice_pdf(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[bytes]:
        """The one-time notice of missing documents (一次性告知书) as a PDF."""
        principal = principal_of(request)
        service = service_of(request)
        claim = await service.claims_view(claim_no, principal)
        content = notice.render_notice(service, claim, request.app.state.settings.pdf_font)
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="notice-{claim_no}.pdf"'},
        )

    @post("/{claim_no:str}/documents-complete", name="documents-complete", **desk(Role.ADJUSTER, once=True))
    async def documents_complete(
        self, request: Request[Any, Any, Any], claim_no: FromPath[str]
    ) -> Response[Any]:
        """Start the review once every checklist line is verified."""
        try:
            await service_of(request).documents_complete(principal_of(request), claim_no)
        except LedgerError as exc:
            return await self._documents_page(request, claim_no, 422, **error_context(exc))
        return redirect(
            request,
            f"/claims/{claim_no}/assess",
            message=gettext_("Documents complete: the claim is under review and its decision clock runs."),
        )

    # -- assessment -----------------------------------------------------------------------------

    @get("/{claim_no:str}/assess", name="assess", **desk(Role.ADJUSTER))
    async def assess_form(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[Any]:
        """Each line claimed, the limits used so far and, once assessed, the calculation trail."""
        return await self._assess_page(request, claim_no)

    async def _assess_page(
        self, request: Request[Any, Any, Any], claim_no: str, status_code: int = 200, **extra: Any
    ) -> Template:
        service, claim = await detail_page(request, claim_no)
        limits = await service.limits_used(claim_no)
        for item in limits:
            for layer in item["layers"]:
                layer["name"] = messages.label(messages.LIMIT_LAYERS, layer["layer"])
        return render(
            request, "claims/assess.html", status_code=status_code, claim=claim, limits=limits, **extra
        )

    @post("/{claim_no:str}/assess", name="assess-submit", **desk(Role.ADJUSTER, once=True))
    async def assess(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[Any]:
        """Assess every line by the rules; a line may be lowered with a reason."""
        form = await form_of(request)
        adjustments = []
        for key, value in form.items():
            if key.startswith("lower.") and str(value).strip():
                line = int(key.removeprefix("lower.")) if key.removeprefix("lower.").isdigit() else 0
                adjustments.append(
                    Adjustment(
                        line=line,
                        amount=str(value).strip().replace(",", ""),
                        reason=str(form.get(f"reason.{line}", "")),
                    )
                )
        try:
            await service_of(request).assess(principal_of(request), claim_no, adjustments)
        except LedgerError as exc:
            return await self._assess_page(request, claim_no, 422, **error_context(exc), form=form)
        return redirect(
            request,
            f"/claims/{claim_no}/assess",
            message=gettext_("Claim {claim} assessed; it now waits for approval.").format(claim=claim_no),
        )
