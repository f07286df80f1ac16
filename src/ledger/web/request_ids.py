"""One id per request, kept in the ASGI scope, in the context (for logs and audit rows) and in the
``X-Request-ID`` header of the answer.

``RequestIdMiddleware`` assigns it before a route runs. A request refused before it reaches a route
(an unknown path: 404; a method the path does not have: 405) passes no middleware, so its id is
assigned when its error is answered; ``echo_header`` puts the id on every answer that lacks it, so
each one, error or not, can be quoted.
"""

from __future__ import annotations

import uuid

from litestar.types import Message, Scope

from ledger.core.context import request_id

HEADER = b"x-request-id"
STATE_KEY = "request_id"
MAX_LENGTH = 40  # what ``audit_event.request_id`` holds


def assign(scope: Scope) -> str:
    """Return the id of the request of ``scope``, assigning it on first use.

    The client's ``X-Request-ID`` is kept when it is ASCII letters and digits, at most 40 of them;
    otherwise a new one is made. The id is also set in the context for logs and audit rows.

    Args:
        scope: the request's ASGI scope; the id is kept in its ``state``.
    """
    state = scope.setdefault("state", {})
    rid = state.get(STATE_KEY)
    if not rid:
        given = dict(scope.get("headers", [])).get(HEADER, b"").decode("latin-1")
        sane = given.isascii() and given.isalnum() and len(given) <= MAX_LENGTH
        rid = given if sane else uuid.uuid4().hex
        state[STATE_KEY] = rid
    request_id.set(rid)
    return str(rid)


async def echo_header(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: add ``X-Request-ID`` to a response start that does not carry it yet.

    Args:
        message: the ASGI message about to be sent.
        scope: the request's ASGI scope.
    """
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    if any(name.lower() == HEADER for name, _ in headers):
        return
    rid = scope.get("state", {}).get(STATE_KEY)
    if rid:
        message["headers"] = [*headers, (HEADER, str(rid).encode("ascii"))]
