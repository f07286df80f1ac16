"""Every route × every role: the roles a route declares get in, all others get 403, no token gets 401.

This walks the application's own routes, so each new route is covered the moment it is added, and a
route that neither declares roles nor is public fails the test.
"""

from __future__ import annotations

import re
from typing import Any

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
