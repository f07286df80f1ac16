"""Every route × every role: the roles a route declares get in, all others get 403, no token gets 401.

This walks the application's own routes, so each new route is covered the moment it is added, and a
route that neither declares roles nor is public fails the test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

from ledger.app import create_app
from ledger.platform.domain import Role
from ledger.web.auth import PUBLIC

_PARAM = re.compile(r"\{(\w+):(\w+)\}")
_SAMPLE = {"int": "987654", "str": "nonexistent", "date": "2026-01-31", "path": "nonexistent"}


def _protected_routes(app: Litestar) -> list[tuple[str, str, tuple[Role, ...]]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or route.path.startswith("/schema"):
                continue
            if handler.opt.get(PUBLIC) or handler.http_methods == {"OPTIONS"}:
                continue
            roles = handler.opt.get("roles")
            assert roles, f"{route.path} neither declares roles nor is public"
            path = _PARAM.sub(lambda m: _SAMPLE[m.group(2)], route.path)
            for method in sorted(handler.http_methods):
                found.append((method, path, roles))
    return found


async def test_every_route_checks_roles(client: Any, login: Any, settings: Any) -> None:
    headers = {role: await login(role.value) for role in Role}
    routes = _protected_routes(create_app(settings))
    assert len(routes) >= 5
    for method, path, allowed in routes:
        body = {"json": {}} if method in {"POST", "PUT", "PATCH"} else {}
        anonymous = await client.request(method, path, **body)
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        for role in Role:
            response = await client.request(method, path, headers=headers[role], **body)
            if role in allowed:
                assert response.status_code not in {401, 403}, (method, path, role, response.text)
                assert response.status_code < 500, (method, path, role, response.text)
            else:
                assert response.status_code == 403, (method, path, role, response.text)
                assert response.json()["field"] == "role"


def _with_number(path: str, name: str, number: int) -> str:
    """``path`` with ``number`` for the parameter ``name`` and 1 (or a sample) for the others."""

    def sample(match: re.Match[str]) -> str:
        if match.group(1) == name:
            return str(number)
        return "1" if match.group(2) == "int" else _SAMPLE[match.group(2)]

    return _PARAM.sub(sample, path)


@pytest.mark.parametrize("number", [0, 2**31, 2**64])
async def test_out_of_range_path_numbers_are_400_naming_the_parameter(
    client: Any, login: Any, settings: Any, number: int
) -> None:
    """A row id the columns cannot hold (past PostgreSQL's 4-byte ``integer`` at 2**31, past SQLite's
    8-byte one at 2**64) is refused before it reaches the driver, whose error would be a 500."""
    app = create_app(settings)
    headers = {role: await login(role.value) for role in Role}
    checked = 0
    for route in app.routes:
        names = [m.group(1) for m in _PARAM.finditer(route.path) if m.group(2) == "int"]
        for handler in getattr(route, "route_handlers", []):
            roles = handler.opt.get("roles") if isinstance(handler, HTTPRouteHandler) else None
            if not names or not roles:
                continue
            for name in names:
                path = _with_number(route.path, name, number)
                for method in sorted(handler.http_methods - {"OPTIONS"}):
                    body = {"json": {}} if method in {"POST", "PUT", "PATCH"} else {}
                    response = await client.request(method, path, headers=headers[roles[0]], **body)
                    assert response.status_code == 400, (method, path, response.text)
                    assert name in {e["field"] for e in response.json()["errors"]}, (
                        method,
                        path,
                        response.text,
                    )
                    checked += 1
    assert checked >= 20


@pytest.mark.parametrize("offset", [2**63, 2**64, 2**80])
async def test_out_of_range_offsets_are_400_naming_the_parameter(
    client: Any, login: Any, settings: Any, offset: int
) -> None:
    """Every paged list refuses an offset past a 64-bit integer (SQLite: OverflowError or "datatype
    mismatch", asyncpg: out of range) with a 400 naming ``offset``; the largest one still answers."""
    app = create_app(settings)
    headers = {role: await login(role.value) for role in Role}
    checked = 0
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or "GET" not in handler.http_methods:
                continue
            roles = handler.opt.get("roles")
            if not roles or "offset" not in handler.parsed_fn_signature.parameters:
                continue
            path = _PARAM.sub(lambda m: "1" if m.group(2) == "int" else _SAMPLE[m.group(2)], route.path)
            path = path.replace("/accounts/nonexistent/", "/accounts/Assets:Insurance:Bank/")
            response = await client.get(path, params={"offset": str(offset)}, headers=headers[roles[0]])
            assert response.status_code == 400, (path, response.text)
            assert response.json()["field"] == "offset", (path, response.text)
            largest = await client.get(path, params={"offset": str(2**63 - 1)}, headers=headers[roles[0]])
            assert largest.status_code < 500, (path, largest.text)
            checked += 1
    assert checked >= 9


async def test_openapi_lists_roles_and_problem_errors(client: Any) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert schema["openapi"].startswith("3.1")
    users = schema["paths"]["/api/users"]["get"]
    assert "**Roles:** admin." in users["description"]
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


async def test_docs_page_works_offline(client: Any) -> None:
    page = await client.get("/schema/swagger")
    assert page.status_code == 200
    assert "/schema/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    script = await client.get("/schema/assets/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert len(script.content) > 100_000


async def test_unknown_route_is_problem_json(client: Any) -> None:
    response = await client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
