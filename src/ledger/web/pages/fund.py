"""The fund desk (慈善引导资金) for the charity federation's accountants: the fund's position with its
charts, receipts, grantees and the period close (previewed, then confirmed).

Calls, applications, decisions and grants are in ``fund_grants``. Every figure comes from the funds
services; this module reads forms, calls one service method and renders.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Template

from ledger.core.errors import LedgerError
from ledger.funds import domain, schemas
from ledger.funds.records import FundRecord
from ledger.funds.service import ApplicationService, FundService, GrantService, fund_config
from ledger.platform.domain import Role
from ledger.web.errors import status_of
from ledger.web.i18n import gettext_
from ledger.web.pages.adjuster import FormErrors, _convert, _required
from ledger.web.pages.base import amount, desk, error_context, form_of, principal_of, redirect, render
from ledger.web.pages.fund_views import (
    GRANT_STATUSES,
    RECEIPT_KINDS,
    month_chart,
    programme_chart,
    status_word,
)

ACCOUNTANT = (Role.ACCOUNTANT,)
PAGE_SIZE = 200


def funds_of(request: Request[Any, Any, Any]) -> FundService:
    """The funds service of the app's settings."""
    return FundService(request.app.state.settings)


def errors_of(exc: LedgerError) -> dict[str, str]:
    """The field errors of a refused form: several from parsing the form, else the one the rule names."""
    return exc.errors if isinstance(exc, FormErrors) else error_context(exc)["errors"]


def parsed(struct: type[msgspec.Struct], form: dict[str, Any], *amounts: str) -> Any:
    """The form as ``struct`` (the API's own schema), amounts typed with thousands separators allowed."""
    names = [field.name for field in msgspec.structs.fields(struct)]
    values = {name: str(form.get(name, "")).strip() for name in names if name in form}
    values.update({name: values.get(name, "").replace(",", "") for name in amounts})
    missing = _required(struct, values)
    if missing:
        raise FormErrors(missing)
    return _convert(struct, {k: v for k, v in values.items() if v != ""})


async def the_fund(service: FundService, fund: int | None) -> FundRecord | None:
    """The fund asked for, else the configured guidance fund, else the first fund (``None`` if none)."""
    if fund is not None:
        return await service.fund(fund)
    configured = await service.fund_by_code(fund_config().fund.code)
    if configured is not None:
        return configured
    funds = await service.all_funds()
    return funds[0] if funds else None


