"""Claims as the desks show them: labels in the user's language, IDs masked per role, clocks in days.

Nothing here decides anything: statuses, deadlines and limits come from ``ClaimsService``; this only
turns them into what a template prints.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ledger.claims.domain import ClaimStatus, allowed_actions
from ledger.claims.repository import ClaimFilter, Row
from ledger.claims.service import ClaimsService
from ledger.core import clock
from ledger.core.records import Record, snapshot
from ledger.platform.domain import Principal
from ledger.web.pages import messages
from ledger.web.pages.base import principal_of, shown_id


def service_of(request: Any) -> ClaimsService:
    """The claims service of the app's settings."""
    return ClaimsService(request.app.state.settings)


def peril_name(service: ClaimsService, code: str) -> str:
    """A peril's name in the page language."""
    peril = service.policy.peril(code)
    return messages.bilingual(peril.cn, peril.en)


def head_name(service: ClaimsService, code: str) -> str:
    """A benefit head's name in the page language."""
    head = service.policy.head(code)
    return messages.bilingual(head.cn, head.en)


def clock_of(service: ClaimsService, row: Row) -> dict[str, Any]:
    """The claim's next deadline: what for, the date, days left (negative when overdue)."""
    found = service.deadline(row)
    if found is None:
        return {"kind": None, "due": None, "days": None, "overdue": False}
    kind, due = found
    days = (due - clock.today()).days
    return {
        "kind": messages.label(messages.DEADLINES, kind),
        "due": due,
        "days": days,
        "overdue": days < 0 or bool(row.get("overdue")),
    }


def claim_row(service: ClaimsService, row: Row, principal: Principal | None) -> dict[str, Any]:
    """One claim of a worklist."""
    return {
        **row,
        "status_label": messages.status_label(row["status"]),
        "peril_name": peril_name(service, row["peril"]),
        "victim_shown": shown_id(row["victim_id"], principal),
        "clock": clock_of(service, row),
        "rest_fen": int(row["approved_fen"]) - int(row["paid_fen"]),
    }


def claim_rows(
    service: ClaimsService, rows: Iterable[Row], principal: Principal | None
) -> list[dict[str, Any]]:
    """Worklist rows, the most urgent first (overdue, then the nearest deadline, then the oldest)."""
    found = [claim_row(service, row, principal) for row in rows]
    return sorted(
        found,
        key=lambda r: (r["clock"]["days"] is None, r["clock"]["days"] or 0, r["claim_no"]),
    )


def status_tabs(counts: dict[str, int], statuses: Iterable[ClaimStatus]) -> list[dict[str, Any]]:
    """Tabs with the count of claims per status, in the status machine's order."""
    return [
        {"status": s.value, "label": messages.status_label(s.value), "count": counts.get(s.value, 0)}
        for s in statuses
    ]


def claim_detail(service: ClaimsService, claim: Row, principal: Principal) -> dict[str, Any]:
    """A claim with its lines for the case file and the desks' detail pages."""
    lines = [
        {
            **line,
            "head_name": head_name(service, line["head"]),
            "trail_steps": json.loads(line["trail"]),
        }
        for line in claim["lines"]
    ]
    return {
        **claim_row(service, claim, principal),
        "lines": lines,
        "claimant_shown": shown_id(claim["claimant_id"], principal),
        "household_shown": shown_id(claim["household"], principal),
        "relation_label": messages.label(messages.RELATIONS, claim["claimant_relation"]),
        "household_label": messages.label(messages.HOUSEHOLD_STATUSES, claim["household_status"]),
        "requested": json.loads(claim["documents_requested"]),
        "actions": [a.value for a in allowed_actions(claim["status"])],
    }


async def detail_page(request: Any, claim_no: str) -> tuple[ClaimsService, dict[str, Any]]:
    """The claims service and the claim ``claim_no`` as a desk's detail page shows it."""
    principal = principal_of(request)
    service = service_of(request)
    return service, claim_detail(service, await service.claims_view(claim_no, principal), principal)


async def documents_of(service: ClaimsService, claim_no: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A claim's documents as ``ClaimsService.documents`` finds them, each stored one with its name in
    the page language, and the names of every document type."""
    found = await service.documents(claim_no)
    names = {code: messages.bilingual(d.cn, d.en) for code, d in service.policy.documents.items()}
    stored = [{**snapshot(d), "name": names.get(d.doc_type, d.doc_type)} for d in found["documents"]]
    return {**found, "documents": stored}, names


async def worklist(request: Any, criteria: ClaimFilter, size: int) -> tuple[list[dict[str, Any]], int]:
    """The first ``size`` claims matching ``criteria`` as a desk lists them (the most urgent first),
    and how many match."""
    service = service_of(request)
    rows, total = await service.search(criteria, limit=size, offset=0)
    return claim_rows(service, rows, principal_of(request)), total


def payment_rows(payments: Iterable[Record]) -> list[dict[str, Any]]:
    """Payments as the desks list them: each with its kind in the page language."""
    return [
        {**snapshot(p), "kind_label": messages.label(messages.PAYMENT_KINDS, snapshot(p)["kind"])}
        for p in payments
    ]
