"""Refusals: matching rule, call budget, available money, four eyes, conflicts of interest, tranche order."""

from __future__ import annotations

import pytest

from tests.api.funds.conftest import PAST, Funds


@pytest.mark.parametrize(
    ("budget", "requested", "pledged", "field", "rule"),
    [
        ("100000.00", "50000.01", "49999.99", "requested_amount", "fund share ≤ 50% of budget"),
        ("100000.00", "50000.00", "49999.99", "pledged_amount", "requested + pledged ≥ project budget"),
        ("333333.33", "166666.67", "166666.66", "requested_amount", "fund share ≤ 50% of budget"),
    ],
)
async def test_matching_rule_refuses_applications(
    funds: Funds, budget: str, requested: str, pledged: str, field: str, rule: str
) -> None:
    call = await funds.call(await funds.fund())
    body = {
        "call_id": call,
        "grantee_id": await funds.grantee(),
        "project": "助老",
        "project_budget": budget,
        "requested_amount": requested,
        "pledged_amount": pledged,
        "submitted_on": PAST.isoformat(),
    }
    response = await funds.post("/api/applications", body)
    assert response.status_code == 422, response.text
    assert (response.json()["field"], response.json()["rule"]) == (field, rule)
    assert await funds.get(f"/api/applications?call_id={call}") == []


async def test_matching_rule_at_the_limit_and_approval_above_requested(funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "1000000.00")
    call = await funds.call(fund, max_fund_share_percent="40", max_grant="30000.00")
    ok = await funds.reviewed(call, "30000.00", budget="75000.00", pledged="45000.00")  # exactly 40%, the cap
    over_cap = await funds.post(
        "/api/applications",
        {
            "call_id": call,
            "grantee_id": await funds.grantee(),
            "project": "x",
            "project_budget": "100000.00",
            "requested_amount": "30000.01",
            "pledged_amount": "70000.00",
            "submitted_on": PAST.isoformat(),
        },
    )
    assert over_cap.json()["rule"] == "per-project cap"
    too_much = await funds.post(
        f"/api/applications/{ok}/approve", {"approved_amount": "30000.01"}, funds.admin
    )
    assert too_much.status_code == 422
    assert (too_much.json()["field"], too_much.json()["rule"]) == ("approved_amount", "approved ≤ requested")
    lower = await funds.ok(f"/api/applications/{ok}/approve", {"approved_amount": "25000.00"}, funds.admin)
    assert [t["amount"] for t in (await funds.get(f"/api/grants/{lower['id']}"))["tranches"]] == [
        "15000.00",
        "10000.00",
    ]


async def test_call_budget_and_available_money_refuse_approval(funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "10000.00")
    small_call = await funds.call(fund, budget="5000.00")
    first = await funds.reviewed(small_call, "4000.00")
    second = await funds.reviewed(small_call, "2000.00")
    await funds.ok(f"/api/applications/{first}/approve", {"approved_amount": "4000.00"}, funds.admin)
    over_budget = await funds.post(
        f"/api/applications/{second}/approve", {"approved_amount": "2000.00"}, funds.admin
    )
    assert over_budget.status_code == 422
    assert over_budget.json()["field"] == "approved_amount"
    assert over_budget.json()["left"] == "1000.00"

    big_call = await funds.call(fund, budget="100000.00")
    third = await funds.reviewed(big_call, "6000.01")
    short = await funds.post(
        f"/api/applications/{third}/approve", {"approved_amount": "6000.01"}, funds.admin
    )
    assert short.status_code == 422
    assert short.json()["detail"] == "the fund has 6000.00 available, 6000.01 asked"
    assert (await funds.get(f"/api/applications/{third}"))["status"] == "under_review"
    assert (await funds.position(fund))["available"] == "6000.00"


async def test_four_eyes_on_reviews_and_decisions(funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "10000.00")
    call = await funds.call(fund)
    application = await funds.application(call, "1000.00")  # recorded by "accountant"

    own_review = await funds.post(f"/api/applications/{application}/reviews", {"score": 90})
    assert own_review.status_code == 403  # four eyes is about who acts: a permission conflict
    assert (own_review.json()["field"], own_review.json()["rule"]) == (
        "reviewed_by",
        "four-eyes: the recorder may not review",
    )

    await funds.ok(f"/api/applications/{application}/reviews", {"score": 70}, funds.acc2)
    again = await funds.post(f"/api/applications/{application}/reviews", {"score": 71}, funds.acc2)
    assert again.status_code == 409

    for who, role in ((funds.acc, "the recorder"), (funds.acc2, "a reviewer")):
        response = await funds.post(
            f"/api/applications/{application}/approve", {"approved_amount": "1000.00"}, who
        )
        assert response.status_code == 403
        rule = f"four-eyes: {role} may not decide"
        assert (response.json()["field"], response.json()["rule"]) == ("decided_by", rule)
        response = await funds.post(f"/api/applications/{application}/reject", {"reason": "不符合"}, who)
        assert response.status_code == 403
    assert (await funds.get(f"/api/applications/{application}"))["status"] == "under_review"
    assert (await funds.position(fund))["available"] == "10000.00"

    rejected = await funds.ok(f"/api/applications/{application}/reject", {"reason": "预算不实"}, funds.admin)
    assert (rejected["status"], rejected["decided_by"], rejected["decision_reason"]) == (
        "rejected",
        "admin",
        "预算不实",
    )