class FundPages(Controller):
    """The dashboard, receipts, grantees and the period close."""

    @get("/fund", name="fund", **desk(*ACCOUNTANT))
    async def dashboard(
        self, request: Request[Any, Any, Any], fund: FromQuery[int | None] = None
    ) -> Response[Any]:
        """Received, committed, paid, returned and available; month by month and by programme area."""
        service = funds_of(request)
        found = await the_fund(service, fund)
        if found is None:
            return render(request, "fund/dashboard.html", fund=None, funds=[])
        flows = await service.monthly_flows(found.id)
        areas = await service.programme_totals(found.id)
        grants = GrantService(request.app.state.settings)
        due = [
            grant
            for grant in await grants.grant_page(status=None, limit=PAGE_SIZE, offset=0)
            if grant.fund_id == found.id
            and domain.GrantAction.PAY_TRANCHE in domain.grant_actions(grant.status)
        ]
        return render(
            request,
            "fund/dashboard.html",
            fund=found,
            funds=await service.all_funds(),
            position=await service.fund_position(found.id),
            flows=flows,
            areas=areas,
            month_svg=month_chart(flows),
            area_svg=programme_chart(areas),
            due=due,
            status_word=lambda code: status_word(GRANT_STATUSES, code),
            closes=await service.closed_periods(),
        )

    # -- receipts --------------------------------------------------------------------------------------

    @get("/fund/receipts", name="fund-receipts", **desk(*ACCOUNTANT))
    async def receipts(
        self, request: Request[Any, Any, Any], fund: FromQuery[int | None] = None
    ) -> Response[Any]:
        """The fund's receipts, and the form to record one."""
        return await self._receipts_page(request, fund)

    async def _receipts_page(
        self, request: Request[Any, Any, Any], fund: int | None, status_code: int = 200, **extra: Any
    ) -> Template:
        service = funds_of(request)
        found = await the_fund(service, fund)
        rows = [] if found is None else await service.receipts(found.id, limit=PAGE_SIZE, offset=0)
        return render(
            request,
            "fund/receipts.html",
            status_code=status_code,
            fund=found,
            receipts=rows,
            total_fen=sum(r.fen for r in rows),
            kinds=[(code, status_word(RECEIPT_KINDS, code)) for code in RECEIPT_KINDS],
            kind_word=lambda code: status_word(RECEIPT_KINDS, code),
            form=extra.pop("form", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @post("/fund/receipts", name="fund-receipt-add", **desk(*ACCOUNTANT, once=True))
    async def record_receipt(
        self, request: Request[Any, Any, Any], fund: FromQuery[int | None] = None
    ) -> Response[Any]:
        """Record money received (Dr 1002 / Cr income); a bank reference already used is refused."""
        form = await form_of(request)
        service = funds_of(request)
        try:
            found = await the_fund(service, fund)
            if found is None:
                raise FormErrors({"_form": gettext_("No fund exists yet.")})
            data = parsed(schemas.ReceiptCreate, form, "amount")
            row = await service.record_receipt(
                found.id,
                kind=data.kind,
                amount_fen=data.amount_fen(),
                donor=data.donor,
                agreement=data.agreement,
                reference=data.reference,
                received_on=data.received_on,
                actor=principal_of(request),
            )
        except LedgerError as exc:
            return await self._receipts_page(request, fund, status_of(exc), form=form, errors=errors_of(exc))
        return redirect(
            request,
            "/fund/receipts",
            message=gettext_(
                "Receipt no. {id} recorded: {amount} yuan from {donor} (bank reference {reference}); "
                "journal entry no. {seq}."
            ).format(
                id=row.id,
                amount=amount(row.fen),
                donor=row.donor,
                reference=row.bank_reference,
                seq=row.journal_seq,
            ),
            links={
                gettext_("Voucher {seq} (PDF)").format(seq=row.journal_seq): f"/vouchers/{row.journal_seq}"
            },
            fund=fund,
        )

    # -- grantees --------------------------------------------------------------------------------------

    @get("/fund/grantees", name="fund-grantees", **desk(*ACCOUNTANT))
    async def grantees(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The social organisations, and the form to add one."""
        return await self._grantees_page(request)

    async def _grantees_page(
        self, request: Request[Any, Any, Any], status_code: int = 200, **extra: Any
    ) -> Template:
        rows = await ApplicationService(request.app.state.settings).grantee_page(limit=PAGE_SIZE, offset=0)
        return render(
            request,
            "fund/grantees.html",
            status_code=status_code,
            grantees=rows,
            form=extra.pop("form", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @post("/fund/grantees", name="fund-grantee-add", **desk(*ACCOUNTANT, once=True))
    async def add_grantee(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Add an organisation under its checked unified social credit code."""
        form = await form_of(request)
        try:
            data = parsed(schemas.GranteeCreate, form)
            row = await ApplicationService(request.app.state.settings).add_grantee(
                credit_code=data.credit_code,
                name=data.name,
                contact_person=data.contact_person,
                contact_phone=data.contact_phone,
                bank_name=data.bank_name,
                bank_account=data.bank_account,
                actor=principal_of(request),
            )
        except LedgerError as exc:
            return await self._grantees_page(request, status_of(exc), form=form, errors=errors_of(exc))
        return redirect(
            request,
            "/fund/grantees",
            message=gettext_("Organisation {name} added (credit code {code}).").format(
                name=row.name, code=row.credit_code
            ),
        )

    # -- period close ----------------------------------------------------------------------------------

    @get("/fund/close", name="fund-close", **desk(*ACCOUNTANT))
    async def close_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The closed periods and the form to preview the next close."""
        return await self._close_page(request)

    async def _close_page(
        self, request: Request[Any, Any, Any], status_code: int = 200, **extra: Any
    ) -> Template:
        return render(
            request,
            "fund/close.html",
            status_code=status_code,
            closes=await funds_of(request).closed_periods(),
            form=extra.pop("form", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @post("/fund/close/preview", name="fund-close-preview", **desk(*ACCOUNTANT))
    async def close_preview(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """What the close will post, leg by leg, before it is confirmed; nothing is written."""
        form = await form_of(request)
        period = str(form.get("period", "")).strip()
        try:
            plan = await funds_of(request).close_preview(period)
        except LedgerError as exc:
            return await self._close_page(request, status_of(exc), form=form, errors=errors_of(exc))
        debit = sum(p.fen for p in plan.postings if p.fen > 0)
        return render(request, "fund/close_confirm.html", plan=plan, debit_fen=debit)

    @post("/fund/close", name="fund-close-submit", **desk(*ACCOUNTANT, once=True))
    async def close(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Close the period as previewed and post its entry."""
        form = await form_of(request)
        try:
            row = await funds_of(request).close_period(
                str(form.get("period", "")).strip(), actor=principal_of(request)
            )
        except LedgerError as exc:
            return await self._close_page(request, status_of(exc), form=form, errors=errors_of(exc))
        links = {}
        if row.journal_seq is not None:
            links[gettext_("Voucher {seq} (PDF)").format(seq=row.journal_seq)] = (
                f"/vouchers/{row.journal_seq}"
            )
        return redirect(
            request,
            "/fund/close",
            message=gettext_("Period {period} closed through {ends_on}.").format(
                period=row.period, ends_on=row.ends_on.isoformat()
            ),
            links=links,
        )
