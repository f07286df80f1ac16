"""Piccolo's configuration module (``PICCOLO_CONF=ledger.config.piccolo_conf``).

``DB`` is resolved on access so that importing this module reads no environment: it is whatever
engine ``ledger.db.configure`` set up, or the one the ``LEDGER_*`` settings name.
"""

from __future__ import annotations

from typing import Any

from ledger.db import app_registry, current_engine

APP_REGISTRY = app_registry()


def __getattr__(name: str) -> Any:
    if name == "DB":
        return current_engine()
    raise AttributeError(name)
