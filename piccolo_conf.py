"""Lets the ``piccolo`` CLI run from the repository root; the real configuration is in the package."""

from ledger.config.piccolo_conf import APP_REGISTRY, DB  # noqa: F401
