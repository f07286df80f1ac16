"""Payouts in the journal and the Beancount files, limits under concurrent requests, roles per route."""

from __future__ import annotations

import asyncio
import re

import pytest

from ledger.books import check_ledger
from ledger.claims.tables import ClaimRow, PaymentRow
from ledger.config import Settings
from ledger.journal.repository import JournalRepository
from ledger.journal.service import Ledger
from tests.api.claims.conftest import Claims


async def test_every_payout_once_in_journal_and_beancount_files(api: Claims, settings: Settings) -> None:
    event_no = await api.event()
    amounts = ["1234.56", "7.89", "20000.00"]
    references = []
    for amount in amounts:
        claim = await api.approved_claim(event_no, [{"head": "death", "claimed": amount}])
        response = await api.pay(claim["claim_no"])
        assert response.status_code == 201, response.text
        references.append(response.json()["reference"])
    ledger = Ledger.of(settings)
    await ledger.export()
    text = ledger.files.year_path(2026).read_text(encoding="utf-8")
    for amount, reference in zip(amounts, references, strict=True):
        payment = await PaymentRow.select(PaymentRow.id).where(PaymentRow.reference == reference).first()
        assert payment is not None
        journal = await JournalRepository().by_cause(f"claim-payment:{payment['id']}")
        assert len(journal) == 1
        fen = int(amount.replace(".", ""))
        assert [p.fen for p in journal[0].postings] == [fen, -fen]
        assert len(re.findall(rf'payment-ref: "{re.escape(reference)}"', text)) == 1
        assert (
            len(re.findall(rf"Expenses:Insurance:Claims:FireExplosion\s+{re.escape(amount)} CNY", text)) == 1
        )
    report = check_ledger(ledger.directory, await ledger.summary())
    assert report.ok, report.to_dict()


@pytest.mark.limits(per_event="100000.00")
async def test_concurrent_approvals_never_exceed_the_event_limit(api: Claims) -> None:
    event_no = await api.event()
    numbers = []
    for _ in range(10):
        claim = await api.register(event_no, [{"head": "death", "claimed": "20000.00"}])
        assert (await api.assess(claim["claim_no"])).status_code == 200
        numbers.append(claim["claim_no"])
    responses = await asyncio.gather(*(api.approve(no) for no in numbers))
    assert [r.status_code for r in responses] == [200] * 10
    approved = [int(r["approved_fen"]) for r in await ClaimRow.select(ClaimRow.approved_fen)]
    assert sum(approved) == 10_000_000
    assert approved == [1_000_000] * 10
    payments = await asyncio.gather(*(api.pay(no) for no in numbers))
    assert [r.status_code for r in payments] == [201] * 10
    entries = await JournalRepository().entries_after(0, 100)
    journal_total = sum(e.postings[0].fen for e in entries if e.cause.startswith("claim-payment:"))
    assert journal_total == 10_000_000


async def test_concurrent_payments_race_for_the_last_of_the_approved_amount(api: Claims) -> None:
    event_no = await api.event()
    claim = await api.approved_claim(event_no, [{"head": "death", "claimed": "10000.00"}])
    no = claim["claim_no"]
    responses = await asyncio.gather(*(api.pay(no, "interim", "1500.00") for _ in range(10)))
    codes = sorted(r.status_code for r in responses)
    # 6 × 1,500 = 9,000 fit below 10,000; the 7th would pay 10,500 or the whole rest
    assert codes == [201] * 6 + [422] * 4
    paid = sum(int(r["fen"]) for r in await PaymentRow.select(PaymentRow.fen))
    assert paid == 900_000
    assert (await api.get(no))["paid"] == "9000.00"
    final = await asyncio.gather(*(api.pay(no) for _ in range(5)))
    assert sorted(r.status_code for r in final) == [201, 409, 409, 409, 409]
    assert (await api.get(no))["paid"] == "10000.00"


ROUTES = [
    ("POST", "/api/events", {"adjuster"}),
    ("GET", "/api/events", {"adjuster", "approver", "accountant", "auditor", "admin"}),
    ("POST", "/api/claims", {"adjuster", "approver"}),
    ("GET", "/api/claims", {"adjuster", "approver", "accountant", "auditor", "admin"}),
    ("GET", "/api/claims/{no}", {"adjuster", "approver", "accountant", "auditor", "admin"}),
    ("PATCH", "/api/claims/{no}", {"adjuster"}),
    ("POST", "/api/claims/{no}/request-documents", {"adjuster"}),
    ("POST", "/api/claims/{no}/documents-complete", {"adjuster"}),
    ("POST", "/api/claims/{no}/assess", {"adjuster"}),
    ("POST", "/api/claims/{no}/approve", {"approver"}),
    ("POST", "/api/claims/{no}/reject", {"approver"}),
    ("POST", "/api/claims/{no}/payments", {"accountant"}),
    ("POST", "/api/claims/{no}/close", {"adjuster"}),
    ("POST", "/api/claims/{no}/withdraw", {"adjuster"}),
    ("POST", "/api/claims/{no}/reopen", {"approver"}),
    ("GET", "/api/claims/{no}/transitions", {"adjuster", "approver", "accountant", "auditor", "admin"}),
    ("POST", "/api/policy-years/2026/premiums", {"accountant", "admin"}),
    ("GET", "/api/policy-years", {"adjuster", "approver", "accountant", "auditor", "admin"}),
]


async def test_roles_per_route(api: Claims) -> None:
    event_no = await api.event()
    claim = await api.register(event_no, [{"head": "death", "claimed": "1000.00"}])
    for method, template, allowed in ROUTES:
        path = template.format(no=claim["claim_no"])
        for role in ("adjuster", "approver", "accountant", "auditor", "admin"):
            # An empty JSON object: allowed roles get past the guard (to a 2xx, 4xx of the body or a
            # 409 of the status), denied ones get 403 before anything is read.
            response = await api.client.request(method, path, json={}, headers=api.headers[role])
            if role in allowed:
                assert response.status_code != 403, (method, path, role, response.text)
            else:
                assert response.status_code == 403, (method, path, role, response.status_code)
    unauthenticated = await api.client.get("/api/claims")
    assert unauthenticated.status_code == 401
