"""The fund's lock (DESIGN invariant 4) under the interleaving it must prevent, on both engines:
two approvals that both read the fund's available money before either commits."""

from __future__ import annotations

import asyncio

import pytest

from ledger.funds.service import ApplicationService
from tests.api.funds.conftest import Funds
from tests.api.interleave import ReadBarrier


async def test_two_approvals_cannot_both_spend_the_same_available_money(
    funds: Funds, monkeypatch: pytest.MonkeyPatch
) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "6000.00")
    call = await funds.call(fund)
    first, second = [await funds.reviewed(call, "4000.00") for _ in range(2)]
    barrier = ReadBarrier()
    barrier.hold_after(monkeypatch, ApplicationService, "position")

    responses = await asyncio.gather(
        *(
            funds.post(f"/api/applications/{a}/approve", {"approved_amount": "4000.00"}, funds.admin)
            for a in (first, second)
        )
    )

    assert barrier.reads == 2
    assert not barrier.overlapped, "the second approval read the fund while the first held it"
    assert sorted(r.status_code for r in responses) == [201, 422], [r.text for r in responses]
    refused = next(r.json() for r in responses if r.status_code == 422)
    assert refused["field"] == "amount"
    assert refused["detail"].startswith("the fund has 2000.00 available")
    position = await funds.position(fund)
    assert (position["available"], position["committed_unpaid"]) == ("2000.00", "4000.00")
