"""The payment desk (支付): approved claims awaiting payment, paying with a preview, vouchers, daily list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from ledger.claims.domain import ClaimStatus, PaymentKind
from ledger.claims.records import DailyPayment
from ledger.claims.repository import ClaimFilter
from ledger.core import clock
from ledger.core.errors import InvalidInput, LedgerError
from ledger.platform.domain import Role
from ledger.reports.documents import Column, Table
from ledger.reports.exports import to_csv, to_xlsx
from ledger.reports.service import ReportService
from ledger.web.i18n import gettext_
from ledger.web.pages import messages
from ledger.web.pages.base import amount, desk, error_context, form_of, principal_of, redirect, render
from ledger.web.pages.views import (
    detail_page,
    payment_rows,
    peril_name,
    service_of,
    worklist,
)

DESK_SIZE = 200
VOUCHER_READERS = (Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(value: str | None) -> dt.date:
    if not value:
        return clock.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("day must be a date like 2026-12-01", field="day", rule="YYYY-MM-DD") from None


def _kinds() -> list[tuple[str, str]]:
    return [(kind.value, messages.label(messages.PAYMENT_KINDS, kind.value)) for kind in PaymentKind]


def _daily_table(rows: list[DailyPayment], day: dt.date) -> Table:
    """The day's payments as a report table (the same CSV/XLSX writers as the statements)."""
    columns = (
        Column("claim_no", "理赔案号", "Claim no.", "text", 34),
        Column("paid_on", "支付日期", "Paid on", "date", 24),
        Column("kind", "支付类型", "Kind", "text", 20),
        Column("claimant", "收款人", "Payee", "text", 30),
        Column("reference", "银行流水号", "Bank reference", "text", 40),
        Column("voucher", "凭证号", "Voucher (journal entry)", "int", 24),
        Column("paid_by", "经办人", "Paid by", "text", 24),
        Column("amount", "金额", "Amount", "money", 30),
    )
    body = tuple(
        (
            r.claim_no,
            r.paid_on,
            r.kind,
            r.claimant_name,
            r.reference,
            r.journal_seq,
            r.paid_by,
            r.fen,
        )
        for r in rows
    )
    totals = ("合计", None, None, None, None, None, None, sum(r.fen for r in rows))
    return Table(
        columns, body, totals, title=f"理赔支付日报 {day.isoformat()}", title_en="Daily claim payments"
    )


