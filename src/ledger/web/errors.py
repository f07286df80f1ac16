"""The one mapping from errors to ``application/problem+json`` responses (RFC 9457)."""

from __future__ import annotations

import errno
import logging
import re
import sqlite3
from collections.abc import Mapping
from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from ledger.core import errors
from ledger.core.context import request_id
from ledger.web import request_ids

log = logging.getLogger("ledger.web")
PROBLEM_JSON = "application/problem+json"

#: The status of every base type in ``ledger.core.errors``; each error the code raises subclasses exactly
#: one of them (``tests/unit/test_errors.py`` walks the package to check it).
STATUS_OF: dict[type[errors.LedgerError], int] = {
    errors.BadRequest: 400,
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.RuleViolation: 422,
    errors.Unauthenticated: 401,
    errors.PermissionDenied: 403,
    errors.PayloadTooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.AccountLocked: 423,
    errors.LedgerValidationFailed: 409,
}

RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "instance", "request_id"})

TITLES = {
    400: "Bad request",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    423: "Locked",
    500: "Internal server error",
    503: "Service unavailable",
}


def status_of(error: errors.LedgerError) -> int:
    """The HTTP status of a domain error: that of its nearest mapped class."""
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


def problem(
    status: int,
    detail: str,
    members: Mapping[str, Any] | None = None,
    *,
    request: Request[Any, Any, Any] | None = None,
) -> Response[dict[str, Any]]:
    """A problem+json response.

    Args:
        status: the HTTP status.
        detail: what went wrong, for a person.
        members: extension members (``field``, ``rule``, ``errors`` ...); ``None`` values are left out.
        request: the request answered; its id (assigned now if no middleware did, as for a 404 of an
            unknown path) goes into ``request_id`` and the ``X-Request-ID`` header.
    """
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "request_id": request_ids.assign(request.scope) if request is not None else request_id.get(),
    }
    for key, value in (members or {}).items():
        if value is None:
            continue
        # A domain error's extra data may use a member name the problem format reserves ("status" for
        # a claim's current status); it is kept under another name rather than replacing the member.
        body[f"current_{key}" if key in RESERVED_MEMBERS else key] = value
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def ledger_error_handler(
    request: Request[Any, Any, Any], exc: errors.LedgerError
) -> Response[dict[str, Any]]:
    """Domain errors: their status from ``STATUS_OF``, their message, field and rule."""
    members = {"field": exc.field, "rule": exc.rule, **exc.extra}
    return problem(status_of(exc), exc.message, members, request=request)


def validation_error_handler(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    """Request-shape errors from msgspec/Litestar: each field with its message and the rule it broke."""
    items = exc.extra if isinstance(exc.extra, list) else []
    field_errors = [_field_error(item) for item in items if isinstance(item, dict)]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in field_errors) or str(exc.detail)
    first = field_errors[0] if field_errors else {}
    return problem(
        400,
        detail,
        {"field": first.get("field"), "rule": first.get("rule"), "errors": field_errors or None},
        request=request,
    )


