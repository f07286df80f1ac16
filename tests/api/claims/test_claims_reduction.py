"""An approver approves a claim for less than assessed, with a reason; the payment desk pays no more."""

from __future__ import annotations

import json

from ledger.claims.tables import ClaimRow
from ledger.platform.tables import AuditEvent
from tests.api.claims.conftest import Claims


async def _assessed(api: Claims, amount: str) -> str:
    claim = await api.register(await api.event(), [{"head": "death", "claimed": amount}])
    assert (await api.assess(claim["claim_no"])).status_code == 200
    return str(claim["claim_no"])


async def test_approve_for_less_with_a_reason_and_pay_exactly_that(api: Claims) -> None:
    claim_no = await _assessed(api, "20000.00")
    path = f"/api/claims/{claim_no}/approve"
    before = (await ClaimRow.count(), await AuditEvent.count())
    refused = {
        ("20000.01", "多报"): ("approved_amount", "0 < approved <= assessed"),
        ("0.00", "多报"): ("approved_amount", "greater than 0"),
        ("15000.001", "多报"): ("approved_amount", "at most 2 decimal places"),
        ("15000.00", "  "): ("reduction_reason", "a reason when approving less than assessed"),
    }
    for (amount, reason), (field, rule) in refused.items():
        answer = await api.post("approver", path, {"approved_amount": amount, "reduction_reason": reason})
        assert answer.status_code == 422, answer.text
        assert (answer.json()["field"], answer.json()["rule"]) == (field, rule)
    assert (await ClaimRow.count(), await AuditEvent.count()) == before
    assert (await api.get(claim_no))["status"] == "assessed"

    approved = await api.post(
        "approver", path, {"approved_amount": "15000.50", "reduction_reason": "丧葬费票据不足，核减"}
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["status"], body["assessed"], body["approved"]) == ("approved", "20000.00", "15000.50")
    assert (body["reduced_to"], body["reduction_reason"]) == ("15000.50", "丧葬费票据不足，核减")
    audit = await AuditEvent.select().where(AuditEvent.action == "claim.reduce").first()
    assert audit is not None
    assert (audit["actor"], audit["object_id"]) == ("approver", claim_no)
    assert json.loads(audit["after"]) == {
        "reduced_to_fen": 1_500_050,
        "reduction_reason": "丧葬费票据不足，核减",
    }

    too_much = await api.pay(claim_no, "interim", "15000.51")
    assert too_much.status_code == 422, too_much.text
    paid = await api.pay(claim_no)
    assert paid.status_code == 201, paid.text
    assert paid.json()["amount"] == "15000.50"
    assert (await api.get(claim_no))["paid"] == "15000.50"


async def test_a_first_approvers_reduction_stands_for_the_second(api: Claims) -> None:
    claim_no = await _assessed(api, "80000.00")
    path = f"/api/claims/{claim_no}/approve"
    first = await api.post("approver", path, {"approved_amount": "60000.00", "reduction_reason": "部分重复"})
    assert first.status_code == 200, first.text
    assert (first.json()["status"], first.json()["reduced_to"]) == ("assessed", "60000.00")
    second = await api.post("approver2", path, {"reason": "同意"})
    assert second.status_code == 200, second.text
    assert (second.json()["status"], second.json()["approved"]) == ("approved", "60000.00")
    assert second.json()["reduction_reason"] == "部分重复"
