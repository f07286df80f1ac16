"""Idempotency-Key replay and mismatch on payments and receipts, and an audit row for every change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ledger import app as ledger_app
from ledger.claims.tables import PaymentRow
from ledger.config import Settings
from ledger.funds.tables import FundReceipt
from ledger.journal.tables import JournalEntryRow
from ledger.platform.tables import AppUser, AuditEvent, IdempotencyRecord
from tests.api.claims.conftest import Claims
from tests.api.funds.conftest import PAST, Funds

NEW_USER = {"username": "erin", "role": "auditor", "password": "long-enough-pw"}


async def test_same_key_same_body_replays_first_result(client: Any, login: Any) -> None:
    headers = {**await login("admin"), "Idempotency-Key": "user-erin-1"}
    first = await client.post("/api/users", json=NEW_USER, headers=headers)
    again = await client.post("/api/users", json=dict(reversed(list(NEW_USER.items()))), headers=headers)
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await AppUser.count().where(AppUser.username == "erin") == 1


async def test_same_key_different_body_is_409(client: Any, login: Any) -> None:
    headers = {**await login("admin"), "Idempotency-Key": "user-erin-2"}
    assert (await client.post("/api/users", json=NEW_USER, headers=headers)).status_code == 201
    other = await client.post("/api/users", json={**NEW_USER, "username": "frank"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["field"] == "Idempotency-Key"
    assert await AppUser.count().where(AppUser.username == "frank") == 0


async def test_failed_request_releases_the_key(client: Any, login: Any) -> None:
    headers = {**await login("admin"), "Idempotency-Key": "user-bad-role"}
    bad = await client.post("/api/users", json={**NEW_USER, "role": "boss"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["field"] == "role"
    assert await IdempotencyRecord.count() == 0


async def test_concurrent_retries_act_once(client: Any, login: Any) -> None:
    headers = {**await login("admin"), "Idempotency-Key": "user-erin-race"}
    responses = await asyncio.gather(
        *[client.post("/api/users", json=NEW_USER, headers=headers) for _ in range(5)]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) >= 1
    assert set(codes) <= {201, 409}
    assert await AppUser.count().where(AppUser.username == "erin") == 1


async def test_keys_are_scoped_per_user(client: Any, login: Any) -> None:
    first = {**await login("admin"), "Idempotency-Key": "same"}
    second = {**await login("admin", "admin2"), "Idempotency-Key": "same"}
    assert (await client.post("/api/users", json=NEW_USER, headers=first)).status_code == 201
    other = await client.post("/api/users", json={**NEW_USER, "username": "gina"}, headers=second)
    assert other.status_code == 201


async def test_user_creation_is_audited_with_before_and_after(client: Any, login: Any) -> None:
    headers = await login("admin")
    await client.post("/api/users", json=NEW_USER, headers=headers)
    trail = await client.get("/api/audit", params={"object_type": "user", "actor": "admin"}, headers=headers)
    assert trail.status_code == 200
    items = trail.json()["items"]
    assert len(items) == 1
    assert items[0]["action"] == "user.add"
    assert items[0]["before"] is None
    assert items[0]["after"] == {"username": "erin", "role": "auditor"}
    assert items[0]["request_id"]


async def test_refused_change_writes_no_audit_row(client: Any, login: Any) -> None:
    headers = await login("admin")
    before = await AuditEvent.count()
    response = await client.post("/api/users", json={**NEW_USER, "username": "admin"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["detail"] == "user 'admin' already exists"
    assert await AuditEvent.count() == before


async def test_money_as_json_number_is_refused_with_field(client: Any, login: Any) -> None:
    headers = await login("admin")
    response = await client.post("/api/users", json={**NEW_USER, "password": 12345678}, headers=headers)
    assert response.status_code == 400
    assert response.json()["field"] == "password"


# -- resources that are not naturally unique: a second request would act again without the key -----


class _PassThrough:
    """The app's middleware slot with idempotency switched off (the control case)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@pytest.fixture(params=["keyed", "middleware-off"])
