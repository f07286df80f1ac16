"""The claim clocks over HTTP: the limitation period at registration (and its approver override), the due
dates on the claim, and the nightly overdue job flagging each clock the day after it is due."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from ledger.claims.service import ClaimsService
from ledger.claims.tables import ClaimRow
from ledger.config import Settings
from ledger.core import clock
from ledger.platform.tables import AuditEvent
from tests.api.claims.conftest import EVENT_DATE, Claims

LIMITATION_ENDS = dt.date(2028, 6, 1)
"""Two years after ``EVENT_DATE``, the incident date of every test event."""

DEATH = [{"head": "death", "claimed": "1000.00"}]


def _pin_today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(clock, "today", lambda *_args, **_kwargs: day)


async def test_registered_on_the_last_day_of_the_limitation_period(
    api: Claims, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert dt.date.fromisoformat(EVENT_DATE).replace(year=2028) == LIMITATION_ENDS
    event_no = await api.event()
    _pin_today(monkeypatch, LIMITATION_ENDS)
    claim = await api.register(event_no, DEATH)
    assert claim["limitation_ends"] == "2028-06-01"
    assert claim["status"] == "under_review"


async def test_time_barred_a_day_later_refused_then_overridden_by_an_approver(
    api: Claims, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_no = await api.event()
    _pin_today(monkeypatch, LIMITATION_ENDS + dt.timedelta(days=1))
    body = api.claim_body(event_no, DEATH)
    before = (await ClaimRow.count(), await AuditEvent.count())

    refused = await api.client.post("/api/claims", json=body, headers=api.headers["adjuster"])
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert (problem["field"], problem["rule"]) == (
        "incident_date",
        "limitation period: 2 years after the incident",
    )
    assert problem["limitation_ends"] == "2028-06-01"
    assert "2028-06-01" in problem["detail"]

    override = {**body, "limitation_override_reason": "报案人住院，无法按时申请"}
    by_adjuster = await api.client.post("/api/claims", json=override, headers=api.headers["adjuster"])
    assert by_adjuster.status_code == 403, by_adjuster.text
    assert by_adjuster.json()["field"] == "limitation_override_reason"
    blank = {**body, "limitation_override_reason": "  "}
    no_reason = await api.client.post("/api/claims", json=blank, headers=api.headers["approver"])
    assert no_reason.status_code == 422
    assert no_reason.json()["field"] == "limitation_override_reason"
    assert (await ClaimRow.count(), await AuditEvent.count()) == before

    overridden = await api.client.post("/api/claims", json=override, headers=api.headers["approver"])
    assert overridden.status_code == 201, overridden.text
    claim_no = overridden.json()["claim_no"]
    audit = await AuditEvent.select().where(AuditEvent.action == "claim.limitation_override").first()
    assert audit is not None
    assert (audit["actor"], audit["object_id"]) == ("approver", claim_no)
    assert json.loads(audit["before"]) == {"incident_date": EVENT_DATE, "limitation_ends": "2028-06-01"}
    assert json.loads(audit["after"]) == {"limitation_override_reason": "报案人住院，无法按时申请"}


async def _reject(api: Claims, claim_no: str) -> dict[str, Any]:
    response = await api.post("approver", f"/api/claims/{claim_no}/reject", {"reason_code": "not_insured"})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_due_dates_on_the_claim(api: Claims) -> None:
    today = clock.today()
    event_no = await api.event()
    reviewed = await api.register(event_no, DEATH)
    assert reviewed["decision_due"] == (today + dt.timedelta(days=30)).isoformat()
    assert reviewed["advance_payment_due"] == (today + dt.timedelta(days=60)).isoformat()
    assert reviewed["rejection_notice_due"] is None
    assert (reviewed["limitation_ends"], reviewed["overdue_reasons"]) == ("2028-06-01", [])

    unreviewed = await api.register(event_no, [{"head": "property", "claimed": "1000.00"}], documents=[])
    assert (unreviewed["status"], unreviewed["advance_payment_due"]) == ("registered", None)

    rejected = await _reject(api, reviewed["claim_no"])
    assert rejected["rejection_notice_due"] == (today + dt.timedelta(days=3)).isoformat()
    assert (await api.get(reviewed["claim_no"]))["rejection_notice_due"] == rejected["rejection_notice_due"]
    reopened = await api.post("approver", f"/api/claims/{reviewed['claim_no']}/reopen", {"reason": "新证据"})
    assert reopened.json()["rejection_notice_due"] is None


async def test_overdue_job_flags_each_clock_the_day_after_it_is_due(api: Claims, settings: Settings) -> None:
    today = clock.today()
    event_no = await api.event()
    deciding = (await api.register(event_no, DEATH))["claim_no"]
    paying = (await api.approved_claim(event_no, [{"head": "property", "claimed": "5000.00"}]))["claim_no"]
    rejected = (await _reject(api, (await api.register(event_no, DEATH))["claim_no"]))["claim_no"]
    service = ClaimsService(settings)

    async def run(days: int) -> int:
        return await service.mark_overdue(today + dt.timedelta(days=days))

    async def reasons(claim_no: str) -> tuple[bool, list[str]]:
        claim = await api.get(claim_no)
        return claim["overdue"], claim["overdue_reasons"]

    assert await run(3) == 0
    assert await run(4) == 1
    assert await reasons(rejected) == (True, ["rejection_notice"])
    assert await run(10) == 0
    assert await run(11) == 1
    assert await reasons(paying) == (True, ["payment"])
    assert await run(30) == 0
    assert await run(31) == 1
    assert await reasons(deciding) == (True, ["decision"])
    assert await run(60) == 0
    assert await run(61) == 1
    assert await reasons(deciding) == (True, ["decision", "advance_payment"])
    assert await run(62) == 0
    audits = await AuditEvent.select().where(AuditEvent.action == "claim.overdue").order_by(AuditEvent.id)
    assert [(a["object_id"], json.loads(a["after"])["overdue_reasons"]) for a in audits] == [
        (rejected, ["rejection_notice"]),
        (paying, ["payment"]),
        (deciding, ["decision"]),
        (deciding, ["decision", "advance_payment"]),
    ]
    listed = await api.client.get("/api/claims?overdue=true", headers=api.headers["auditor"])
    assert {c["claim_no"] for c in listed.json()["items"]} == {deciding, paying, rejected}
