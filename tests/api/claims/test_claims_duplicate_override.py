"""A duplicate found after registration: approval refused until an approver overrides it with a reason."""

from __future__ import annotations

import httpx

from ledger.claims.tables import ClaimRow, TransitionRow
from ledger.platform.tables import AuditEvent
from tests.api.claims.conftest import Claims


async def _override(api: Claims, claim_no: str, reason: str, role: str = "approver2") -> httpx.Response:
    return await api.post(role, f"/api/claims/{claim_no}/override-duplicate", {"override_reason": reason})


async def test_approval_waits_for_an_override_of_the_duplicate_found(api: Claims) -> None:
    claim_no, other = await api.duplicate_found()
    refused = await api.approve(claim_no)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (refused.json()["field"], refused.json()["rule"], refused.json()["claim_id"]) == (
        "victim",
        "a duplicate found is overridden with a reason before approval",
        other,
    )
    assert (await api.get(claim_no))["status"] == "assessed"

    by_adjuster = await _override(api, claim_no, "另案", role="adjuster")
    assert by_adjuster.status_code == 403
    blank = await _override(api, claim_no, "  ")
    assert blank.status_code == 422
    assert (blank.json()["field"], blank.json()["rule"]) == ("override_reason", "non-empty reason")
    own = await _override(api, claim_no, "另案", role="approver")  # the approver reopened it, not registered
    assert own.status_code == 200, own.text
    assert (own.json()["duplicate_of"], own.json()["override_reason"]) == (other, "另案")

    audit = await AuditEvent.select().where(AuditEvent.action == "claim.duplicate_override").first()
    assert audit is not None
    assert (audit["actor"], audit["object_id"]) == ("approver", claim_no)
    history = await TransitionRow.select(TransitionRow.action, TransitionRow.reason).where(
        TransitionRow.action == "override_duplicate"
    )
    assert history == [{"action": "override_duplicate", "reason": "另案"}]

    again = await _override(api, claim_no, "再次")
    assert again.status_code == 409
    assert (again.json()["field"], again.json()["rule"]) == (
        "claim_no",
        "only a duplicate found can be overridden",
    )
    approved = await api.approve(claim_no, "approver2")
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["approved"]) == ("approved", "1000.00")


async def test_the_override_keeps_four_eyes_and_writes_nothing_when_refused(api: Claims) -> None:
    claim_no, _ = await api.duplicate_found(registrar="approver")
    audits = await AuditEvent.count()
    own = await _override(api, claim_no, "另案", role="approver")
    assert own.status_code == 403
    assert own.headers["content-type"].startswith("application/problem+json")
    assert (own.json()["field"], own.json()["rule"]) == (
        "approver",
        "four-eyes: the registrar may not approve or reject",
    )
    rows = await ClaimRow.select(ClaimRow.duplicate_of, ClaimRow.override_reason).where(
        ClaimRow.claim_no == claim_no
    )
    assert rows == [{"duplicate_of": None, "override_reason": ""}]
    unknown = await _override(api, "CL-2026-999999", "另案")
    assert unknown.status_code == 404
    assert await AuditEvent.count() == audits


async def test_the_other_claim_of_an_overridden_pair_is_approved_too(api: Claims) -> None:
    claim_no, other = await api.duplicate_found()
    assert (await _override(api, claim_no, "财产损失另案")).status_code == 200
    assert (await api.assess(other)).status_code == 200
    approved = await api.approve(other)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