async def keyed(
    request: pytest.FixtureRequest,
    client: httpx.AsyncClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[httpx.AsyncClient, int]]:
    """A client for the keyed requests, and how often a request sent twice with one key acts.

    Once through the real app; twice through an app whose idempotency middleware is switched off,
    which shows that these tests fail without it (the resources are not naturally unique).
    """
    if request.param == "keyed":
        yield client, 1
        return
    monkeypatch.setattr(ledger_app, "IdempotencyMiddleware", _PassThrough)
    transport = httpx.ASGITransport(app=ledger_app.create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as bare:
        yield bare, 2


async def test_interim_payment_sent_twice_with_one_key_pays_once(
    client: httpx.AsyncClient, login: Any, keyed: tuple[httpx.AsyncClient, int]
) -> None:
    sender, acts = keyed
    roles = {
        "adjuster": ("adjuster", None),
        "adjuster2": ("adjuster", "adjuster2"),
        "approver": ("approver", None),
        "approver2": ("approver", "approver2"),
        "accountant": ("accountant", None),
        "auditor": ("auditor", None),
    }
    api = Claims(client, {name: await login(role, user) for name, (role, user) in roles.items()})
    claim = await api.approved_claim(await api.event(), [{"head": "death", "claimed": "10000.00"}])
    path = f"/api/claims/{claim['claim_no']}/payments"
    headers = {**api.headers["accountant"], "Idempotency-Key": "interim-1"}
    body = {"kind": "interim", "amount": "1234.56"}
    first = await sender.post(path, json=body, headers=headers)
    again = await sender.post(path, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    payments = await PaymentRow.select(PaymentRow.fen, PaymentRow.journal_seq).order_by(PaymentRow.id)
    assert [p["fen"] for p in payments] == [123456] * acts
    assert await JournalEntryRow.count().where(JournalEntryRow.cause.like("claim-payment:%")) == acts
    assert (await api.get(claim["claim_no"]))["paid"] == ("1234.56" if acts == 1 else "2469.12")
    if acts == 1:
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"


async def test_receipt_sent_twice_with_one_key_is_recorded_once(
    client: httpx.AsyncClient, login: Any, keyed: tuple[httpx.AsyncClient, int]
) -> None:
    sender, acts = keyed
    funds = Funds(
        client=client,
        acc=await login("accountant"),
        acc2=await login("accountant", "acc2"),
        admin=await login("admin"),
        auditor=await login("auditor"),
    )
    fund = await funds.fund()
    body = {
        "kind": "donation",
        "amount": "8888.88",
        "donor": "青岛海川建设集团有限公司",
        "agreement": "JZ-2026-07",
        "reference": "BR-JZ-2026-07",
        "received_on": PAST.isoformat(),
    }
    headers = {**funds.acc, "Idempotency-Key": "receipt-twice"}
    first = await sender.post(f"/api/funds/{fund}/receipts", json=body, headers=headers)
    again = await sender.post(f"/api/funds/{fund}/receipts", json=body, headers=headers)
    # without the middleware the bank reference, unique among receipts, still keeps the second out
    assert (first.status_code, again.status_code) == (201, 201 if acts == 1 else 409), again.text
    receipts = await FundReceipt.select(FundReceipt.fen).where(FundReceipt.fund == fund)
    assert [r["fen"] for r in receipts] == [888888]
    assert await JournalEntryRow.count().where(JournalEntryRow.cause.like("fund-receipt:%")) == 1
    assert (await funds.position(fund))["received"] == "8888.88"


def test_money_and_registration_routes_take_a_key(settings: Settings) -> None:
    keyed = {
        handler.operation_id
        for route in ledger_app.create_app(settings).routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("idempotent")
    }
    assert {
        "payClaim",
        "recordPremium",
        "recordReceipt",
        "payTranche",
        "recordReturn",
        "registerClaim",
        "createEvent",
        "recordApplication",
        "approveApplication",
        "signGrant",
        "createUser",
    } <= keyed
