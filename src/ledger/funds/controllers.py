"""HTTP routes of the funds domain. Thin: validate, call one service method, return a schema."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