async def test_conflicted_users_may_not_review_or_decide(funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "10000.00")
    call = await funds.call(fund)
    grantee = await funds.grantee()
    await funds.ok(f"/api/grantees/{grantee}/conflicts", {"username": "acc2", "reason": "理事"}, funds.admin)
    await funds.ok(
        f"/api/grantees/{grantee}/conflicts", {"username": "admin", "reason": "亲属任职"}, funds.admin
    )
    application = await funds.application(call, "1000.00", grantee_id=grantee)

    review = await funds.post(f"/api/applications/{application}/reviews", {"score": 95}, funds.acc2)
    assert review.status_code == 422
    assert (review.json()["field"], review.json()["rule"]) == ("reviewed_by", "no conflict of interest")

    approve = await funds.post(f"/api/applications/{application}/reject", {"reason": "x"}, funds.admin)
    assert approve.status_code == 422
    assert approve.json()["rule"] == "no conflict of interest"
    links = (await funds.get(f"/api/grantees/{grantee}"))["conflicts"]
    assert {link["username"] for link in links} == {"acc2", "admin"}
    duplicate = await funds.post(f"/api/grantees/{grantee}/conflicts", {"username": "acc2"}, funds.admin)
    assert duplicate.status_code == 409
    unknown = await funds.post(f"/api/grantees/{grantee}/conflicts", {"username": "nobody"}, funds.admin)
    assert (unknown.status_code, unknown.json()["field"]) == (404, "username")


async def test_tranche_order_and_reports(funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "100000.00")
    call = await funds.call(fund)
    pending = await funds.approved(call, "10000.00")
    unsigned = await funds.pay(pending["id"], 1)
    assert unsigned.status_code == 409
    assert unsigned.json()["current_status"] == "agreement_pending"

    grant = await funds.signed(call, "10000.00")
    second_first = await funds.pay(grant["id"], 2)
    assert (second_first.status_code, second_first.json()["field"]) == (409, "tranche")
    assert (await funds.pay(grant["id"], 1)).status_code == 201
    early = await funds.pay(grant["id"], 2)
    assert early.status_code == 409  # in progress: its report is due

    report = await funds.ok(
        f"/api/grants/{grant['id']}/reports", {"summary": "中期", "submitted_on": PAST.isoformat()}
    )
    own = await funds.post(f"/api/grants/{grant['id']}/reports/{report['id']}/accept", {})
    assert (own.status_code, own.json()["field"]) == (403, "accepted_by")
    assert own.json()["rule"] == "four-eyes: the recorder may not decide"
    sent_back = await funds.ok(
        f"/api/grants/{grant['id']}/reports/{report['id']}/send-back", {"notes": "补充票据"}, funds.admin
    )
    assert sent_back["status"] == "in_progress"
    assert (await funds.pay(grant["id"], 2)).status_code == 409
    await funds.report_accepted(grant["id"])
    assert (await funds.pay(grant["id"], 2)).status_code == 201
    detail = await funds.get(f"/api/grants/{grant['id']}")
    assert [t["status"] for t in detail["tranches"]] == ["paid", "paid"]
    assert [r["status"] for r in detail["reports"]] == ["sent_back", "accepted"]


async def test_early_final_acceptance_releases_the_unpaid_tranche(funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "100000.00")
    call = await funds.call(fund)
    grant = await funds.signed(call, "10000.00")
    await funds.pay(grant["id"], 1)
    final = await funds.report_accepted(grant["id"], final=True)
    assert (final["status"], final["released"], final["unpaid"]) == ("final_accepted", "4000.00", "0.00")
    assert final["release_seq"] is not None
    tranches = (await funds.get(f"/api/grants/{grant['id']}"))["tranches"]
    assert [t["status"] for t in tranches] == ["paid", "released"]
    position = await funds.position(fund)
    assert (position["available"], position["committed_unpaid"], position["paid"]) == (
        "94000.00",
        "0.00",
        "6000.00",
    )
    over = await funds.post(
        f"/api/grants/{grant['id']}/returns", {"amount": "6000.01", "returned_on": PAST.isoformat()}
    )
    assert (over.status_code, over.json()["field"]) == (422, "amount")


async def test_cancelling_an_unsigned_grant_posts_nothing(funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "100000.00")
    grant = await funds.approved(await funds.call(fund), "10000.00")
    assert (await funds.position(fund))["unsigned"] == "10000.00"
    cancelled = await funds.ok(f"/api/grants/{grant['id']}/cancel", {"reason": "放弃"}, funds.admin)
    assert (cancelled["status"], cancelled["release_seq"]) == ("cancelled", None)
    assert (await funds.position(fund))["available"] == "100000.00"
    again = await funds.post(f"/api/grants/{grant['id']}/cancel", {"reason": "again"}, funds.admin)
    assert again.status_code == 409