# msgspec's messages, and the rule each one states; the first match wins.
_RULES = (
    (re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`"), "no unknown fields"),
    (re.compile(r"^Object missing required field `(?P<name>[^`]+)`"), "required"),
    (re.compile(r"^Expected `(?P<type>[^`]+)`, got `[^`]+`"), "type {type}"),
    (re.compile(r"^Expected `[^`]+` matching regex"), "pattern"),
    (re.compile(r"^Expected `[^`]+` of length"), "length"),
    (re.compile(r"^Expected `[^`]+` [<>]=? "), "range"),
    (re.compile(r"^Expected .* (?:>=|<=|>|<) "), "range"),
    (re.compile(r"^Invalid enum value"), "one of the allowed values"),
    (re.compile(r"^JSON is malformed"), "valid JSON"),
)


def _field_error(item: dict[str, Any]) -> dict[str, Any]:
    """One msgspec/Litestar error as ``field``, ``message``, ``rule``, ``source``.

    A missing or unknown field inside an object is reported by msgspec at the object (``data``,
    ``lines[0]``); the field itself is named here so the client sees which one.
    """
    message = str(item.get("message", ""))
    field = _field_name(item.get("key"))
    rule = "valid request"
    for pattern, text in _RULES:
        match = pattern.search(message)
        if match:
            groups = match.groupdict()
            rule = text.format(**groups)
            if "name" in groups:
                parent = "" if field in {"data", "body"} else f"{field}."
                field = parent + groups["name"]
            break
    return {"field": field, "message": message, "rule": rule, "source": item.get("source")}


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    """Litestar's own HTTP errors (404 route, 405, 413 body limit ...) as problems."""
    return problem(exc.status_code, str(exc.detail), request=request)


def unexpected_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A bug: logged with the request id and traceback, answered without internals."""
    log.error(
        "unhandled error in %s %s [request %s]",
        request.method,
        request.url.path,
        request_ids.assign(request.scope),
        exc_info=exc,
    )
    detail = "an unexpected error occurred; quote the request_id when reporting it"
    return problem(500, detail, request=request)


def _field_name(key: object) -> str:
    """msgspec reports ``$.lines[0].amount`` style paths or ``data``; keep them readable."""
    text = str(key or "body")
    return text.removeprefix("$.")


# -- The database unavailable (restarting, unreachable, locked): 503 with Retry-After ----------------

#: Seconds a client should wait before retrying while the database is unavailable.
RETRY_AFTER_SECONDS = 2
_CONNECTION_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.ETIMEDOUT}
    | {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL}
)
#: The exception types that may mean "the database is unavailable"; ``database_unavailable`` decides.
UNAVAILABLE_TYPES: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,  # the connection failed or was lost (class 08)
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up, terminated by the admin
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections
    asyncpg.InterfaceError,  # "connection is closed"
    asyncpg.exceptions.InternalClientError,  # a connection left mid-operation by the server's shutdown
    sqlite3.OperationalError,  # "database is locked" after the busy timeout
    OSError,  # connection refused or reset while connecting
)


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot serve now, so the same request may succeed later."""
    text = str(exc)
    if isinstance(exc, asyncpg.exceptions.QueryCanceledError):
        return False  # a statement timeout or a cancelled query: the database is up
    if isinstance(exc, asyncpg.InterfaceError):
        return "connection is closed" in text or "connection was closed" in text
    if isinstance(exc, asyncpg.exceptions.InternalClientError):
        # Releasing a connection whose operation the shutdown cut off: "cannot switch to state 15;
        # another operation (2) is in progress" (seen when PostgreSQL stops between requests).
        return "another operation" in text
    if isinstance(exc, sqlite3.OperationalError):
        return "database is locked" in text or "database table is locked" in text
    if isinstance(exc, OSError) and not isinstance(exc, (ConnectionError, TimeoutError)):
        # asyncio reports a refused connection to several addresses as a plain OSError.
        return exc.errno in _CONNECTION_ERRNOS or text.startswith("Multiple exceptions: [Errno")
    return isinstance(exc, UNAVAILABLE_TYPES)


def unavailable_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """503 with ``Retry-After`` when the database is unavailable; any other error of these types is a bug."""
    if not database_unavailable(exc):
        return unexpected_error_handler(request, exc)
    log.warning(
        "database unavailable in %s %s [request %s]: %s: %s",
        request.method,
        request.url.path,
        request_id.get(),
        type(exc).__name__,
        exc,
    )
    response = problem(503, f"the database is unavailable right now; retry in {RETRY_AFTER_SECONDS} seconds")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    errors.LedgerError: ledger_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    **dict.fromkeys(UNAVAILABLE_TYPES, unavailable_error_handler),
    Exception: unexpected_error_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "problem"]
