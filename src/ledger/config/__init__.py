"""Configuration: settings, chart of accounts, policy and fund parameters (the TOML files beside this)."""

from __future__ import annotations

from functools import lru_cache

from ledger.config.settings import Settings, settings_from_env

__all__ = ["Settings", "get_settings", "settings_from_env"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings from the environment, built on first use."""
    return settings_from_env()
