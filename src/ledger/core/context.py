"""Per-request context that every layer may read: the request id for logs and audit rows."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
