"""Bad input gets a 4xx naming the field, and nothing is written (no row, no audit row, no entry);
retries with an Idempotency-Key are safe."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.funds.tables import FundReceipt, Grant, Grantee, GrantTranche
from ledger.journal.tables import JournalEntryRow
from ledger.platform.tables import AuditEvent
from tests.api.funds.conftest import PAST, TODAY, Funds, credit_code


async def counts() -> tuple[int, ...]:
    return tuple(
        [await t.count() for t in (FundReceipt, Grantee, Grant, GrantTranche, JournalEntryRow, AuditEvent)]
    )


@pytest.mark.parametrize(
    ("code", "status", "rule"),
    [
        (credit_code(1)[:-1] + ("0" if credit_code(1)[-1] != "0" else "1"), 422, "GB 32100 check character"),
        (credit_code(2)[:17], 422, "GB 32100"),  # too short
        ("91370214MA3C8XXXXX", 422, "GB 32100 check character"),
        (credit_code(3, authority="9"), 422, "social organisation (registration authority 5)"),  # a company
    ],
)
async def test_bad_credit_codes_are_refused(funds: Funds, code: str, status: int, rule: str) -> None:
    before = await counts()
    response = await funds.post("/api/grantees", {"credit_code": code, "name": "某社会组织"})
    assert response.status_code == status, response.text
    assert (response.json()["field"], response.json()["rule"]) == ("credit_code", rule)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await counts() == before


async def test_credit_code_is_unique_and_canonical(funds: Funds) -> None:
    code = credit_code()
    created = await funds.ok(
        "/api/grantees", {"credit_code": code.lower()[:9] + " " + code[9:], "name": "甲"}
    )
    assert created["credit_code"] == code
    again = await funds.post("/api/grantees", {"credit_code": code, "name": "乙"})
    assert (again.status_code, again.json()["field"]) == (409, "credit_code")


@pytest.mark.parametrize(
    ("amount", "status"),
    [
        (100.5, 400),
        (100, 400),
        ("100.001", 422),
        ("-5.00", 422),
        ("0", 422),
        ("abc", 422),
        ("1e3", 422),
        ("", 422),
        ("92233720368547758.08", 422),  # past a 64-bit fen: was an OverflowError (500) in the driver
        ("100000000000000000000000", 422),
    ],
)
async def test_bad_receipt_amounts_are_refused(funds: Funds, amount: Any, status: int) -> None:
    fund = await funds.fund()
    before = await counts()
    body = {
        "kind": "donation",
        "amount": amount,
        "donor": "青岛某公司",
        "agreement": "D-1",
        "reference": "BR-1",
        "received_on": PAST.isoformat(),
    }
    response = await funds.post(f"/api/funds/{fund}/receipts", body, key="bad-amount")
    assert response.status_code == status, response.text
    assert response.json()["field"] == "amount"
    assert await counts() == before
    assert (await funds.position(fund))["received"] == "0.00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "loan"}, "kind"),
        ({"donor": "  "}, "donor"),
        ({"reference": " "}, "reference"),
        ({"received_on": "2026-02-30"}, "received_on"),
        ({"received_on": (TODAY.replace(year=TODAY.year + 1)).isoformat()}, "received_on"),
        ({"surprise": 1}, "surprise"),
    ],
)
async def test_bad_receipt_fields_are_refused(funds: Funds, change: dict[str, Any], field: str) -> None:
    fund = await funds.fund()
    before = await counts()
    body = {
        "kind": "donation",
        "amount": "10.00",
        "donor": "青岛某公司",
        "agreement": "D-1",
        "reference": "BR-1",
        "received_on": PAST.isoformat(),
        **change,
    }
    response = await funds.post(f"/api/funds/{fund}/receipts", body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["field"] == field or field in response.json()["detail"]
    assert await counts() == before


async def test_idempotent_receipt(funds: Funds) -> None:
    fund = await funds.fund()
    body = {
        "kind": "government_grant",
        "amount": "1000000.00",
        "donor": "城阳区财政局",
        "agreement": "城财[2026]1号",
        "reference": "BR-2026-1",
        "received_on": PAST.isoformat(),
    }
    first = await funds.post(f"/api/funds/{fund}/receipts", body, key="receipt-1")
    before = await counts()
    again = await funds.post(f"/api/funds/{fund}/receipts", body, key="receipt-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await counts() == before
    other = await funds.post(f"/api/funds/{fund}/receipts", {**body, "amount": "1.00"}, key="receipt-1")
    assert other.status_code == 409
    assert await counts() == before
    assert (await funds.position(fund))["received"] == "1000000.00"


async def test_idempotent_approval_and_payment(funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "100000.00")
    call = await funds.call(fund)
    application = await funds.reviewed(call, "10000.00")
    url = f"/api/applications/{application}/approve"
    first = await funds.post(url, {"approved_amount": "10000.00"}, funds.admin, key="approve-1")
    again = await funds.post(url, {"approved_amount": "10000.00"}, funds.admin, key="approve-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (
        await funds.post(url, {"approved_amount": "9000.00"}, funds.admin, key="approve-1")
    ).status_code == 409
    assert await Grant.count() == 1
    assert (await funds.position(fund))["committed_unpaid"] == "10000.00"

    grant_id = first.json()["id"]
    await funds.ok(f"/api/grants/{grant_id}/sign", {"agreement": "XY-1", "signed_on": PAST.isoformat()})
    pay_url = f"/api/grants/{grant_id}/tranches/1/pay"
    pay = {"paid_on": PAST.isoformat(), "payment_ref": "BK-1"}
    paid = await funds.post(pay_url, pay, key="pay-1")
    before = await counts()
    replay = await funds.post(pay_url, pay, key="pay-1")
    assert (paid.status_code, replay.status_code) == (201, 201)
    assert replay.json() == paid.json()
    assert (await funds.post(pay_url, {**pay, "payment_ref": "BK-2"}, key="pay-1")).status_code == 409
    assert await counts() == before
    entries = await JournalEntryRow.select(JournalEntryRow.cause).where(
        JournalEntryRow.cause.like("grant-tranche:%")
    )
    assert len(entries) == 1
    assert (await funds.position(fund))["paid"] == "6000.00"


@pytest.mark.parametrize("number", [0, 2**31, 2**64])
async def test_out_of_range_ids_in_bodies_are_400_naming_the_field(funds: Funds, number: int) -> None:
    """An id the column cannot hold (2**31 on PostgreSQL, 2**64 on SQLite) is a 400, not a driver error."""
    fund = await funds.fund()
    call = await funds.call(fund)
    grantee = await funds.grantee()
    before = await counts()
    cases: list[tuple[str, dict[str, Any], str]] = [
        (
            "/api/calls",
            {
                "fund_id": number,
                "title": "2026年公益创投",
                "budget": "1000.00",
                "opens_on": PAST.isoformat(),
                "closes_on": PAST.isoformat(),
            },
            "fund_id",
        ),
    ]
    application = {
        "call_id": call,
        "grantee_id": grantee,
        "project": "困境儿童陪伴",
        "project_budget": "200.00",
        "requested_amount": "100.00",
        "pledged_amount": "100.00",
        "submitted_on": PAST.isoformat(),
    }
    cases += [
        ("/api/applications", {**application, field: number}, field) for field in ("call_id", "grantee_id")
    ]
    for path, body, field in cases:
        response = await funds.post(path, body)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["field"] == field, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await counts() == before


@pytest.mark.parametrize("number", [0, 2**31, 2**64])
async def test_out_of_range_call_filter_is_400_naming_it(funds: Funds, number: int) -> None:
    response = await funds.client.get("/api/applications", params={"call_id": number}, headers=funds.auditor)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "call_id"


async def test_a_missing_object_is_404_naming_the_id_field(funds: Funds) -> None:
    """The 404 names the input that pointed nowhere, in the path or in the body alike."""
    missing = await funds.client.get("/api/grants/987654", headers=funds.auditor)
    assert (missing.status_code, missing.json()["field"]) == (404, "grant_id")
    body = {
        "fund_id": 987654,
        "title": "2026年公益创投",
        "budget": "1000.00",
        "opens_on": PAST.isoformat(),
        "closes_on": PAST.isoformat(),
    }
    response = await funds.post("/api/calls", body)
    assert (response.status_code, response.json()["field"]) == (404, "fund_id"), response.text


@pytest.mark.parametrize("period", ["0000", "0000-01", "2025\n", "٢٠٢٥"])
async def test_a_period_that_is_no_calendar_period_is_422_naming_it(funds: Funds, period: str) -> None:
    """Year 0000 and a trailing newline were 500s (``date()`` / ``int()``); non-ASCII digits closed a period
    under another spelling."""
    before = await counts()
    response = await funds.post("/api/funds/period-closes", {"period": period})
    assert response.status_code == 422, response.text
    assert (response.json()["field"], response.json()["rule"]) == ("period", "YYYY or YYYY-MM")
    assert (await funds.client.get("/api/funds/period-closes", headers=funds.auditor)).json() == []
    assert await counts() == before


async def test_a_second_receipt_with_a_recorded_bank_reference_is_refused_naming_the_first(
    funds: Funds,
) -> None:
    fund = await funds.fund()
    body = {
        "kind": "donation",
        "amount": "80000.55",
        "donor": "青岛海川食品有限公司",
        "agreement": "配捐协议-2026-001",
        "reference": "DN-2026-0001",
        "received_on": PAST.isoformat(),
    }
    first = await funds.ok(f"/api/funds/{fund}/receipts", body)
    assert first["reference"] == "DN-2026-0001"
    before = await counts()
    again = await funds.post(f"/api/funds/{fund}/receipts", {**body, "amount": "1.00", "agreement": "X-2"})
    assert again.status_code == 409, again.text
    problem = again.json()
    assert (problem["field"], problem["rule"]) == ("reference", "unique bank reference")
    assert (problem["receipt_id"], problem["amount"], problem["donor"]) == (
        first["id"],
        "80000.55",
        body["donor"],
    )
    assert await counts() == before
    assert (await funds.position(fund))["received"] == "80000.55"
