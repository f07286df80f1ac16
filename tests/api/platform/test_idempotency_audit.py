"""Idempotency-Key replay and mismatch, and an audit row for every change."""

from __future__ import annotations

import asyncio
from typing import Any

from ledger.platform.tables import AppUser, AuditEvent, IdempotencyRecord

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
