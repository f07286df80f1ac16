"""The auditor's desk (审计): the ledger's integrity, statements with a preview, the audit trail.

Every figure comes from the same service call as the API: the integrity panel from
``Ledger.health`` (what ``/health`` says) and the journal's chain head, the statement preview from
``ReportService.preview`` (the tables the CSV and XLSX downloads hold), the trail from the platform's
audit search. The pages only format.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from ledger.core import clock
from ledger.core.errors import InvalidInput, LedgerError
from ledger.journal.service import Ledger, chain_head, check_for
from ledger.platform.domain import AUDIT_OBJECT_TYPES, Role
from ledger.platform.records import AuditRecord
from ledger.platform.repository import AuditFilter
from ledger.platform.schemas import AuditEntry
from ledger.platform.service import audit_actions, audit_days, filter_audit
from ledger.reports.controllers import download, split_document
from ledger.reports.documents import Column, Table
from ledger.reports.exports import to_csv
from ledger.reports.service import FORMATS, REPORTS, ReportRequest, ReportService, parse_day, report_request
from ledger.web.i18n import gettext_
from ledger.web.pages import messages
from ledger.web.pages.base import desk, error_context, principal_of, redirect, render

LEDGER_READERS = (Role.AUDITOR, Role.ACCOUNTANT, Role.ADMIN)
"""Who may read the statements and the ledger's status, and run a check: as ``/api/reports`` and
``/api/ledger/status``."""
TRAIL_READERS = (Role.AUDITOR, Role.ADMIN)
"""Who may read the audit trail: as ``/api/audit``."""
TRAIL_PAGE = 50
SHOWN_CHARS = 80
"""How much of one changed value the trail's page shows (the full snapshots are one click away)."""
CSV_MAX = 100_000
"""The most rows one CSV export of the trail holds (the filters narrow it down)."""
TRAIL_FILTERS = ("actor", "action", "object_type", "object_id", "from", "to")
BOOK_NAMES = {
    "insurance": messages.N_("relief liability insurance"),
    "charity": messages.N_("guidance fund (charity federation)"),
    "all": messages.N_("all books"),
}

OBJECT_TYPES = {
    "claim": messages.N_("claim"),
    "event": messages.N_("event"),
    "policy_year": messages.N_("policy year"),
    "fund": messages.N_("fund"),
    "fund_receipt": messages.N_("fund receipt"),
    "fund_period_close": messages.N_("period close"),
    "fund_grantee": messages.N_("grantee"),
    "fund_conflict_link": messages.N_("conflict-of-interest link"),
    "fund_call": messages.N_("call for applications"),
    "fund_application": messages.N_("application"),
    "fund_grant": messages.N_("grant"),
    "user": messages.N_("user"),
    "login": messages.N_("sign-in"),
    "ledger": messages.N_("ledger"),
}
"""The words for the audit trail's object types (``AUDIT_OBJECT_TYPES``)."""


def _moment(value: dt.datetime | str | None) -> str:
    """``2026-12-01 10:00:05`` in the business time zone (the trail and the checks need seconds)."""
    if value is None:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M:%S")


def _shown(value: Any) -> str:
    """A snapshot value in a few characters: text as is, anything else as JSON, cut at 80."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _changes(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """What an audit row changed: (field, before, after) for each field whose value differs; a snapshot
    that is not an object counts as one field named ``""``; a missing one (creation) as an empty object."""
    if before is None and isinstance(after, dict):
        before = {}
    if after is None and isinstance(before, dict):
        after = {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [] if before == after else [("", _shown(before), _shown(after))]

    def side(snapshot: dict[str, Any], key: str) -> str:
        return _shown(snapshot[key]) if key in snapshot else ""

    return [
        (key, side(before, key), side(after, key))
        for key in sorted({*before, *after})
        if before.get(key) != after.get(key) or (key in before) != (key in after)
    ]


def _outcome(kept: dict[str, Any] | None) -> dict[str, Any] | None:
    """A kept check or verification as the panel shows it."""
    return None if kept is None else {**kept, "at_text": _moment(kept["at"])}


def _form_errors(exc: LedgerError, books: tuple[str, ...] = ()) -> dict[str, str]:
    """A refused parameter's error beside its input, in the user's language (the report's ``name`` is
    the ``report`` input; ``books`` are the books the chosen statement is made for)."""
    errors: dict[str, str] = error_context(exc)["errors"]
    if "name" in errors:
        errors["report"] = errors.pop("name")
    field = messages.form_field(exc.field)
    if exc.rule == "YYYY-MM-DD":
        errors[field] = gettext_("Enter a date like 2026-12-01.")
    elif exc.rule == "from <= to":
        errors[field] = gettext_("The first day is after the last day.")
    elif field == "book" and books:
        names = ", ".join(gettext_(BOOK_NAMES.get(b, b)) for b in books)
        errors[field] = gettext_("This statement is made for: {books}.").format(books=names)
    return errors


def _report(service: ReportService, name: str, query: dict[str, str]) -> ReportRequest:
    """The report ``name`` for the page's book and period parameters (validated by the reports)."""
    return report_request(
        name,
        book=query.get("book"),
        start=parse_day(query.get("from"), "from"),
        end=parse_day(query.get("to"), "to"),
        today=service.today(),
    )


