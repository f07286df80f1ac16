"""The relief desk's payroll cycles (发放批次): draft a programme's month, read its rows, approve it.

The amounts, the declared count and total, and the four-eyes rule are ``ReliefService``'s; this only
shows them (totals in figures and 大写) and names what refused an action.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from ledger.core.errors import FourEyesViolation, LedgerError
from ledger.platform.domain import Role
from ledger.web.errors import status_of
from ledger.web.i18n import gettext_
from ledger.web.pages import messages
from ledger.web.pages.base import amount, desk, error_context, form_of, principal_of, redirect, render
from ledger.web.pages.relief import RELIEF_DESK, programme_name, service_of
from ledger.web.pages.roster import render_roster

CYCLE_STATUSES = {
    "draft": messages.N_("draft"),
    "approved": messages.N_("approved"),
    "issued": messages.N_("in a bank file"),
    "partly_failed": messages.N_("partly failed at the bank"),
    "paid": messages.N_("disbursed"),
    "closed": messages.N_("closed"),
}


async def cycles_page(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Response[Any]:
    """Every cycle with its declared count and total, and the form to draft one."""
    service = service_of(request)
    return render(
        request,
        "relief/cycles.html",
        status_code=status_code,
        cycles=[
            {
                **{k: getattr(c, k) for k in ("programme", "month", "declared_count", "declared_fen")},
                "programme_name": programme_name(service, c.programme),
                "status": c.status,
                "status_label": messages.label(CYCLE_STATUSES, c.status),
                "drafted_by": c.drafted_by,
                "approved_by": c.approved_by,
            }
            for c in await service.cycle_list()
        ],
        programmes=[(code, programme_name(service, code)) for code in service.config.programmes],
        **extra,
    )


async def cycle_page(
    request: Request[Any, Any, Any], programme: str, month: str, status_code: int = 200, **extra: Any
) -> Response[Any]:
    """One cycle: its rows, its declared count and total (in figures and 大写), and the approval."""
    service = service_of(request)
    state = await service.cycle(programme, month)
    return render(
        request,
        "relief/cycle.html",
        status_code=status_code,
        cycle=state.cycle,
        programme_name=programme_name(service, programme),
        status_label=messages.label(CYCLE_STATUSES, state.cycle.status),
        rows=[
            {
                "household_no": r.household_no,
                "members": r.members,
                "amount_fen": r.amount_fen,
                "status": r.status,
                "status_label": messages.label(messages.ROW_STATUSES, r.status),
                "paid_seq": r.paid_seq,
            }
            for r in state.rows
        ],
        streets=await service.streets_of(state),
        may_approve=principal_of(request).role == Role.RELIEF_OFFICER and state.cycle.status == "draft",
        **extra,
    )


class CyclePages(Controller):
    """Payroll cycles."""

    path = "/relief/cycles"

    @get("/", name="relief-cycles", **desk(*RELIEF_DESK))
    async def cycles(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Cycles by programme and month."""
        return await cycles_page(request)

    @post("/", name="relief-draft", **desk(*RELIEF_DESK, once=True))
    async def draft(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Draft a programme's month."""
        form = await form_of(request)
        programme, month = str(form.get("programme", "")), str(form.get("month", "")).strip()
        try:
            state = await service_of(request).draft(principal_of(request).username, programme, month)
        except LedgerError as exc:
            return await cycles_page(request, status_of(exc), form=form, **error_context(exc))
        cycle = state.cycle
        return redirect(
            request,
            f"/relief/cycles/{cycle.programme}/{cycle.month}",
            message=gettext_("Cycle drafted: {count} households, {total} yuan.").format(
                count=cycle.declared_count, total=amount(cycle.declared_fen)
            ),
        )

    @get("/{programme:str}/{month:str}", name="relief-cycle", **desk(*RELIEF_DESK))
    async def cycle(
        self, request: Request[Any, Any, Any], programme: FromPath[str], month: FromPath[str]
    ) -> Response[Any]:
        """One cycle."""
        return await cycle_page(request, programme, month)

    @get("/{programme:str}/{month:str}/roster.pdf", name="relief-roster", **desk(*RELIEF_DESK))
    async def roster(
        self,
        request: Request[Any, Any, Any],
        programme: FromPath[str],
        month: FromPath[str],
        street: FromQuery[str] = "",
    ) -> Response[bytes]:
        """The payroll roster (花名册) of the cycle for one street, as a PDF."""
        service = service_of(request)
        found = await service.roster(programme, month, street)
        content = render_roster(
            found, service.config.programme(programme), request.app.state.settings.pdf_font
        )
        name = quote(f"roster-{programme}-{month}-{street}.pdf")
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": f"inline; filename*=UTF-8''{name}"},
        )

    @post(
        "/{programme:str}/{month:str}/approve",
        name="relief-cycle-approve",
        **desk(Role.RELIEF_OFFICER, once=True),
    )
    async def approve(
        self, request: Request[Any, Any, Any], programme: FromPath[str], month: FromPath[str]
    ) -> Response[Any]:
        """Approve a drafted cycle (four eyes: not by whoever drafted it)."""
        try:
            state = await service_of(request).approve_cycle(principal_of(request), programme, month)
        except LedgerError as exc:
            extra = error_context(exc)
            if isinstance(exc, FourEyesViolation):
                extra["refused_by"] = gettext_("Refused by the four-eyes rule")
            return await cycle_page(request, programme, month, status_of(exc), **extra)
        return redirect(
            request,
            f"/relief/cycles/{programme}/{month}",
            message=gettext_("Cycle {programme} {month} approved: {count} households, {total} yuan.").format(
                programme=programme_name(service_of(request), programme),
                month=month,
                count=state.cycle.declared_count,
                total=amount(state.cycle.declared_fen),
            ),
        )
