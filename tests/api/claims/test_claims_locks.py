"""The claims lock (DESIGN invariant 4) under the interleaving it must prevent, on both engines: two
payments of one claim that both read what is paid so far before either commits."""

from __future__ import annotations

import asyncio

import pytest

from ledger.claims.service import ClaimsService
from ledger.claims.tables import PaymentRow
from tests.api.claims.conftest import Claims
from tests.api.interleave import ReadBarrier


async def test_two_payments_cannot_both_pay_the_same_rest(
    api: Claims, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_no = await api.event()
    claim = await api.approved_claim(event_no, [{"head": "death", "claimed": "10000.00"}])
    no = claim["claim_no"]
    barrier = ReadBarrier()
    barrier.hold_after(monkeypatch, ClaimsService, "_locked")

    responses = await asyncio.gather(*(api.pay(no, "interim", "6000.00") for _ in range(2)))

    assert barrier.reads == 2
    assert not barrier.overlapped, "the second payment read the claim while the first held it"
    assert sorted(r.status_code for r in responses) == [201, 422], [r.text for r in responses]
    assert [int(r["fen"]) for r in await PaymentRow.select(PaymentRow.fen)] == [600_000]
    assert (await api.get(no))["paid"] == "6000.00"
