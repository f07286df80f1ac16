"""Sign-in, tokens, roles and lockout over HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt
import pytest

from ledger.core import clock
from tests.conftest import PASSWORD
from tests.pinned_clock import SHANGHAI, PinnedClock


async def test_health_is_public(client: Any) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_token_then_protected_route(client: Any, login: Any) -> None:
    headers = await login("admin")
    response = await client.get("/api/users", headers=headers)
    assert response.status_code == 200
    assert [u["username"] for u in response.json()] == ["admin"]


async def test_token_response_shape(client: Any, make_user: Any) -> None:
    await make_user("alice", "auditor")
    response = await client.post("/api/auth/token", json={"username": "alice", "password": PASSWORD})
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "alice"
    assert claims["role"] == "auditor"
    assert claims["exp"] - claims["iat"] == 900


async def test_missing_token_is_401_problem(client: Any) -> None:
    response = await client.get("/api/users")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["rule"] == "Authorization: Bearer"


async def test_wrong_role_is_403_naming_roles(client: Any, login: Any) -> None:
    headers = await login("auditor")
    response = await client.get("/api/users", headers=headers)
    assert response.status_code == 403
    assert response.json()["detail"] == "role 'auditor' may not do this; allowed: admin"


async def test_tampered_token_is_401(client: Any, login: Any) -> None:
    headers = await login("admin")
    token = headers["Authorization"].removeprefix("Bearer ")
    header, payload, signature = token.split(".")
    forged = jwt.encode(
        {**jwt.decode(token, options={"verify_signature": False}), "role": "admin", "sub": "admin"},
        "not-the-secret",
        algorithm="HS256",
    )
    for bad in (f"{header}.{payload}.{signature[:-2]}xx", forged):
        response = await client.get("/api/users", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401
        assert "tampered" in response.json()["detail"]


async def test_expired_token_is_401(client: Any, login: Any, settings: Any) -> None:
    await login("admin")
    past = int((clock.now() - dt.timedelta(hours=1)).timestamp())
    token = jwt.encode(
        {"sub": "admin", "uid": 1, "role": "admin", "iat": past - 900, "exp": past},
        settings.secret_key,
        algorithm="HS256",
    )
    response = await client.get("/api/users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "the access token has expired: request a new one"


@pytest.mark.parametrize("year", [2001, 2040])
async def test_tokens_expire_by_the_ledger_clock_not_the_wall_clock(
    client: Any, login: Any, settings: Any, pinned_clock: PinnedClock, year: int
) -> None:
    """A token issued at a pinned moment long past (exp before the wall clock) or far ahead (iat after
    it) is valid until the ledger's clock passes its expiry."""
    pinned_clock.set(dt.datetime(year, 6, 1, 9, 0, tzinfo=SHANGHAI))
    headers = await login("admin")
    pinned_clock.advance(dt.timedelta(seconds=settings.token_ttl_seconds - 1))
    assert (await client.get("/api/users", headers=headers)).status_code == 200
    pinned_clock.advance(dt.timedelta(seconds=1))
    response = await client.get("/api/users", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "the access token has expired: request a new one"


async def test_wrong_password_is_401(client: Any, make_user: Any) -> None:
    await make_user("bob", "adjuster")
    response = await client.post("/api/auth/token", json={"username": "bob", "password": "nope-nope"})
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong username or password"


async def test_repeated_failures_lock_the_account(client: Any, make_user: Any) -> None:
    await make_user("carol", "adjuster")
    for _ in range(5):
        response = await client.post("/api/auth/token", json={"username": "carol", "password": "wrong-pass"})
        assert response.status_code == 401
    locked = await client.post("/api/auth/token", json={"username": "carol", "password": PASSWORD})
    assert locked.status_code == 423
    assert "locked" in locked.json()["detail"]
    audit = await _audit(client, object_type="user")
    assert any(e["action"] == "user.lock" for e in audit)


async def test_four_failures_then_success_resets(client: Any, make_user: Any) -> None:
    await make_user("dave", "adjuster")
    for _ in range(4):
        await client.post("/api/auth/token", json={"username": "dave", "password": "wrong-pass"})
    ok = await client.post("/api/auth/token", json={"username": "dave", "password": PASSWORD})
    assert ok.status_code == 200
    for _ in range(4):
        await client.post("/api/auth/token", json={"username": "dave", "password": "wrong-pass"})
    assert (
        await client.post("/api/auth/token", json={"username": "dave", "password": PASSWORD})
    ).status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({}, "username", "required"),
        ({"username": "x"}, "password", "required"),
        ({"username": "x", "password": "y", "extra": 1}, "extra", "no unknown fields"),
        ({"username": 5, "password": "y"}, "username", "type str"),
        ({"username": "", "password": "y"}, "username", "length"),
    ],
)
async def test_bad_token_request_is_400_naming_field_and_rule(
    client: Any, body: dict[str, Any], field: str, rule: str
) -> None:
    response = await client.post("/api/auth/token", json=body)
    assert response.status_code == 400
    problem = response.json()
    assert (problem["field"], problem["rule"]) == (field, rule)
    assert problem["errors"][0]["field"] == field
    assert field in problem["detail"] or problem["errors"][0]["message"] in problem["detail"]


async def test_malformed_json_is_400(client: Any) -> None:
    response = await client.post(
        "/api/auth/token", content=b'{"username": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def _audit(client: Any, **params: str) -> list[dict[str, Any]]:
    from ledger.platform.repository import AuditRepository

    rows, _ = await AuditRepository().search(
        object_type=params.get("object_type"), object_id=None, actor=None, limit=100, offset=0
    )
    return rows