class PaymentPages(Controller):
    """Paying approved claims."""

    @get("/payments", name="payments", **desk(Role.ACCOUNTANT))
    async def worklist(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Approved and partly paid claims, the nearest payment deadline first; today's payments below."""
        claims, total = await worklist(
            request,
            ClaimFilter(statuses=(ClaimStatus.APPROVED.value, ClaimStatus.PARTLY_PAID.value)),
            DESK_SIZE,
        )
        today = await service_of(request).payments_on(clock.today())
        return render(
            request,
            "payments/desk.html",
            claims=claims,
            total=total,
            todays=payment_rows(today),
        )

    @get("/payments/{claim_no:str}", name="pay", **desk(Role.ACCOUNTANT))
    async def pay_form(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[Any]:
        """Choose the kind, the amount and the bank reference of a payment."""
        return await self._pay_form(request, claim_no)

    async def _pay_form(
        self, request: Request[Any, Any, Any], claim_no: str, status_code: int = 200, **extra: Any
    ) -> Template:
        service, claim = await detail_page(request, claim_no)
        return render(
            request,
            "payments/pay.html",
            status_code=status_code,
            claim=claim,
            kinds=_kinds(),
            payments=await service.payments(claim_no),
            form=extra.pop("form", {}),
            **extra,
        )

    @post("/payments/{claim_no:str}/preview", name="pay-preview", **desk(Role.ACCOUNTANT))
    async def preview(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[Any]:
        """Show what the payment will post, in figures and 大写, before it is confirmed."""
        form = await form_of(request)
        service = service_of(request)
        kind = str(form.get("kind", ""))
        asked = str(form.get("amount", "")).strip().replace(",", "") or None
        try:
            if not str(form.get("reference", "")).strip():
                raise InvalidInput(gettext_("Required."), field="reference", rule="the bank reference")
            found = await service.payment_preview(claim_no, kind, asked)
        except LedgerError as exc:
            return await self._pay_form(request, claim_no, 422, form=form, **error_context(exc))
        claim = found["claim"]
        return render(
            request,
            "payments/confirm.html",
            claim=claim,
            peril=peril_name(service, claim["peril"]),
            kind=found["kind"],
            kind_label=messages.label(messages.PAYMENT_KINDS, found["kind"]),
            fen=found["fen"],
            amount_text=amount(found["fen"]),
            postings=found["postings"],
            narration=found["narration"],
            reference=str(form.get("reference", "")).strip(),
            rest_after=int(claim["approved_fen"]) - int(claim["paid_fen"]) - found["fen"],
        )

    @post("/payments/{claim_no:str}/pay", name="pay-submit", **desk(Role.ACCOUNTANT, once=True))
    async def pay(self, request: Request[Any, Any, Any], claim_no: FromPath[str]) -> Response[Any]:
        """Pay as confirmed and post the journal entry; link the payment's entry and voucher."""
        form = await form_of(request)
        try:
            row = await service_of(request).pay(
                principal_of(request),
                claim_no,
                str(form.get("kind", "")),
                str(form.get("amount", "")) or None,
                str(form.get("reference", "")).strip() or None,
            )
        except LedgerError as exc:
            return await self._pay_form(request, claim_no, 409, form=form, **error_context(exc))
        seq = row.journal_seq
        return redirect(
            request,
            "/payments",
            message=gettext_(
                "Paid {amount} yuan on claim {claim} (reference {reference}); journal entry no. {seq}."
            ).format(amount=amount(row.fen), claim=claim_no, reference=row.reference, seq=seq),
            links={
                gettext_("Voucher {seq} (PDF)").format(seq=seq): f"/vouchers/{seq}",
                gettext_("Case file"): f"/claims/{claim_no}",
            },
        )

    @get("/vouchers/{seq:int}", name="voucher", **desk(*VOUCHER_READERS))
    async def voucher(self, request: Request[Any, Any, Any], seq: FromPath[int]) -> Response[bytes]:
        """The voucher (记账凭证) of a journal entry, rendered by the reports."""
        rendered = await ReportService(request.app.state.settings).render_voucher(seq, "pdf")
        return Response(
            rendered.content,
            media_type=rendered.media_type,
            headers={"Content-Disposition": f'inline; filename="{rendered.filename}"'},
        )

    @get("/payments/daily", name="daily", **desk(*VOUCHER_READERS))
    async def daily(
        self, request: Request[Any, Any, Any], day: FromQuery[str | None] = None
    ) -> Response[Any]:
        """The payments of one day, with their entries, vouchers and total; CSV and XLSX downloads."""
        try:
            wanted = _day(day)
        except LedgerError as exc:
            wanted, errors = clock.today(), error_context(exc)["errors"]
        else:
            errors = {}
        rows = await service_of(request).payments_on(wanted)
        return render(
            request,
            "payments/daily.html",
            day=wanted,
            errors=errors,
            payments=payment_rows(rows),
            total_fen=sum(p.fen for p in rows),
        )

    @get("/payments/daily/{fmt:str}", name="daily-export", **desk(*VOUCHER_READERS))
    async def daily_export(
        self, request: Request[Any, Any, Any], fmt: FromPath[str], day: FromQuery[str | None] = None
    ) -> Response[bytes]:
        """The day's payments as CSV or XLSX."""
        wanted = _day(day)
        table = _daily_table(await service_of(request).payments_on(wanted), wanted)
        if fmt == "csv":
            content, media = to_csv(table), "text/csv; charset=utf-8"
        elif fmt == "xlsx":
            content, media = to_xlsx([table]), XLSX
        else:
            raise InvalidInput(f"unknown format {fmt!r}", field="format", rule="csv or xlsx")
        name = f"payments-{wanted.isoformat()}.{fmt}"
        return Response(
            content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )
