"""The relief bank files (代发文件) and reconciliation: the accountant issues a file of every payable
row for a bank, downloads it (CSV with its SHA-256, or XLSX), reads the bank's return file, and
reconciles the relief account over a period; auditors and administrators read.

Payment is kept apart from the decision as in the relief API: relief officers approve, accountants pay.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery

from ledger.core import clock
from ledger.core.errors import InvalidInput, LedgerError
from ledger.platform.domain import Role
from ledger.relief.controllers import mask_account
from ledger.web.errors import status_of
from ledger.web.i18n import gettext_
from ledger.web.pages import messages
from ledger.web.pages.base import amount, desk, error_context, form_of, principal_of, redirect, render
from ledger.web.pages.relief import service_of

BANK_READERS = (Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN)
RESULTS = {
    "pending": messages.N_("waiting for the bank"),
    "paid": messages.N_("disbursed"),
    "failed": messages.N_("failed at the bank"),
}


async def files_page(request: Request[Any, Any, Any], status_code: int = 200, **extra: Any) -> Response[Any]:
    """Every bank file, and the form to issue one."""
    service = service_of(request)
    return render(
        request,
        "relief/bank_files.html",
        status_code=status_code,
        files=await service.bank_files(),
        banks=[(code, bank.cn) for code, bank in service.config.banks.items()],
        may_issue=principal_of(request).role == Role.ACCOUNTANT,
        **extra,
    )


async def file_page(
    request: Request[Any, Any, Any], file_no: str, status_code: int = 200, **extra: Any
) -> Response[Any]:
    """A bank file: its rows and where each stands, its total and SHA-256, the return file form."""
    state = await service_of(request).bank_file(file_no)
    accountant = principal_of(request).role == Role.ACCOUNTANT
    return render(
        request,
        "relief/bank_file.html",
        status_code=status_code,
        file=state.file,
        rows=[
            {
                "row_no": r.row_no,
                "account": r.account_no if accountant else mask_account(r.account_no),
                "holder": r.holder,
                "amount_fen": r.amount_fen,
                "memo": r.memo,
                "result": r.result,
                "result_label": messages.label(RESULTS, r.result),
                "reason": r.reason,
                "journal_seq": r.journal_seq,
            }
            for r in state.rows
        ],
        failed=sum(1 for r in state.rows if r.result == "failed"),
        may_act=accountant,
        **extra,
    )


async def _uploaded(request: Request[Any, Any, Any], name: str) -> str:
    """The text of the CSV uploaded as ``name``; else an error naming the input."""
    upload = (await request.form()).get(name)
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    if not content:
        raise InvalidInput(gettext_("Choose the bank's return file (CSV)."), field=name, rule="required")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            gettext_("The return file must be CSV in UTF-8."), field=name, rule="UTF-8 CSV"
        ) from None


def _day(text: str | None, default: dt.date, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        raise InvalidInput(
            gettext_("A date is written 2026-12-01."), field=field, rule="date YYYY-MM-DD"
        ) from None


class BankPages(Controller):
    """Bank files, return files and reconciliation of the relief account."""

    path = "/relief"

    @get("/bank", name="relief-bank", **desk(*BANK_READERS))
    async def files(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Bank files, the latest first."""
        return await files_page(request)

    @post("/bank", name="relief-issue", **desk(Role.ACCOUNTANT, once=True))
    async def issue(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Issue a file of every payable row for one bank."""
        form = await form_of(request)
        try:
            state = await service_of(request).issue(principal_of(request), str(form.get("bank", "")))
        except LedgerError as exc:
            return await files_page(request, status_of(exc), form=form, **error_context(exc))
        return redirect(
            request,
            f"/relief/bank/{state.file.file_no}",
            message=gettext_("Bank file {no} issued: {count} rows, {total} yuan.").format(
                no=state.file.file_no, count=state.file.row_count, total=amount(state.file.total_fen)
            ),
        )

    @get("/bank/{file_no:str}", name="relief-bank-file", **desk(*BANK_READERS))
    async def file(self, request: Request[Any, Any, Any], file_no: FromPath[str]) -> Response[Any]:
        """One bank file."""
        return await file_page(request, file_no)

    @get("/bank/{file_no:str}/download/{fmt:str}", name="relief-bank-download", **desk(Role.ACCOUNTANT))
    async def download(
        self, request: Request[Any, Any, Any], file_no: FromPath[str], fmt: FromPath[str]
    ) -> Response[bytes]:
        """The file as sent (CSV) or as XLSX."""
        content, media = await service_of(request).bank_file_export(file_no, fmt)
        return Response(
            content,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{file_no}.{fmt}"'},
        )

    @post("/bank/{file_no:str}/returns", name="relief-returns", **desk(Role.ACCOUNTANT, once=True))
    async def returns(self, request: Request[Any, Any, Any], file_no: FromPath[str]) -> Response[Any]:
        """Read the bank's return file (CSV: row_no, result, reason)."""
        try:
            content = await _uploaded(request, "returns")
            state = await service_of(request).import_returns(principal_of(request), file_no, content)
        except LedgerError as exc:
            return await file_page(request, file_no, status_of(exc), **error_context(exc))
        failed = sum(1 for r in state.rows if r.result == "failed")
        paid = sum(1 for r in state.rows if r.result == "paid")
        return redirect(
            request,
            f"/relief/bank/{file_no}",
            message=gettext_("Return file read: {paid} paid, {failed} failed (back to be paid).").format(
                paid=paid, failed=failed
            ),
        )

    @get("/reconciliation", name="relief-reconciliation", **desk(*BANK_READERS))
    async def reconciliation(
        self,
        request: Request[Any, Any, Any],
        date_from: FromQuery[str | None] = None,
        date_to: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """The statement against the relief bank account, listing what is unmatched on each side."""
        today = clock.today()
        try:
            first = _day(date_from, today.replace(day=1), "from")
            last = _day(date_to, today, "to")
            found = await service_of(request).reconcile(first, last)
        except LedgerError as exc:
            form = {"date_from": date_from or "", "date_to": date_to or ""}
            return render(
                request,
                "relief/reconciliation.html",
                status_code=status_of(exc),
                form=form,
                **error_context(exc),
            )
        return render(
            request,
            "relief/reconciliation.html",
            form={"date_from": first.isoformat(), "date_to": last.isoformat()},
            found=found,
        )
