"""ASGI middleware: a request id on every request, and ``Idempotency-Key`` handling for POSTs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ledger.core import clock
from ledger.core.errors import Conflict, InvalidInput
from ledger.db import write_transaction
from ledger.platform.repository import IdempotencyRepository
from ledger.web import request_ids

IDEMPOTENCY_TTL = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 200


class RequestIdMiddleware:
    """Gives each request an id before its route runs, for logs, audit rows and answers.

    The ``X-Request-ID`` header is added to every answer by ``request_ids.echo_header``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Assign the request id; it stays in the context for the error handlers outside."""
        if scope["type"] == "http":
            request_ids.assign(scope)
        await self.app(scope, receive, send)


class IdempotencyMiddleware:
    """Replays the first response of a POST with the same ``Idempotency-Key`` and body.

    Keys are scoped per user and route. A key is reserved before the handler runs, so two concurrent
    retries cannot both act; if the handler fails (4xx/5xx) the reservation is dropped so the client
    may retry; a successful response is stored and replayed for 24 hours.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle the key if the route is idempotent and the request carries one."""
        handler = scope.get("route_handler")
        key = dict(scope.get("headers", [])).get(b"idempotency-key", b"").decode("latin-1").strip()
        if scope["type"] != "http" or not key or handler is None or not handler.opt.get("idempotent"):
            await self.app(scope, receive, send)
            return
        if len(key) > MAX_KEY_LENGTH:
            raise InvalidInput(
                f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters",
                field="Idempotency-Key",
                rule=f"max {MAX_KEY_LENGTH} characters",
            )
        body, replay_receive = await _read_body(receive)
        user = scope.get("user")
        method = str(scope.get("method", ""))
        scope_key = f"{getattr(user, 'username', '')}|{method}|{scope['path']}|{key}"
        request_hash = hashlib.sha256(_canonical(body)).hexdigest()
        repo = IdempotencyRepository()
        now = clock.now()
        async with write_transaction():
            await repo.purge_before(now - IDEMPOTENCY_TTL)
            existing = await repo.claim(scope_key, request_hash, now)
        if existing is not None:
            await _answer_existing(existing, request_hash, send)
            return
        captured = _Capture(send)
        try:
            await self.app(scope, replay_receive, captured)
        finally:
            async with write_transaction():
                if 200 <= captured.status < 300:
                    await repo.complete(scope_key, captured.status, captured.body, captured.content_type)
                else:
                    await repo.release(scope_key)


async def _answer_existing(existing: dict[str, Any], request_hash: str, send: Send) -> None:
    if existing["request_hash"] != request_hash:
        raise Conflict(
            "Idempotency-Key was already used with a different request body",
            field="Idempotency-Key",
            rule="same key, same body",
        )
    if not existing["status_code"]:
        raise Conflict(
            "a request with this Idempotency-Key is still being processed; retry shortly",
            field="Idempotency-Key",
            rule="one request per key at a time",
        )
    body = existing["response_body"].encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": existing["status_code"],
            "headers": [
                (b"content-type", existing["content_type"].encode("latin-1")),
                (b"content-length", str(len(body)).encode()),
                (b"idempotent-replayed", b"true"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _canonical(body: bytes) -> bytes:
    """The same JSON with other spacing or key order is the same request."""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        return body


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body and return it with a ``receive`` that hands it on once more."""
    chunks: list[bytes] = []
    while True:
        message: Any = await receive()
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


class _Capture:
    """Passes the response on while keeping its status and body."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status = 0
        self.content_type = ""
        self.chunks: list[bytes] = []

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            headers = dict(message.get("headers", []))
            self.content_type = headers.get(b"content-type", b"").decode("latin-1")
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
        await self.send(message)
