"""Limits under real concurrent requests (DESIGN invariant 4), on whichever engine the suite runs."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from ledger.journal.service import balances
from tests.api.funds.conftest import Funds


async def test_fifty_concurrent_approvals_never_overspend(funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "100000.00")
    call = await funds.call(fund, budget="1000000.00")
    applications = [await funds.reviewed(call, "4000.00") for _ in range(50)]  # asks 200,000.00 in all

    responses = await asyncio.gather(
        *(
            funds.post(f"/api/applications/{a}/approve", {"approved_amount": "4000.00"}, funds.admin)
            for a in applications
        )
    )

    codes = sorted(r.status_code for r in responses)
    assert set(codes) <= {201, 422}
    approved = sum(Decimal(r.json()["amount"]) for r in responses if r.status_code == 201)
    assert approved == Decimal("100000.00")
    assert codes.count(201) == 25
    refused = [r.json() for r in responses if r.status_code == 422]
    assert {p["field"] for p in refused} == {"amount"}
    assert all(p["detail"].startswith("the fund has 0.00 available") for p in refused)
    position = await funds.position(fund)
    assert position["available"] == "0.00"
    assert position["committed_unpaid"] == position["unsigned"] == "100000.00"
    statuses = [(await funds.get(f"/api/applications/{a}"))["status"] for a in applications]
    assert statuses.count("approved") == 25
    assert statuses.count("under_review") == 25


async def test_concurrent_payments_of_one_tranche_pay_it_once(funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "50000.00")
    call = await funds.call(fund)
    grant = await funds.signed(call, "10000.00")

    responses = await asyncio.gather(*(funds.pay(grant["id"], 1) for _ in range(10)))

    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    sums = await balances("charity")
    assert sums["Assets:Charity:Bank"] == 5_000_000 - 600_000
    assert sums["Liabilities:Charity:GrantsPayable"] == -400_000
    assert (await funds.position(fund))["paid"] == "6000.00"
