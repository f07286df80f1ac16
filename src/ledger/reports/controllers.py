"""Statements and vouchers as downloads: ``GET /api/reports/{name}.{pdf|csv|xlsx}``.

Each file is rendered whole in memory by the report service (its content hash and length are known
before the first byte is sent) and answered as one response body.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from ledger.core.errors import InvalidInput, NotFound
from ledger.platform.domain import Role
from ledger.reports.schemas import ReportInfo
from ledger.reports.service import (
    FORMATS,
    REPORTS,
    Rendered,
    ReportService,
    check_format,
    parse_day,
    report_request,
)
from ledger.web.auth import access
from ledger.web.choices import ReportBook

READERS = (Role.AUDITOR, Role.ACCOUNTANT, Role.ADMIN)

DateFrom = Annotated[
    str | None, QueryParameter(name="from", description="first day YYYY-MM-DD (default 1 Jan)")
]
DateTo = Annotated[str | None, QueryParameter(name="to", description="last day YYYY-MM-DD (default today)")]


def split_document(document: str) -> tuple[str, str]:
    """``trial-balance.pdf`` -> (``trial-balance``, ``pdf``)."""
    name, dot, fmt = document.rpartition(".")
    if not dot:
        raise NotFound(f"{document!r} names no format", field="format", rule="<name>." + "|".join(FORMATS))
    return name, check_format(fmt)


def download(rendered: Rendered) -> Response[bytes]:
    """The rendered file as an attachment, with its name and content hash."""
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{rendered.filename}"',
            "X-Content-Hash": rendered.content_hash,
        },
    )


class ReportController(Controller):
    """Audit statements from the Beancount ledger, cross-checked with the journal."""

    path = "/api/reports"
    tags = ["reports"]

    @get("/", **access(*READERS), operation_id="listReports")
    async def index(self) -> list[ReportInfo]:
        """The reports, the books each is made for and the formats."""
        return [
            ReportInfo(
                name=s.name,
                title_cn=s.title_cn,
                title_en=s.title_en,
                books=list(s.books),
                formats=list(FORMATS),
            )
            for s in REPORTS.values()
        ]

    @get(
        "/{document:str}",
        **access(
            *READERS,
            description="Download a statement, e.g. "
            "`trial-balance.pdf?book=charity&from=2026-01-01&to=2026-12-31`. The figures come from "
            "the Beancount ledger; differences with the journal are printed in red.",
        ),
        operation_id="downloadReport",
    )
    async def report(
        self,
        request: Request[Any, Any, Any],
        document: FromPath[str],
        date_from: DateFrom = None,
        date_to: DateTo = None,
        book: FromQuery[ReportBook | None] = None,
    ) -> Response[bytes]:
        """One report as PDF, CSV or XLSX (rendered in memory, sent with a Content-Disposition filename)."""
        name, fmt = split_document(document)
        service = ReportService(request.app.state.settings)
        wanted = report_request(
            name,
            book=book,
            start=parse_day(date_from, "from"),
            end=parse_day(date_to, "to"),
            today=service.today(),
        )
        return download(await service.render(wanted, fmt))

    @get("/vouchers/{document:str}", **access(*READERS), operation_id="downloadVoucher")
    async def voucher(self, request: Request[Any, Any, Any], document: FromPath[str]) -> Response[bytes]:
        """The voucher (记账凭证) of journal entry ``seq``: ``/api/reports/vouchers/12.pdf``."""
        number, fmt = split_document(document)
        if not number.isdigit() or int(number) < 1:
            raise InvalidInput(
                f"voucher number must be a journal seq, got {number!r}", field="seq", rule="positive integer"
            )
        service = ReportService(request.app.state.settings)
        return download(await service.render_voucher(int(number), fmt))


ROUTES: list[Any] = [ReportController]
