"""A claim from report to payout over HTTP, and the arithmetic pinned to the fen."""

from __future__ import annotations

import json
from typing import Any

from ledger.journal.repository import JournalRepository
from tests.api.claims.conftest import Claims

PDF = b"%PDF-1.4\n% claim document\n"


async def test_full_lifecycle_with_documents(api: Claims) -> None:
    event_no = await api.event()
    body = api.claim_body(
        event_no, [{"head": "medical", "claimed": "30000.00", "unreimbursed": "30000.00"}], documents=[]
    )
    response = await api.client.post("/api/claims", json=body, headers=api.headers["adjuster"])
    assert response.status_code == 201, response.text
    claim = response.json()
    claim_no = claim["claim_no"]
    assert claim_no == "CL-2026-000001"
    assert claim["status"] == "registered"
    assert claim["victim_id"] == body["victim_id"]

    requested = await _collect_documents(api, claim_no)

    complete = await api.post("adjuster", f"/api/claims/{claim_no}/documents-complete")
    assert complete.status_code == 200, complete.text
    assert complete.json()["status"] == "under_review"
    assert complete.json()["decision_due"] is not None

    assessed = await api.assess(claim_no)
    assert assessed.status_code == 200, assessed.text
    line = assessed.json()["lines"][0]
    # medical: 90 % of 30,000 unreimbursed = 27,000, capped at the 20,000 limit
    assert line["payable"] == "20000.00"
    assert line["rule_version"] == "2026-01"
    assert [step["code"] for step in line["trail"]][-1] == "payable"
    assert assessed.json()["assessed"] == "20000.00"

    approved = await api.approve(claim_no)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["approved"] == "20000.00"
    assert approved.json()["payment_due"] is not None

    part = await api.pay(claim_no, "interim", "5000.00")
    assert part.status_code == 201, part.text
    assert part.json()["claim_status"] == "partly_paid"
    final = await api.pay(claim_no, "final")
    assert final.status_code == 201, final.text
    assert final.json()["amount"] == "15000.00"
    assert final.json()["claim_status"] == "paid"
    assert final.json()["claim_paid"] == "20000.00"

    closed = await api.post("adjuster", f"/api/claims/{claim_no}/close", {"reason": "paid in full"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"

    history = (
        await api.client.get(f"/api/claims/{claim_no}/transitions", headers=api.headers["auditor"])
    ).json()
    assert [(t["action"], t["to_status"]) for t in history] == [
        ("register", "registered"),
        ("request_documents", "documents_pending"),
        ("documents_complete", "under_review"),
        ("assess", "assessed"),
        ("approve", "approved"),
        ("pay_partial", "partly_paid"),
        ("pay_final", "paid"),
        ("close", "closed"),
    ]
    audit = (
        await api.client.get(
            "/api/audit",
            params={"object_type": "claim", "object_id": claim_no},
            headers=api.headers["auditor"],
        )
    ).json()["items"]
    actions = [row["action"] for row in reversed(audit)]
    assert actions[0] == "claim.register"
    assert actions.count("claim.document_verify") == len(requested)
    assert actions[-1] == "claim.close"

    entries = [
        e for seq in (part.json()["journal_seq"], final.json()["journal_seq"]) for e in [await _entry(seq)]
    ]
    assert [e.postings[0].fen for e in entries] == [500000, 1500000]
    assert all(dict(e.links)["claim"] == claim_no for e in entries)
    assert entries[0].postings[0].account == "Expenses:Insurance:Claims:FireExplosion"
    assert entries[0].postings[1].account == "Assets:Insurance:Bank"


async def _collect_documents(api: Claims, claim_no: str) -> list[str]:
    """Ask for the missing documents once, upload and verify each; return the codes asked for."""
    notice = await api.post("adjuster", f"/api/claims/{claim_no}/request-documents")
    assert notice.status_code == 200, notice.text
    requested = [item["code"] for item in notice.json()["documents_requested"]]
    assert requested == [
        "claim_form",
        "claimant_id",
        "bank_card",
        "authority_certificate",
        "medical_invoices",
        "itemised_costs",
        "medical_insurance_settlement",
    ]
    assert notice.json()["status"] == "documents_pending"

    early = await api.post("adjuster", f"/api/claims/{claim_no}/documents-complete")
    assert early.status_code == 422
    assert early.json()["missing"] == requested

    for code in requested:
        upload = await api.client.post(
            f"/api/claims/{claim_no}/documents",
            params={"document_type": code},
            content=PDF + code.encode(),
            headers={**api.headers["adjuster"], "Content-Type": "application/pdf"},
        )
        assert upload.status_code == 201, upload.text
        document = upload.json()
        assert len(document["sha256"]) == 64
        verify = await api.post("adjuster", f"/api/claims/{claim_no}/documents/{document['id']}/verify")
        assert verify.status_code == 200, verify.text
    checklist = (
        await api.client.get(f"/api/claims/{claim_no}/documents", headers=api.headers["auditor"])
    ).json()["checklist"]
    assert all(item["satisfied"] for item in checklist)
    return requested


async def _entry(seq: int) -> Any:
    entry = await JournalRepository().entry(seq)
    assert entry is not None
    return entry


async def test_disability_grade_3_pays_80000(api: Claims) -> None:
    event_no = await api.event("traffic_accident")
    claim = await api.register(event_no, [{"head": "disability", "claimed": "100000.00", "grade": 3}])
    response = await api.assess(claim["claim_no"])
    assert response.status_code == 200, response.text
    line = response.json()["lines"][0]
    assert line["payable"] == "80000.00"
    grade_step = next(step for step in line["trail"] if step["code"] == "grade_ratio")
    assert grade_step["percent"] == "80"
    # above the 50,000 threshold: two approvers
    assert response.json()["approvals_required"] == 2


async def test_adjuster_may_lower_with_reason_never_raise(api: Claims) -> None:
    event_no = await api.event()
    claim = await api.register(event_no, [{"head": "death", "claimed": "100000.00"}])
    raised = await api.assess(claim["claim_no"], [{"line": 1, "amount": "100000.01", "reason": "more"}])
    assert raised.status_code == 422
    assert raised.json()["field"] == "amount"
    lowered = await api.assess(claim["claim_no"], [{"line": 1, "amount": "90000.00", "reason": "部分责任"}])
    assert lowered.status_code == 200, lowered.text
    line = lowered.json()["lines"][0]
    assert (line["rule_amount"], line["payable"], line["lowered_reason"]) == (
        "100000.00",
        "90000.00",
        "部分责任",
    )


async def test_dibao_uplift_raises_the_head_limit(api: Claims) -> None:
    event_no = await api.event()
    claim = await api.register(
        event_no, [{"head": "death", "claimed": "150000.00"}], household_status="dibao"
    )
    response = await api.assess(claim["claim_no"])
    assert response.json()["lines"][0]["payable"] == "130000.00"


async def test_ids_masked_for_auditor_and_accountant(api: Claims) -> None:
    event_no = await api.event()
    claim = await api.register(event_no, [{"head": "death", "claimed": "1000.00"}])
    full = claim["victim_id"]
    for role in ("auditor", "accountant", "admin"):
        seen = await api.get(claim["claim_no"], role)
        assert seen["victim_id"] == full[:6] + "********" + full[14:]
        listed = (await api.client.get("/api/claims", headers=api.headers[role])).json()["items"][0]
        assert listed["victim_id"] == seen["victim_id"]
    assert (await api.get(claim["claim_no"], "approver"))["victim_id"] == full


async def test_search_filters_and_paginates(api: Claims) -> None:
    fire = await api.event()
    flood = await api.event("natural_disaster", street="流亭街道", incident_date="2026-03-02")
    first = await api.register(fire, [{"head": "death", "claimed": "1000.00"}])
    await api.register(fire, [{"head": "death", "claimed": "1000.00"}])
    await api.register(flood, [{"head": "property", "claimed": "1000.00"}])
    await api.assess(first["claim_no"])

    async def numbers(**params: Any) -> tuple[list[str], int]:
        response = await api.client.get("/api/claims", params=params, headers=api.headers["auditor"])
        assert response.status_code == 200, response.text
        body = response.json()
        return [item["claim_no"] for item in body["items"]], body["total"]

    assert await numbers(peril="natural_disaster") == (["CL-2026-000003"], 1)
    assert await numbers(street="城阳街道") == (["CL-2026-000002", "CL-2026-000001"], 2)
    assert await numbers(status="assessed") == (["CL-2026-000001"], 1)
    assert await numbers(date_to="2026-04-01") == (["CL-2026-000003"], 1)
    assert await numbers(victim_id=first["victim_id"]) == (["CL-2026-000001"], 1)
    assert await numbers(overdue="false", limit=1, offset=1) == (["CL-2026-000002"], 3)
    assert await numbers(overdue="true") == ([], 0)


async def test_premium_receipt_posts_to_the_insurance_book(api: Claims) -> None:
    response = await api.post(
        "accountant",
        "/api/policy-years/2026/premiums",
        {"amount": "3500000.00", "received_on": "2026-01-10", "reference": "PREM-2026"},
    )
    assert response.status_code == 201, response.text
    entry = await _entry(response.json()["journal_seq"])
    assert [(p.account, p.fen) for p in entry.postings] == [
        ("Assets:Insurance:Bank", 350000000),
        ("Income:Insurance:Premium", -350000000),
    ]
    more = await api.post(
        "accountant",
        "/api/policy-years/2026/premiums",
        {"amount": "0.01", "received_on": "2026-01-11", "reference": "PREM-2026-B"},
    )
    assert more.status_code == 422
    years = (await api.client.get("/api/policy-years", headers=api.headers["auditor"])).json()
    assert years[0]["premium_received"] == "3500000.00"
    assert json.dumps(years[0], ensure_ascii=False).count("3500000.00") == 2


async def test_update_before_assessment_is_audited(api: Claims) -> None:
    event_no = await api.event()
    claim = await api.register(event_no, [{"head": "death", "claimed": "1000.00"}], documents=[])
    response = await api.client.patch(
        f"/api/claims/{claim['claim_no']}",
        json={"bank_name": "中国银行城阳支行", "lines": [{"head": "death", "claimed": "2000.00"}]},
        headers=api.headers["adjuster"],
    )
    assert response.status_code == 200, response.text
    assert response.json()["bank_name"] == "中国银行城阳支行"
    assert response.json()["lines"][0]["claimed"] == "2000.00"
    audit = (
        await api.client.get(
            "/api/audit", params={"object_id": claim["claim_no"]}, headers=api.headers["auditor"]
        )
    ).json()["items"][0]
    assert audit["action"] == "claim.update"
    assert audit["before"]["bank_name"] == "青岛农商银行"


async def test_openapi_lists_the_claims_routes(api: Claims) -> None:
    response = await api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/claims/{claim_no}/payments" in paths
    assert "**Roles:** accountant." in paths["/api/claims/{claim_no}/payments"]["post"]["description"]
