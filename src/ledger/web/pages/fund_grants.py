"""The fund desk's grant making: calls, applications with their reviews and the decision, grants with
their tranches and the conditions each waits for, and paying a tranche.

A refused decision (four eyes, conflict of interest, the fund's available money, the call's budget) is
shown on the application's page in one sentence naming the rule; the rules are the funds domain's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ledger.core.errors import LedgerError
from ledger.core.money import parse_amount
from ledger.funds import domain
from ledger.funds.service import ApplicationService, GrantService
from ledger.platform.domain import Role
from ledger.web.errors import status_of
from ledger.web.i18n import gettext_
from ledger.web.pages.base import amount, desk, form_of, principal_of, redirect, render
from ledger.web.pages.fund import PAGE_SIZE, FormErrors, errors_of
from ledger.web.pages.fund_views import APPLICATION_STATUSES, GRANT_STATUSES, TRANCHE_STATUSES, status_word

ACCOUNTANT = (Role.ACCOUNTANT,)
DECIDERS = (Role.ACCOUNTANT, Role.ADMIN)


def _applications(request: Request[Any, Any, Any]) -> ApplicationService:
    return ApplicationService(request.app.state.settings)


def _grants(request: Request[Any, Any, Any]) -> GrantService:
    return GrantService(request.app.state.settings)


def _fen(form: dict[str, Any], name: str) -> int:
    """An amount typed in a form (thousands separators allowed) in fen, an error naming ``name``."""
    return parse_amount(str(form.get(name, "")).strip().replace(",", ""), field=name)


def _date(form: dict[str, Any], name: str) -> dt.date:
    text = str(form.get(name, "")).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FormErrors(
            {name: gettext_("Please enter a date like {example}.").format(example="2026-12-01")}
        ) from None


class FundGrantPages(Controller):
    """Calls, applications and decisions, grants and tranches."""

    @get("/fund/calls", name="fund-calls", **desk(*ACCOUNTANT))
    async def calls(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The calls for applications with their budget, window and tranche split."""
        rows = await _applications(request).call_page(limit=PAGE_SIZE, offset=0)
        return render(request, "fund/calls.html", calls=rows)

    @get("/fund/applications", name="fund-applications", **desk(*DECIDERS))
    async def applications(
        self, request: Request[Any, Any, Any], status: FromQuery[str | None] = None
    ) -> Response[Any]:
        """Applications, optionally in one status, with counts per status in the tabs."""
        service = _applications(request)
        every = await service.application_page(call_id=None, status=None, limit=PAGE_SIZE, offset=0)
        wanted = status if status in APPLICATION_STATUSES else None
        counts = {code: sum(1 for a in every if a.status == code) for code in APPLICATION_STATUSES}
        grantees = {g.id: g for g in await service.grantee_page(limit=PAGE_SIZE, offset=0)}
        return render(
            request,
            "fund/applications.html",
            applications=[a for a in every if wanted is None or a.status == wanted],
            status=wanted,
            tabs=[
                (code, status_word(APPLICATION_STATUSES, code), counts[code]) for code in APPLICATION_STATUSES
            ],
            grantees=grantees,
            status_word=lambda code: status_word(APPLICATION_STATUSES, code),
        )

    @get("/fund/applications/{application_id:int}", name="fund-application", **desk(*DECIDERS))
    async def application(
        self, request: Request[Any, Any, Any], application_id: FromPath[int]
    ) -> Response[Any]:
        """One application with its reviews and the decision form."""
        return await self._application_page(request, application_id)

    async def _application_page(
        self, request: Request[Any, Any, Any], application_id: int, status_code: int = 200, **extra: Any
    ) -> Template:
        service = _applications(request)
        found = await service.application(application_id)
        actions = domain.application_actions(found.status)
        return render(
            request,
            "fund/application.html",
            status_code=status_code,
            application=found,
            call=await service.call(found.call_id),
            grantee=await service.grantee(found.grantee_id),
            reviews=await service.reviews(application_id),
            status_label=status_word(APPLICATION_STATUSES, found.status),
            may_decide=domain.ApplicationAction.APPROVE in actions,
            form=extra.pop("form", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @post(
        "/fund/applications/{application_id:int}/approve", name="fund-approve", **desk(*DECIDERS, once=True)
    )
    async def approve(self, request: Request[Any, Any, Any], application_id: FromPath[int]) -> Response[Any]:
        """Approve an amount and commit it (a grant awaiting its agreement)."""
        form = await form_of(request)
        try:
            grant = await _applications(request).approve(
                application_id, approved_fen=_fen(form, "approved_amount"), actor=principal_of(request)
            )
        except LedgerError as exc:
            return await self._application_page(
                request, application_id, status_of(exc), form=form, errors=errors_of(exc)
            )
        return redirect(
            request,
            f"/fund/grants/{grant.id}",
            message=gettext_("Application {id} approved: {amount} yuan committed as grant {grant}.").format(
                id=application_id, amount=amount(grant.amount_fen), grant=grant.grant_no
            ),
        )

    @post("/fund/applications/{application_id:int}/reject", name="fund-reject", **desk(*DECIDERS, once=True))
    async def reject(self, request: Request[Any, Any, Any], application_id: FromPath[int]) -> Response[Any]:
        """Reject an application with a reason."""
        form = await form_of(request)
        try:
            await _applications(request).reject(
                application_id, reason=str(form.get("reason", "")), actor=principal_of(request)
            )
        except LedgerError as exc:
            return await self._application_page(
                request, application_id, status_of(exc), form=form, errors=errors_of(exc)
            )
        return redirect(
            request,
            f"/fund/applications/{application_id}",
            message=gettext_("Application {id} rejected.").format(id=application_id),
        )

    @get("/fund/grants", name="fund-grants", **desk(*ACCOUNTANT))
    async def grants(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Grants with their amount, paid, returned and status."""
        rows = await _grants(request).grant_page(status=None, limit=PAGE_SIZE, offset=0)
        return render(
            request,
            "fund/grants.html",
            grants=rows,
            status_word=lambda code: status_word(GRANT_STATUSES, code),
        )

    @get("/fund/grants/{grant_id:int}", name="fund-grant", **desk(*ACCOUNTANT))
    async def grant(self, request: Request[Any, Any, Any], grant_id: FromPath[int]) -> Response[Any]:
        """A grant: its tranches with their conditions, reports and returns; pay the next tranche."""
        return await self._grant_page(request, grant_id)

    async def _grant_page(
        self, request: Request[Any, Any, Any], grant_id: int, status_code: int = 200, **extra: Any
    ) -> Template:
        grant, tranches, reports, returns = await _grants(request).detail(grant_id)
        actions = domain.grant_actions(grant.status)
        payable = domain.GrantAction.PAY_TRANCHE in actions
        next_n = next((t.n for t in tranches if t.status == "scheduled"), None)
        return render(
            request,
            "fund/grant.html",
            status_code=status_code,
            grant=grant,
            grantee=await _applications(request).grantee(grant.grantee_id),
            tranches=tranches,
            reports=reports,
            returns=returns,
            status_label=status_word(GRANT_STATUSES, grant.status),
            tranche_word=lambda code: status_word(TRANCHE_STATUSES, code),
            next_n=next_n if payable else None,
            may_sign=domain.GrantAction.SIGN in actions,
            form=extra.pop("form", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @post("/fund/grants/{grant_id:int}/sign", name="fund-sign", **desk(*ACCOUNTANT, once=True))
    async def sign(self, request: Request[Any, Any, Any], grant_id: FromPath[int]) -> Response[Any]:
        """Sign the grant's agreement and post the commitment (Dr 5101 / Cr 2209)."""
        form = await form_of(request)
        try:
            grant = await _grants(request).sign(
                grant_id,
                agreement=str(form.get("agreement", "")),
                signed_on=_date(form, "signed_on"),
                actor=principal_of(request),
            )
        except LedgerError as exc:
            return await self._grant_page(request, grant_id, status_of(exc), form=form, errors=errors_of(exc))
        return redirect(
            request,
            f"/fund/grants/{grant_id}",
            message=gettext_(
                "Agreement {agreement} of grant {grant} signed: {amount} yuan committed."
            ).format(agreement=grant.agreement_no, grant=grant.grant_no, amount=amount(grant.amount_fen)),
            links={
                gettext_("Voucher {seq} (PDF)").format(
                    seq=grant.commitment_seq
                ): f"/vouchers/{grant.commitment_seq}"
            }
            if grant.commitment_seq
            else None,
        )

    @post(
        "/fund/grants/{grant_id:int}/tranches/{n:int}/pay",
        name="fund-pay-tranche",
        **desk(*ACCOUNTANT, once=True),
    )
    async def pay_tranche(
        self, request: Request[Any, Any, Any], grant_id: FromPath[int], n: FromPath[int]
    ) -> Response[Any]:
        """Pay tranche ``n`` (Dr 2209 / Cr 1002) with its bank reference and value date."""
        form = await form_of(request)
        try:
            grant = await _grants(request).pay_tranche(
                grant_id,
                n,
                paid_on=_date(form, "paid_on"),
                payment_ref=str(form.get("payment_ref", "")),
                actor=principal_of(request),
            )
        except LedgerError as exc:
            return await self._grant_page(request, grant_id, status_of(exc), form=form, errors=errors_of(exc))
        return redirect(
            request,
            f"/fund/grants/{grant_id}",
            message=gettext_("Tranche {n} of grant {grant} paid; {paid} yuan paid on it so far.").format(
                n=n, grant=grant.grant_no, paid=amount(grant.paid_fen)
            ),
        )
