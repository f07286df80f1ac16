"""Who may call which funds route: every role against every route (403 for the others)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.api.funds.conftest import Funds

ROLES = ("adjuster", "approver", "accountant", "auditor", "admin")
READ = {"accountant", "auditor", "admin"}
RECORD = {"accountant"}
DECIDE = {"accountant", "admin"}

ROUTES = [
    ("GET", "/api/funds", READ),
    ("POST", "/api/funds", DECIDE),
    ("GET", "/api/funds/1", READ),
    ("GET", "/api/funds/1/position", READ),
    ("GET", "/api/funds/1/receipts", READ),
    ("POST", "/api/funds/1/receipts", RECORD),
    ("GET", "/api/funds/period-closes", READ),
    ("POST", "/api/funds/period-closes", RECORD),
    ("GET", "/api/grantees", READ),
    ("POST", "/api/grantees", RECORD),
    ("GET", "/api/grantees/1", READ),
    ("POST", "/api/grantees/1/conflicts", DECIDE),
    ("GET", "/api/calls", READ),
    ("POST", "/api/calls", RECORD),
    ("GET", "/api/calls/1", READ),
    ("GET", "/api/applications", READ),
    ("POST", "/api/applications", RECORD),
    ("GET", "/api/applications/1", READ),
    ("POST", "/api/applications/1/reviews", DECIDE),
    ("POST", "/api/applications/1/approve", DECIDE),
    ("POST", "/api/applications/1/reject", DECIDE),
    ("GET", "/api/grants", READ),
    ("GET", "/api/grants/1", READ),
    ("POST", "/api/grants/1/sign", RECORD),
    ("POST", "/api/grants/1/tranches/1/pay", RECORD),
    ("POST", "/api/grants/1/reports", RECORD),
    ("POST", "/api/grants/1/reports/1/accept", DECIDE),
    ("POST", "/api/grants/1/reports/1/send-back", DECIDE),
    ("POST", "/api/grants/1/returns", RECORD),
    ("POST", "/api/grants/1/cancel", DECIDE),
    ("POST", "/api/grants/1/close", RECORD),
]


@pytest.mark.parametrize("role", ROLES)
async def test_role_route_matrix(
    funds: Funds, login: Callable[..., Awaitable[dict[str, str]]], role: str
) -> None:
    headers = await login(role, f"{role}-matrix")
    wrong = []
    for method, path, allowed in ROUTES:
        response = await funds.client.request(
            method, path, headers=headers, json={} if method == "POST" else None
        )
        denied = response.status_code == 403
        if denied == (role in allowed) or response.status_code >= 500:
            wrong.append((method, path, response.status_code))
    assert wrong == []


async def test_anonymous_is_401(funds: Funds) -> None:
    for method, path, _ in ROUTES:
        response = await funds.client.request(method, path, json={} if method == "POST" else None)
        assert response.status_code == 401, (method, path)


async def test_openapi_documents_the_funds_routes(funds: Funds) -> None:
    response = await funds.client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    approve = paths["/api/applications/{application_id}/approve"]["post"]
    assert "**Roles:** accountant, admin." in approve["description"]
    assert "Idempotency-Key" in approve["description"]
    assert {"/api/funds/{fund_id}/position", "/api/grants/{grant_id}/tranches/{n}/pay"} <= set(paths)