def _trail_row(record: AuditRecord) -> dict[str, Any]:
    """One row of the trail's page: the time in seconds, the object in words, what changed."""
    entry = AuditEntry.of(record)
    return {
        "at_text": _moment(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_label": messages.label(OBJECT_TYPES, entry.object_type),
        "object_id": entry.object_id,
        "changes": _changes(entry.before, entry.after),
        "before_text": record.before,
        "after_text": record.after,
        "request_id": entry.request_id,
    }


def _trail_table(records: list[AuditRecord]) -> Table:
    """The filtered trail as a table for the CSV writer the statements use (snapshots as stored)."""
    columns = (
        Column("at", "时间", "At", "text", 40),
        Column("actor", "操作人", "Actor", "text", 24),
        Column("action", "操作", "Action", "text", 30),
        Column("object_type", "对象类型", "Object type", "text", 24),
        Column("object_id", "对象", "Object", "text", 30),
        Column("before", "变更前", "Before", "text", 60),
        Column("after", "变更后", "After", "text", 60),
        Column("request_id", "请求号", "Request id", "text", 30),
    )
    body = tuple(
        (_moment(r.at), r.actor, r.action, r.object_type, r.object_id, r.before, r.after, r.request_id)
        for r in records
    )
    return Table(columns, body, title="审计日志", title_en="Audit trail")


def _trail_filter(query: dict[str, str]) -> AuditFilter:
    """The trail's filter from the page's query; a bad value raises naming its input."""
    kind = query.get("object_type")
    if kind is not None and kind not in AUDIT_OBJECT_TYPES:
        raise InvalidInput(
            f"object_type must be one of {', '.join(AUDIT_OBJECT_TYPES)}: got {kind!r}",
            field="object_type",
            rule="a known object type",
        )
    since, before = audit_days(parse_day(query.get("from"), "from"), parse_day(query.get("to"), "to"))
    return AuditFilter(
        actor=query.get("actor"),
        action=query.get("action"),
        object_type=kind,
        object_id=query.get("object_id"),
        since=since,
        before=before,
    )


def _query(request: Request[Any, Any, Any], names: tuple[str, ...]) -> dict[str, str]:
    """The named query parameters that are not blank, stripped."""
    found = {name: str(request.query_params.get(name, "")).strip() for name in names}
    return {name: value for name, value in found.items() if value}


class AuditPages(Controller):
    """The auditor's desk."""

    path = "/audit"

    @get("/", name="audit-integrity", **desk(*LEDGER_READERS))
    async def integrity(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The ledger's integrity: chain head, last verify and check, how far the files trail."""
        health = await Ledger.of(request.app.state.settings).health()
        head = await chain_head()
        return render(
            request,
            "audit/integrity.html",
            health=health,
            head_seq=head[0] if head else 0,
            head_hash=head[1] if head else "",
            last_check=_outcome(health.last_check),
            last_verify=_outcome(health.last_verify),
            export_failure=_outcome(health.export_failure),
        )

    @post("/check", name="audit-check", **desk(*LEDGER_READERS))
    async def check(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Run the ledger check now (written to the audit trail) and show its verdict on the panel.

        Not a one-time form (``once``): the check changes no books, so a form sent twice runs and records
        a second check, which is harmless; a form key's unit of work would instead hold the database's
        write lock for as long as Beancount takes to load the whole ledger.
        """
        report = await check_for(request.app.state.settings, principal_of(request))
        if report.ok:
            message = gettext_(
                "Ledger check passed: {entries} entries, the hash chain is unbroken up to entry {seq} and "
                "the files agree with the journal."
            ).format(entries=report.chain.count, seq=report.chain.head_seq)
        else:
            message = gettext_("Ledger check FAILED: {summary}").format(summary=report.headline())
        return redirect(
            request,
            "/audit",
            message=message,
            links={gettext_("Audit trail of ledger checks"): "/audit/trail?object_type=ledger"},
        )

    @get("/statements", name="audit-statements", **desk(*LEDGER_READERS))
    async def statements(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Choose a statement, book and period; the preview shows the figures of the downloads."""
        query = _query(request, ("report", "book", "from", "to"))
        preview, errors, links = None, {}, {}
        if "report" in query:
            try:
                service = ReportService(request.app.state.settings)
                wanted = _report(service, query["report"], query)
                preview = await service.preview(wanted)
            except LedgerError as exc:
                spec = REPORTS.get(query["report"])
                errors = _form_errors(exc, spec.books if spec else ())
            else:
                period = {"book": wanted.book, "from": wanted.period.start, "to": wanted.period.end}
                links = {
                    fmt: f"/audit/statements/{wanted.spec.name}.{fmt}?{urlencode(period)}" for fmt in FORMATS
                }
        return render(
            request,
            "audit/statements.html",
            status_code=422 if errors else 200,
            form=query,
            errors=errors,
            reports=[(s.name, messages.bilingual(s.title_cn, s.title_en)) for s in REPORTS.values()],
            books=[(code, gettext_(name)) for code, name in BOOK_NAMES.items()],
            preview=preview,
            links=links,
        )

    @get("/statements/{document:str}", name="audit-statement-file", **desk(*LEDGER_READERS))
    async def statement_file(
        self, request: Request[Any, Any, Any], document: FromPath[str]
    ) -> Response[bytes]:
        """A statement as PDF, CSV or XLSX: the same rendering as ``/api/reports``."""
        name, fmt = split_document(document)
        service = ReportService(request.app.state.settings)
        wanted = _report(service, name, _query(request, ("book", "from", "to")))
        return download(await service.render(wanted, fmt))

    @get("/trail", name="audit-trail", **desk(*TRAIL_READERS))
    async def trail(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The audit trail, newest first, filtered by actor, action, object and days; paginated."""
        query = _query(request, (*TRAIL_FILTERS, "page"))
        page = int(query["page"]) if query.get("page", "").isdigit() and int(query["page"]) > 0 else 1
        keep = {k: v for k, v in query.items() if k != "page"}
        records: list[AuditRecord] = []
        total, errors = 0, {}
        try:
            records, total = await filter_audit(
                _trail_filter(keep), limit=TRAIL_PAGE, offset=(page - 1) * TRAIL_PAGE
            )
        except LedgerError as exc:
            errors = _form_errors(exc)
        pages = max(1, -(-total // TRAIL_PAGE))
        return render(
            request,
            "audit/trail.html",
            status_code=422 if errors else 200,
            form=keep,
            errors=errors,
            rows=[_trail_row(record) for record in records],
            total=total,
            first=(page - 1) * TRAIL_PAGE + 1,
            last=min(page * TRAIL_PAGE, total),
            page=page,
            pages=pages,
            prev_url=f"?{urlencode({**keep, 'page': page - 1})}" if page > 1 else None,
            next_url=f"?{urlencode({**keep, 'page': page + 1})}" if page < pages else None,
            csv_url=f"/audit/trail/csv?{urlencode(keep)}" if keep else "/audit/trail/csv",
            actions=await audit_actions(),
            object_types=[(code, messages.label(OBJECT_TYPES, code)) for code in AUDIT_OBJECT_TYPES],
        )

    @get("/trail/csv", name="audit-trail-csv", **desk(*TRAIL_READERS))
    async def trail_csv(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Every row of the filtered trail (not only one page) as CSV."""
        rows, total = await filter_audit(
            _trail_filter(_query(request, TRAIL_FILTERS)), limit=CSV_MAX, offset=0
        )
        if total > CSV_MAX:
            raise InvalidInput(
                gettext_("{total} rows match; narrow the filters to at most {most} for one CSV file.").format(
                    total=total, most=CSV_MAX
                ),
                field="from",
                rule=f"at most {CSV_MAX} rows",
            )
        stamp = clock.local_now().strftime("%Y%m%d-%H%M%S")
        return Response(
            to_csv(_trail_table(rows)),
            media_type=FORMATS["csv"],
            headers={"Content-Disposition": f'attachment; filename="audit-trail-{stamp}.csv"'},
        )
