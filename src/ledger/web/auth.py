"""Bearer-token authentication and role guards.

Every route either is public (``opt={"public": True}``) or names its roles with ``access(...)``;
the roles are also written into the route's OpenAPI description.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from ledger.core import clock
from ledger.core.errors import PermissionDenied, Unauthenticated
from ledger.platform.domain import Principal, Role, read_token
from ledger.platform.service import UserService
from ledger.web.choices import choice_guard

PUBLIC = "public"


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Reads ``Authorization: Bearer <jwt>`` and puts the ``Principal`` on ``request.user``."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """Return the principal of a valid token of an active user, or raise ``Unauthenticated``."""
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated(
                "this route needs a bearer token: POST /api/auth/token first", rule="Authorization: Bearer"
            )
        settings = connection.app.state.settings
        principal = read_token(token.strip(), secret=settings.secret_key, now=clock.now())
        principal = await UserService().active_principal(principal)
        return AuthenticationResult(user=principal, auth=token)


def role_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Let the request through only if the user's role is one the route allows."""
    allowed: tuple[Role, ...] = handler.opt.get("roles", ())
    principal: Principal = connection.user
    if principal.role not in allowed:
        names = ", ".join(r.value for r in allowed)
        raise PermissionDenied(
            f"role {principal.role.value!r} may not do this; allowed: {names}",
            field="role",
            rule=f"one of {names}",
        )


def access(*roles: Role, idempotent: bool = False, description: str = "") -> dict[str, Any]:
    """Route keyword arguments that allow ``roles`` and say so in the OpenAPI description.

    The role is checked first; then every query parameter marked ``OneOf`` must hold one of its values.

    Args:
        roles: the roles allowed to call the route.
        idempotent: whether the route honours an ``Idempotency-Key`` header.
        description: the route's description; the allowed roles are appended.
    """
    names = ", ".join(r.value for r in roles)
    text = f"{description}\n\n**Roles:** {names}." if description else f"**Roles:** {names}."
    if idempotent:
        text += (
            " Send an `Idempotency-Key` header to make retries safe: the same key and body return the first"
            " result again; the same key with a different body is refused with 409."
        )
    return {
        "guards": [role_guard, choice_guard],
        "opt": {"roles": roles, "idempotent": idempotent},
        "security": [{"bearer": []}],
        "description": text,
    }
