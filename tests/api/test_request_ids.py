"""Every answer, error or not, carries a request id: in the ``X-Request-ID`` header and, for a problem,
as ``request_id`` in the body, the same value; audit rows record it too."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.platform.repository import AuditRepository
from ledger.platform.service import UserService


def _id_of(response: Any) -> str:
    """The request id of a problem answer, checked to be the same in the header and the body."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    header = response.headers["x-request-id"]
    assert header
    assert response.json()["request_id"] == header
    return str(header)


async def test_unknown_route_404_has_a_request_id(client: Any) -> None:
    """The router refuses it before any middleware runs; the first request of the test, so no id of an
    earlier request can stand in for its own."""
    first = await client.get("/api/nothing-here")
    second = await client.get("/api/nothing-here")
    assert first.status_code == second.status_code == 404
    assert _id_of(first) != _id_of(second)


async def test_wrong_method_405_has_a_request_id(client: Any) -> None:
    response = await client.delete("/health")
    assert response.status_code == 405
    _id_of(response)


async def test_missing_token_401_has_the_id_in_the_header_too(client: Any) -> None:
    """Refused by the authentication middleware, past the request-id middleware's own send."""
    response = await client.get("/api/users")
    assert response.status_code == 401
    _id_of(response)


async def test_validation_400_and_domain_422_have_a_request_id(client: Any, login: Any) -> None:
    bad_shape = await client.post("/api/auth/token", json={})
    assert bad_shape.status_code == 400
    _id_of(bad_shape)
    body = {"username": "erin", "role": "boss", "password": "long-enough-1"}
    unknown_role = await client.post("/api/users", json=body, headers=await login("admin"))
    assert unknown_role.status_code == 422
    assert unknown_role.json()["field"] == "role"
    _id_of(unknown_role)


async def test_unexpected_500_has_a_request_id(
    client: Any, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = await login("admin")

    async def broken(self: UserService) -> list[dict[str, Any]]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(UserService, "list_users", broken)
    response = await client.get("/api/users", headers=headers)
    assert response.status_code == 500
    assert "a bug" not in response.text
    _id_of(response)


@pytest.mark.parametrize(
    ("given", "kept"), [("abc123XYZ", True), ("a" * 40, True), ("a" * 41, False), ("no spaces", False)]
)
async def test_a_sane_client_request_id_is_kept(client: Any, given: str, kept: bool) -> None:
    response = await client.get("/api/nothing-here", headers={"X-Request-ID": given})
    assert (_id_of(response) == given) is kept


async def test_success_and_audit_row_carry_the_same_id(client: Any, login: Any) -> None:
    headers = {**await login("admin"), "X-Request-ID": "createuser42"}
    body = {"username": "erin", "role": "auditor", "password": "long-enough-1"}
    response = await client.post("/api/users", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["x-request-id"] == "createuser42"
    rows, _ = await AuditRepository().search(
        object_type="user", object_id=None, actor="admin", limit=10, offset=0
    )
    assert [(row.action, row.request_id) for row in rows] == [("user.add", "createuser42")]
