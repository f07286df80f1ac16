"""ASGI middleware: a request id on every request, and ``Idempotency-Key`` handling for POSTs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ledger.core import clock
from ledger.core.errors import Conflict, InvalidInput
from ledger.db import serialize, try_serialize, unit_of_work
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


class IdempotencyKeyInUse(Conflict):
    """A request with this Idempotency-Key is still being processed; retry shortly."""


class IdempotencyKeyReused(Conflict):
    """Idempotency-Key was already used with a different request body."""


class IdempotencyMiddleware:
    """Runs a POST with an ``Idempotency-Key`` once, and answers its retries with the first answer.

    The key's answer is decided in the same transaction as the request's effect ("atomic phases"):
    the whole request runs in one ``unit_of_work()``, which every service's ``write_transaction()``
    joins, and a successful answer is stored in it just before it commits. So a crash at any point
    leaves either nothing (no effect, no key: a retry runs the request once) or both the effect and
    its answer (a retry gets that answer, marked ``Idempotent-Replayed: true``); never an effect
    without its answer, nor a key reserved by a process that is gone. The answer is sent only after
    the commit; a failed request (4xx/5xx) is rolled back and its key stays free for a retry.

    Two requests with one key never run at once: on PostgreSQL the second finds the key's advisory
    lock taken and is refused as still being processed (the lock dies with its session, so a killed
    process cannot leave it behind); on SQLite the unit's ``BEGIN IMMEDIATE`` makes it wait for the
    first, whose answer it then replays. Keys are scoped per user and route, answers kept 24 hours.
    See ``docs/decisions/0004-idempotency-and-leases.md``.
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
        request_hash = hashlib.sha256(_canonical(body)).hexdigest()

        async def run(answer: KeptAnswer) -> None:
            await self.app(scope, replay_receive, answer)

        existing, answer = await run_once(
            scope_key_of(scope, key), request_hash, run, _keep_success, wait=False
        )
        if existing is not None:
            await _replay(existing, request_hash, send)
            return
        await answer.deliver(send)


def scope_key_of(scope: Scope, key: str, username: str | None = None) -> str:
    """The stored name of ``key``: scoped per user, method and path, so two users' keys never meet."""
    user = username if username is not None else getattr(scope.get("user"), "username", "")
    return f"{user}|{scope.get('method', '')}|{scope['path']}|{key}"


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """What is kept of a first answer, to be replayed for its retries.

    Args:
        status: the HTTP status.
        body: the body (for a page's redirect, where it went and what it said).
        content_type: the body's media type.
    """

    status: int
    body: bytes
    content_type: str


async def run_once(
    scope_key: str,
    request_hash: str,
    run: Callable[[KeptAnswer], Awaitable[None]],
    keep: Callable[[KeptAnswer], StoredAnswer | None],
    *,
    wait: bool,
) -> tuple[dict[str, Any] | None, KeptAnswer]:
    """Run a request once per ``scope_key``; the API's ``Idempotency-Key`` and the pages' form keys.

    Returns the stored answer of an earlier run (and nothing is run), or ``None`` and the answer of
    this run. The run happens in one ``unit_of_work()``; ``keep`` decides from its answer what is stored
    in it just before the commit, or ``None`` to roll the whole run back (its key stays free).

    Args:
        scope_key: the key, scoped (``scope_key_of``).
        request_hash: the hash of the request, compared by the caller on a replay.
        run: runs the request, sending its answer to the ``KeptAnswer`` given.
        keep: what of a finished run to store, or ``None`` to undo it.
        wait: whether a second request with the key waits for the first to finish (and then gets its
            answer) instead of being refused as still being processed. On SQLite it always waits.
    """
    repo = IdempotencyRepository()
    not_before = clock.now() - IDEMPOTENCY_TTL
    # A replay needs no write lock: look for a stored answer first.
    existing = await repo.find(scope_key, not_before)
    answer = KeptAnswer()
    if existing is None:
        async with unit_of_work() as unit:
            if wait:
                await serialize(f"idempotency:{scope_key}")
            elif not await try_serialize(f"idempotency:{scope_key}"):
                raise IdempotencyKeyInUse(field="Idempotency-Key", rule="one request per key at a time")
            existing = await repo.find(scope_key, not_before)
            if existing is None:
                await run(answer)
                stored = keep(answer)
                if stored is None:
                    await unit.rollback()
                else:
                    await repo.add(
                        scope_key,
                        request_hash,
                        status_code=stored.status,
                        body=stored.body,
                        content_type=stored.content_type,
                        now=clock.now(),
                        not_before=not_before,
                    )
    return existing, answer


def _keep_success(answer: KeptAnswer) -> StoredAnswer | None:
    return StoredAnswer(answer.status, answer.body, answer.content_type) if answer.succeeded else None


async def _replay(existing: dict[str, Any], request_hash: str, send: Send) -> None:
    if existing["request_hash"] != request_hash:
        raise IdempotencyKeyReused(field="Idempotency-Key", rule="same key, same body")
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


class KeptAnswer:
    """Keeps the handler's response, to be sent once the request's transaction has ended."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.status = 0
        self.content_type = ""
        self.headers: dict[bytes, bytes] = {}

    @property
    def succeeded(self) -> bool:
        """Whether the handler answered with a 2xx status."""
        return 200 <= self.status < 300

    @property
    def body(self) -> bytes:
        """The response body."""
        return b"".join(bytes(m.get("body", b"")) for m in self.messages if m["type"] == "http.response.body")

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = {bytes(k).lower(): bytes(v) for k, v in message.get("headers", [])}
            self.content_type = self.headers.get(b"content-type", b"").decode("latin-1")
        self.messages.append(message)

    async def deliver(self, send: Send) -> None:
        """Send the kept response."""
        for message in self.messages:
            await send(message)
