"""Limits, scale-back, four eyes, duplicates, idempotency, illegal transitions and bad input over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.claims.tables import ClaimLineRow, ClaimRow, EventRow, PaymentRow
from ledger.journal.repository import JournalRepository
from ledger.platform.tables import AuditEvent
from tests.api.claims.conftest import Claims, resident_id


async def _counts() -> tuple[int, ...]:
    return (
        await EventRow.count(),
        await ClaimRow.count(),
        await ClaimLineRow.count(),
        await PaymentRow.count(),
        await AuditEvent.count(),
        await JournalRepository().count(),
    )


@pytest.mark.limits(per_peril_year="150000.00")
async def test_peril_year_limit_exhausted_across_claims(api: Claims) -> None:
    payable = []
    for _ in range(3):
        event_no = await api.event()
        claim = await api.register(event_no, [{"head": "death", "claimed": "100000.00"}])
        response = await api.assess(claim["claim_no"])
        assert response.status_code == 200, response.text
        payable.append(response.json()["lines"][0]["payable"])
        last = response.json()["lines"][0]["trail"]
    assert payable == ["100000.00", "50000.00", "0.00"]
    step = next(s for s in last if s["code"] == "peril_year_remaining")
    assert "peril_year limit exhausted" in step["note"]


@pytest.mark.limits(per_event="100000.00")
async def test_scale_back_sums_exactly_to_the_event_limit(api: Claims) -> None:
    event_no = await api.event()
    claimed = ["40000.00", "35000.00", "33333.33"]
    numbers = []
    for amount in claimed:
        claim = await api.approved_claim(event_no, [{"head": "death", "claimed": amount}])
        numbers.append(claim["claim_no"])
    approved = [(await api.get(no))["approved"] for no in numbers]
    # 108,333.33 scaled to 100,000.00: floors 36923.07 / 32307.69 / 30769.23, + 1 fen by largest remainder
    assert approved == ["36923.08", "32307.69", "30769.23"]
    assert sum(int(a.replace(".", "")) for a in approved) == 10_000_000
    for no in numbers:
        assert (await api.pay(no)).status_code == 201
    paid = [(await api.get(no))["paid"] for no in numbers]
    assert paid == approved
    audit = await AuditEvent.count().where(AuditEvent.action == "claim.scale_back")
    assert audit == 2  # the third approval rescaled the first two claims


@pytest.mark.limits(per_event="60000.00")
async def test_scale_back_below_what_is_paid_is_refused(api: Claims) -> None:
    event_no = await api.event()
    first = await api.approved_claim(event_no, [{"head": "death", "claimed": "45000.00"}])
    assert (await api.pay(first["claim_no"])).status_code == 201
    second = await api.register(event_no, [{"head": "death", "claimed": "45000.00"}])
    await api.assess(second["claim_no"])
    before = await _counts()
    response = await api.approve(second["claim_no"])
    assert response.status_code == 422
    assert response.json()["claim_no"] == first["claim_no"]
    assert await _counts() == before
    assert (await api.get(second["claim_no"]))["status"] == "assessed"


async def test_four_eyes_and_second_approver(api: Claims) -> None:
    event_no = await api.event("traffic_accident")
    claim = await api.register(event_no, [{"head": "disability", "claimed": "100000.00", "grade": 3}])
    no = claim["claim_no"]
    await api.assess(no)
    first = await api.approve(no)
    assert first.status_code == 200
    assert (first.json()["status"], first.json()["approvers"]) == ("assessed", ["approver"])
    again = await api.approve(no)
    assert again.status_code == 403  # a permission conflict, not a malformed or stale request
    assert again.json()["field"] == "approver"
    assert again.json()["rule"] == "four-eyes: the first approver may not approve or reject"
    assert "already approved" in again.json()["detail"]
    second = await api.approve(no, "approver2")
    assert second.status_code == 200
    assert second.json()["status"] == "approved"
    assert second.json()["approvers"] == ["approver", "approver2"]


async def test_duplicate_refused_then_overridden_by_an_approver(api: Claims) -> None:
    event_no = await api.event()
    first = await api.register(event_no, [{"head": "death", "claimed": "1000.00"}])
    body = {**api.claim_body(event_no, [{"head": "property", "claimed": "1000.00"}])}
    body.update(victim_id=first["victim_id"], claimant_id=first["victim_id"])
    before = await _counts()
    refused = await api.client.post("/api/claims", json=body, headers=api.headers["adjuster"])
    assert refused.status_code == 409
    assert first["claim_no"] in refused.json()["detail"]
    assert refused.json()["claim_id"] == first["claim_no"]
    by_adjuster = await api.client.post(
        "/api/claims", json={**body, "override_reason": "house is separate"}, headers=api.headers["adjuster"]
    )
    assert by_adjuster.status_code == 403
    blank = await api.client.post(
        "/api/claims", json={**body, "override_reason": " "}, headers=api.headers["approver"]
    )
    assert blank.status_code == 422
    assert await _counts() == before
    overridden = await api.client.post(
        "/api/claims", json={**body, "override_reason": "房屋损失另案"}, headers=api.headers["approver"]
    )
    assert overridden.status_code == 201, overridden.text
    assert overridden.json()["duplicate_of"] == first["claim_no"]
    audit = await AuditEvent.select().where(AuditEvent.action == "claim.duplicate_override").first()
    assert audit is not None
    assert (audit["actor"], audit["object_id"]) == ("approver", overridden.json()["claim_no"])
    # whoever registered it cannot approve it
    no = overridden.json()["claim_no"]
    await api.assess(no)
    own = await api.approve(no)
    assert own.status_code == 403
    assert own.json()["rule"] == "four-eyes: the registrar may not approve or reject"
    assert (await api.approve(no, "approver2")).status_code == 200


async def test_idempotent_registration_and_payment(api: Claims) -> None:
    event_no = await api.event()
    body = api.claim_body(event_no, [{"head": "death", "claimed": "1000.00"}])
    headers = {**api.headers["adjuster"], "Idempotency-Key": "reg-1"}
    first = await api.client.post("/api/claims", json=body, headers=headers)
    again = await api.client.post("/api/claims", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert await ClaimRow.count() == 1
    other = await api.client.post("/api/claims", json={**body, "victim_name": "李四"}, headers=headers)
    assert other.status_code == 409
    assert await ClaimRow.count() == 1

    no = first.json()["claim_no"]
    await api.assess(no)
    await api.approve(no)
    pay_headers = {**api.headers["accountant"], "Idempotency-Key": "pay-1"}
    path = f"/api/claims/{no}/payments"
    paid = await api.client.post(path, json={"kind": "final"}, headers=pay_headers)
    replay = await api.client.post(path, json={"kind": "final"}, headers=pay_headers)
    assert (paid.status_code, replay.status_code) == (201, 201)
    assert replay.json() == paid.json()
    assert await PaymentRow.count() == 1
    assert len(await JournalRepository().by_cause("claim-payment:1")) == 1
    changed = await api.client.post(path, json={"kind": "final", "amount": "1000.00"}, headers=pay_headers)
    assert changed.status_code == 409
    assert await PaymentRow.count() == 1


async def test_illegal_transitions_are_409_naming_the_status(api: Claims) -> None:
    event_no = await api.event()
    claim = await api.register(event_no, [{"head": "death", "claimed": "1000.00"}])
    no = claim["claim_no"]
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("approver", "approve", {}),
        ("accountant", "payments", {"kind": "final"}),
        ("adjuster", "close", {}),
    ]
    for role, action, body in cases:
        response = await api.post(role, f"/api/claims/{no}/{action}", body)
        assert response.status_code == 409, (action, response.text)
        assert response.json()["current_status"] == "under_review"
        assert "claim is 'under_review'" in response.json()["detail"]
    await api.assess(no)
    await api.approve(no)
    await api.pay(no, "advance", "100.00")
    withdraw = await api.post("adjuster", f"/api/claims/{no}/withdraw", {"reason": "claimant asks"})
    assert withdraw.status_code == 409
    assert withdraw.json()["current_status"] == "partly_paid"
    over = await api.pay(no, "interim", "900.00")
    assert over.status_code == 422  # would pay the whole rest: make it final
    too_much = await api.pay(no, "interim", "900.01")
    assert too_much.status_code == 422
    assert "exceed" in too_much.json()["detail"]
    edit = await api.client.patch(
        f"/api/claims/{no}", json={"bank_name": "工商银行"}, headers=api.headers["adjuster"]
    )
    assert edit.status_code == 409


async def test_reject_withdraw_reopen_need_reasons(api: Claims) -> None:
    event_no = await api.event()
    claim = await api.register(event_no, [{"head": "death", "claimed": "1000.00"}])
    no = claim["claim_no"]
    unknown = await api.post("approver", f"/api/claims/{no}/reject", {"reason_code": "because"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "reason_code")
    rejected = await api.post("approver", f"/api/claims/{no}/reject", {"reason_code": "liable_third_party"})
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_code"] == "liable_third_party"
    no_reason = await api.post("approver", f"/api/claims/{no}/reopen", {})
    assert (no_reason.status_code, no_reason.json()["field"]) == (422, "reason")
    reopened = await api.post("approver", f"/api/claims/{no}/reopen", {"reason": "third party insolvent"})
    assert reopened.json()["status"] == "under_review"
    withdrawn = await api.post("adjuster", f"/api/claims/{no}/withdraw", {"reason": "claimant asks"})
    assert withdrawn.json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"victim_id": "360426199101010072"}, 422, "victim_id"),
        ({"claimant_id": "37021419800101123"}, 422, "claimant_id"),
        ({"lines": [{"head": "death", "claimed": "100.001"}]}, 422, "lines[0].claimed"),
        ({"lines": [{"head": "death", "claimed": "-5.00"}]}, 422, "lines[0].claimed"),
        ({"lines": [{"head": "death", "claimed": 100}]}, 400, "lines[0].claimed"),
        # past a 64-bit fen: was an OverflowError (500) when the line was stored
        ({"lines": [{"head": "death", "claimed": "100000000000000000000.00"}]}, 422, "lines[0].claimed"),
        ({"lines": [{"head": "property", "claimed": "1.00"}]}, 422, "lines[0].head"),
        ({"lines": [{"head": "disability", "claimed": "1.00", "grade": 11}]}, 422, "lines[0].grade"),
        ({"lines": [{"head": "death", "claimed": "1.00", "grade": 3}]}, 422, "lines[0].grade"),
        (
            {"lines": [{"head": "death", "claimed": "1.00", "unreimbursed": "1.00"}]},
            422,
            "lines[0].unreimbursed",
        ),
        (
            {"lines": [{"head": "medical", "claimed": "1.00", "unreimbursed": "1.01"}]},
            422,
            "lines[0].unreimbursed",
        ),
        (
            {"lines": [{"head": "death", "claimed": "1.00"}, {"head": "death", "claimed": "2.00"}]},
            422,
            "lines[1].head",
        ),
        ({"lines": [{"head": "burial", "claimed": "1.00"}]}, 422, "lines[0].head"),
        ({"event_no": "EV-2026-999999"}, 404, "event_no"),
        ({"household_status": "rich"}, 422, "household_status"),
        ({"documents": ["selfie"]}, 422, "documents"),
    ],
)
async def test_bad_claim_input_names_the_field_and_writes_nothing(
    api: Claims, change: dict[str, Any], status: int, field: str
) -> None:
    event_no = await api.event("traffic_accident")
    body = {**api.claim_body(event_no, [{"head": "death", "claimed": "1000.00"}]), **change}
    before = await _counts()
    response = await api.client.post("/api/claims", json=body, headers=api.headers["adjuster"])
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field
    assert await _counts() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"peril": "alien_invasion"}, "peril"),
        ({"street": "香港中路"}, "street"),
        ({"incident_date": "2031-01-01"}, "incident_date"),
    ],
)
async def test_bad_event_input(api: Claims, change: dict[str, Any], field: str) -> None:
    before = await _counts()
    body = {
        "incident_date": "2026-05-01",
        "street": "城阳街道",
        "place": "x",
        "peril": "fire_explosion",
        "authority": "消防",
        "certificate_no": "1",
        **change,
    }
    response = await api.client.post("/api/events", json=body, headers=api.headers["adjuster"])
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert await _counts() == before


async def test_upload_limits(api: Claims) -> None:
    event_no = await api.event()
    claim = await api.register(event_no, [{"head": "death", "claimed": "1000.00"}], documents=[])
    path = f"/api/claims/{claim['claim_no']}/documents"
    text = await api.client.post(
        path,
        params={"document_type": "claim_form"},
        content=b"hello",
        headers={**api.headers["adjuster"], "Content-Type": "text/plain"},
    )
    assert (text.status_code, text.json()["field"]) == (415, "content_type")
    big = await api.client.post(
        path,
        params={"document_type": "claim_form"},
        content=b"0" * (10 * 1024 * 1024 + 1),
        headers={**api.headers["adjuster"], "Content-Type": "application/pdf"},
    )
    assert big.status_code == 413
    unknown = await api.client.post(
        path,
        params={"document_type": "selfie"},
        content=b"%PDF",
        headers={**api.headers["adjuster"], "Content-Type": "application/pdf"},
    )
    assert (unknown.status_code, unknown.json()["field"]) == (422, "document_type")


def test_resident_id_helper_makes_valid_ids() -> None:
    from ledger.core.ids import validate_resident_id

    assert validate_resident_id(resident_id(7)) == resident_id(7)
