"""The relief desk (社会救助): households and applications for caseworkers, decisions for relief officers.

Thin like every page: it reads the form, calls ``ReliefService`` (the same as the relief API) and
renders; eligibility, four eyes and amounts are the service's. Resident IDs and bank accounts are shown
in full only to the roles the relief API shows them to.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from ledger.core.errors import InvalidInput, LedgerError
from ledger.core.ids import mask_resident_id
from ledger.platform.domain import Principal, Role
from ledger.relief.controllers import FULL_DETAIL_ROLES, mask_account
from ledger.relief.domain import Month
from ledger.relief.schemas import ReasonIn
from ledger.relief.service import ReliefService
from ledger.web.errors import status_of
from ledger.web.i18n import gettext_
from ledger.web.pages import messages
from ledger.web.pages.base import desk, error_context, form_of, principal_of, redirect, render

RELIEF_DESK = (Role.CASEWORKER, Role.RELIEF_OFFICER)
OFFICER_ACTS = desk(Role.RELIEF_OFFICER, once=True)
PAGE_SIZE = 50


def service_of(request: Request[Any, Any, Any]) -> ReliefService:
    """The relief service of the app's settings."""
    return ReliefService(request.app.state.settings)


def _full(principal: Principal) -> bool:
    return principal.role in FULL_DETAIL_ROLES


def shown_resident_id(number: str, principal: Principal) -> str:
    """A member's resident ID as the relief API shows it to ``principal``."""
    return number if _full(principal) else mask_resident_id(number)


def shown_account(number: str, principal: Principal) -> str:
    """A bank account as the relief API shows it to ``principal``."""
    return number if _full(principal) else mask_account(number)


def programme_name(service: ReliefService, code: str) -> str:
    """A programme's name in the page language."""
    programme = service.config.programme(code)
    return messages.bilingual(programme.cn, programme.title)


def reasons_of(checks: str) -> list[dict[str, Any]]:
    """The eligibility reasons stored with an enrolment (rule, passed, the figures in words)."""
    return [
        {**reason, "rule_label": messages.label(messages.ELIGIBILITY_RULES, reason["rule"])}
        for reason in json.loads(checks or "[]")
    ]


async def household_page(
    request: Request[Any, Any, Any], household_no: str, status_code: int = 200, **extra: Any
) -> Response[Any]:
    """A household: members, income, bank account, enrolments with their reasons, payments by month."""
    principal = principal_of(request)
    service = service_of(request)
    state = await service.household(household_no)
    history = await service.history(household_no)
    return render(
        request,
        "relief/household.html",
        status_code=status_code,
        household=state.household,
        account=shown_account(state.household.bank_account, principal),
        members=[
            {
                "name": m.name,
                "shown_id": shown_resident_id(m.resident_id, principal),
                "relation": messages.label(messages.MEMBER_RELATIONS, m.relation),
                "left_on": m.left_on,
                "died": m.died,
            }
            for m in state.members
        ],
        enrolments=[
            {
                "no": e.enrolment_no,
                "programme": programme_name(service, e.programme),
                "status": e.status,
                "status_label": messages.label(messages.ENROLMENT_STATUSES, e.status),
                "applied_by": e.applied_by,
                "applied_on": e.applied_on,
                "effective_month": e.effective_month,
                "end_reason": e.end_reason,
                "reasons": reasons_of(e.checks),
            }
            for e in state.enrolments
        ],
        payments=[
            {
                "programme": programme_name(service, programme),
                "month": month,
                "amount_fen": row.amount_fen,
                "status": row.status,
                "status_label": messages.label(messages.ROW_STATUSES, row.status),
                "paid_seq": row.paid_seq,
            }
            for programme, month, row in history
        ],
        programmes=[(code, programme_name(service, code)) for code in service.config.programmes],
        may_apply=principal.role == Role.CASEWORKER,
        **extra,
    )


