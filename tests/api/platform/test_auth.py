"""Sign-in, tokens, roles and lockout over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any, Literal

import httpx
import jwt
import msgspec
import pytest
from argon2 import PasswordHasher

from ledger.app import create_app
from ledger.core import clock
from ledger.platform import domain
from ledger.platform.tables import AppUser
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


WRONG = "wrong-pass"


async def _sign_in(client: Any, username: str, password: str = WRONG) -> Any:
    return await client.post("/api/auth/token", json={"username": username, "password": password})


def _answer(response: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, body and headers of an answer, without what differs per request or per second."""
    body = {k: v for k, v in response.json().items() if k not in {"request_id", "locked_until"}}
    if "locked_until" in response.json():
        body["detail"] = body["detail"].replace(response.json()["locked_until"], "<locked_until>")
    headers = {k: v for k, v in response.headers.items() if k != "x-request-id"}
    return response.status_code, body, headers


async def _disable(username: str) -> None:
    await AppUser.update({AppUser.active: False}).where(AppUser.username == username)


async def test_unknown_disabled_and_wrong_password_get_the_same_answer(client: Any, make_user: Any) -> None:
    await make_user("bob", "adjuster")
    await make_user("olga", "adjuster")
    await _disable("olga")
    wrong = await _sign_in(client, "bob")
    unknown = await _sign_in(client, "nobody")
    disabled = await _sign_in(client, "olga", PASSWORD)
    assert _answer(wrong) == _answer(unknown) == _answer(disabled)
    status, body, headers = _answer(wrong)
    assert status == 401
    assert body["detail"] == "wrong username or password"
    assert headers["www-authenticate"] == "Bearer"


class CountingHasher(PasswordHasher):
    """The test hasher, counting the passwords it checks."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


async def test_an_unknown_user_costs_one_password_check_like_a_real_one(
    client: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The time of an answer must not tell whether the user exists: the password of an unknown or
    disabled user is checked against a dummy hash made by the same hasher, once."""
    await make_user("bob", "adjuster")
    hasher = CountingHasher()
    monkeypatch.setattr(domain, "_hasher", hasher)
    counts = []
    for username in ("bob", "nobody"):
        before = hasher.verified
        assert (await _sign_in(client, username)).status_code == 401
        counts.append(hasher.verified - before)
    assert counts == [1, 1]


async def test_a_nonexistent_name_is_locked_like_a_real_one(client: Any, make_user: Any) -> None:
    await make_user("carol", "adjuster")
    answers = {}
    for username in ("carol", "ghost"):
        for _ in range(5):
            assert (await _sign_in(client, username)).status_code == 401
        answers[username] = await _sign_in(client, username, PASSWORD)
    assert _answer(answers["carol"]) == _answer(answers["ghost"])
    locked = answers["ghost"].json()
    assert answers["ghost"].status_code == 423
    assert (
        locked["detail"]
        == f"too many failed sign-ins under this username: try again after {locked['locked_until']}"
    )
    assert locked["rule"] == "at most 5 failed sign-ins in a row"
    until = dt.datetime.fromisoformat(locked["locked_until"])
    assert dt.timedelta(minutes=14) < until - clock.now() <= dt.timedelta(minutes=15)


async def test_a_locked_name_checks_no_password(
    client: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_user("carol", "adjuster")
    for _ in range(5):
        await _sign_in(client, "carol")
    hasher = CountingHasher()
    monkeypatch.setattr(domain, "_hasher", hasher)
    assert (await _sign_in(client, "carol", PASSWORD)).status_code == 423
    assert hasher.verified == 0


async def test_spellings_of_a_name_share_its_count(client: Any, make_user: Any) -> None:
    await make_user("carol", "adjuster")
    for username in ("carol", "CAROL", " Carol ", "ｃａｒｏｌ", "carol"):
        assert (await _sign_in(client, username)).status_code == 401
    assert (await _sign_in(client, "carol", PASSWORD)).status_code == 423


async def test_each_lockout_is_one_audit_row(client: Any, make_user: Any) -> None:
    await make_user("carol", "adjuster")
    for username in ("carol", "ghost"):
        for _ in range(7):  # the 6th and 7th attempts find the name locked: no new lock
            await _sign_in(client, username)
    rows = await _audit(client, object_type="login")
    assert sorted((r["action"], r["object_id"], r["actor"]) for r in rows) == [
        ("login.lock", "carol", "system"),
        ("login.lock", "ghost", "system"),
    ]
    for row in rows:
        after = json.loads(row["after"])
        assert after["failures"] == 5
        assert row["request_id"]


async def test_concurrent_failures_are_all_counted_and_lock_once(client: Any) -> None:
    responses = await asyncio.gather(*(_sign_in(client, "ghost") for _ in range(12)))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(401) >= 5, codes
    assert set(codes) <= {401, 423}
    assert (await _sign_in(client, "ghost", PASSWORD)).status_code == 423
    assert [r["object_id"] for r in await _audit(client, object_type="login")] == ["ghost"]


async def test_the_lock_holds_in_another_app_process(client: Any, settings: Any) -> None:
    """Failures are kept in the database, not in the process: a new app sees the lock."""
    for _ in range(5):
        await _sign_in(client, "ghost")
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as other:
        assert (await _sign_in(other, "ghost", PASSWORD)).status_code == 423


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
    return [msgspec.structs.asdict(row) for row in rows]
