"""The claim case file (one page per claim, with the decisions each role may take) and the claim search."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from ledger.claims.domain import ClaimStatus
from ledger.claims.repository import ClaimFilter
from ledger.core.errors import InvalidInput, LedgerError
from ledger.core.records import snapshot
from ledger.web.pages import messages
from ledger.web.pages.base import CLAIM_READERS, desk, error_context, principal_of, render
from ledger.web.pages.casefile import render_case_file
from ledger.web.pages.views import claim_rows, detail_page, documents_of, payment_rows, service_of

PAGE_SIZE = 25
EVERYONE = CLAIM_READERS


async def case_file_data(request: Request[Any, Any, Any], claim_no: str) -> dict[str, Any]:
    """What the case file shows, on the page and in its PDF: the claim, documents, history, payments."""
    service, claim = await detail_page(request, claim_no)
    claim["duplicate_found"] = (await service.duplicates_found([claim])).get(claim_no)
    found, _ = await documents_of(service, claim_no)
    transitions = [
        {
            **snapshot(t),
            "action_label": messages.label(messages.ACTIONS, t.action),
            "from_label": messages.status_label(t.from_status) if t.from_status else "",
            "to_label": messages.status_label(t.to_status),
        }
        for t in await service.transitions(claim_no)
    ]
    payments = payment_rows(await service.payments(claim_no))
    return {
        "claim": claim,
        "documents": found["documents"],
        "transitions": transitions,
        "payments": payments,
    }


async def case_file_page(
    request: Request[Any, Any, Any], claim_no: str, status_code: int = 200, **extra: Any
) -> Template:
    """The case file of ``claim_no``; ``extra`` carries the errors of a refused decision."""
    service = service_of(request)
    reasons = [(code, messages.bilingual(r.cn, r.en)) for code, r in service.policy.rejection_reasons.items()]
    return render(
        request,
        "claims/case.html",
        status_code=status_code,
        reasons=reasons,
        **await case_file_data(request, claim_no),
        **extra,
    )


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{field} must be a date like 2026-12-01", field=field, rule="YYYY-MM-DD"
        ) from None


class ClaimPages(Controller):
    """Case file, stored documents and search."""

    path = "/claims"

    @get("/search", name="search", **desk(*EVERYONE))
    async def search(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Claims by number, victim name or full ID, status, peril, street and incident dates; paginated."""
        principal = principal_of(request)
        service = service_of(request)
        query = {k: v.strip() for k, v in request.query_params.items() if isinstance(v, str) and v.strip()}
        page = int(query["page"]) if query.get("page", "").isdigit() and int(query["page"]) > 0 else 1
        text = query.get("q", "")
        rows: list[Any] = []
        total = 0
        errors: dict[str, str] = {}
        try:
            criteria = ClaimFilter(
                claim_no=text.upper() if text.upper().startswith("CL-") else None,
                victim_id=text if text and text[0].isdigit() else None,
                victim_name=text
                if text and not text[0].isdigit() and not text.upper().startswith("CL-")
                else None,
                status=query.get("status") if query.get("status") in {s.value for s in ClaimStatus} else None,
                peril=query.get("peril"),
                street=query.get("street"),
                date_from=_date(query.get("date_from"), "date_from"),
                date_to=_date(query.get("date_to"), "date_to"),
            )
            rows, total = await service.search(criteria, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        except LedgerError as exc:
            errors = error_context(exc)["errors"]
            if "victim_id" in errors:
                errors["q"] = errors.pop("victim_id")
        keep = {k: v for k, v in query.items() if k != "page"}
        pages = max(1, -(-total // PAGE_SIZE))
        return render(
            request,
            "claims/search.html",
            form=query,
            errors=errors,
            claims=list(claim_rows(service, rows, principal)) if rows else [],
            total=total,
            page=page,
            pages=pages,
            prev_url=f"?{urlencode({**keep, 'page': page - 1})}" if page > 1 else None,
            next_url=f"?{urlencode({**keep, 'page': page + 1})}" if page < pages else None,
            statuses=[(s.value, messages.status_label(s.value)) for s in ClaimStatus],
            perils=[(p.code, messages.bilingual(p.cn, p.en)) for p in service.policy.perils],
            streets=service.policy.district.streets,
        )

    @get("/{claim_no:str}", name="case-file", **desk(*EVERYONE))
    async def case_file(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[Any]:
        """The whole claim: facts, lines and trail, documents, history, approvals, payments and entries."""
        return await case_file_page(request, claim_no)

    @get("/{claim_no:str}/case-file.pdf", name="case-file-pdf", **desk(*EVERYONE))
    async def case_file_pdf(
        self, request: Request[Any, Any, Any], claim_no: FromPath[str]
    ) -> Response[bytes]:
        """The whole case file as one PDF (理赔案卷), for the auditor and the file."""
        content = render_case_file(
            service_of(request),
            await case_file_data(request, claim_no),
            principal_of(request),
            request.app.state.settings.pdf_font,
        )
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="case-file-{claim_no}.pdf"'},
        )

    @get("/{claim_no:str}/documents/{document_id:int}/file", name="document-file", **desk(*EVERYONE))
    async def document_file(
        self, request: Request[Any, Any, Any], claim_no: FromPath[str], document_id: FromPath[int]
    ) -> Response[bytes]:
        """A stored document, shown inline (images and PDFs preview in the browser)."""
        document, content = await service_of(request).document_content(claim_no, document_id)
        return Response(
            content,
            media_type=document.content_type or "application/octet-stream",
            headers={
                "Content-Disposition": f'inline; filename="{claim_no}-{document_id}"',
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
            },
        )