async def applications_page(
    request: Request[Any, Any, Any], status_code: int = 200, **extra: Any
) -> Response[Any]:
    """Applications waiting for a decision, oldest first."""
    service = service_of(request)
    waiting = await service.applications()
    return render(
        request,
        "relief/applications.html",
        status_code=status_code,
        applications=[
            {
                "no": e.enrolment_no,
                "household_no": h.household_no,
                "street": h.street,
                "programme": programme_name(service, e.programme),
                "applied_by": e.applied_by,
                "applied_on": e.applied_on,
                "reasons": reasons_of(e.checks),
                "month": str(Month.of(e.applied_on)),
            }
            for e, h in waiting
        ],
        **extra,
    )


def _reason(text: str) -> str:
    """A decision's reason as the relief API takes it (``ReasonIn``); else an error naming ``reason``."""
    try:
        return msgspec.convert({"reason": text}, ReasonIn).reason
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc), field="reason", rule="required" if not text else "length") from None


class ReliefPages(Controller):
    """Households, applications and decisions on them."""

    path = "/relief"

    @get("/households", name="relief-households", **desk(*RELIEF_DESK))
    async def households(
        self,
        request: Request[Any, Any, Any],
        street: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """Households by number, of one street, or found by number, full resident ID or name."""
        service = service_of(request)
        text = (q or "").strip() or None
        rows, total = await service.search(street or None, PAGE_SIZE, 0, text)
        members = await service.current_members(rows)
        principal = principal_of(request)
        households = [
            {
                "household": h,
                "names": "、".join(m.name for m in members[h.id]),
                "head_id": shown_resident_id(members[h.id][0].resident_id, principal)
                if members[h.id]
                else "",
            }
            for h in rows
        ]
        return render(
            request, "relief/households.html", households=households, total=total, street=street, q=q
        )

    @get("/households/{household_no:str}", name="relief-household", **desk(*RELIEF_DESK))
    async def household(self, request: Request[Any, Any, Any], household_no: FromPath[str]) -> Response[Any]:
        """One household."""
        return await household_page(request, household_no)

    @post("/households/{household_no:str}/apply", name="relief-apply", **desk(Role.CASEWORKER, once=True))
    async def apply(self, request: Request[Any, Any, Any], household_no: FromPath[str]) -> Response[Any]:
        """File an application; the household page then shows its eligibility reasons."""
        form = await form_of(request)
        try:
            enrolment = await service_of(request).apply(
                principal_of(request), household_no, str(form.get("programme", ""))
            )
        except LedgerError as exc:
            extra = error_context(exc)
            return await household_page(request, household_no, status_of(exc), form=form, **extra)
        return redirect(
            request,
            f"/relief/households/{household_no}",
            message=gettext_("Application {no} filed; it waits for a relief officer's decision.").format(
                no=enrolment.enrolment_no
            ),
        )

    @get("/applications", name="relief-applications", **desk(Role.RELIEF_OFFICER))
    async def applications(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Applications waiting for a decision."""
        return await applications_page(request)

    @post("/applications/{enrolment_no:str}/approve", name="relief-approve", **OFFICER_ACTS)
    async def approve(self, request: Request[Any, Any, Any], enrolment_no: FromPath[str]) -> Response[Any]:
        """Approve from an effective month (eligibility checked again, four eyes)."""
        form = await form_of(request)
        try:
            enrolment = await service_of(request).approve(
                principal_of(request), enrolment_no, str(form.get("effective_month", "")).strip()
            )
        except LedgerError as exc:
            extra = error_context(exc)
            return await applications_page(request, status_of(exc), decided=enrolment_no, **extra)
        return redirect(
            request,
            "/relief/applications",
            message=gettext_("Application {no} approved, paid from {month}.").format(
                no=enrolment_no, month=enrolment.effective_month
            ),
        )

    @post("/applications/{enrolment_no:str}/reject", name="relief-reject", **OFFICER_ACTS)
    async def reject(self, request: Request[Any, Any, Any], enrolment_no: FromPath[str]) -> Response[Any]:
        """Reject with a reason (four eyes)."""
        form = await form_of(request)
        reason = str(form.get("reason", "")).strip()
        try:
            await service_of(request).reject(principal_of(request), enrolment_no, _reason(reason))
        except LedgerError as exc:
            extra = error_context(exc)
            return await applications_page(request, status_of(exc), decided=enrolment_no, **extra)
        return redirect(
            request,
            "/relief/applications",
            message=gettext_("Application {no} rejected.").format(no=enrolment_no),
        )
