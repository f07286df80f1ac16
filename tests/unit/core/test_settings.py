"""Settings come from LEDGER_* variables, lazily, and .env.example documents each of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.config.settings import Settings, settings_from_env

ROOT = Path(__file__).resolve().parents[3]


def test_defaults_are_the_embedded_setup() -> None:
    settings = settings_from_env({})
    assert settings.data_dir == Path("var")
    assert settings.resolved_database_url.endswith("var/relief-ledger.sqlite")
    assert settings.resolved_ledger_dir == Path("var/ledger")
    assert settings.timezone == "Asia/Shanghai"
    assert settings.scheduler_enabled is False
    assert not settings.is_postgres


def test_values_are_parsed() -> None:
    settings = settings_from_env(
        {
            "LEDGER_DATA_DIR": "/srv/ledger",
            "LEDGER_DATABASE_URL": "postgresql://app@db:5432/relief",
            "LEDGER_SCHEDULER_ENABLED": "true",
            "LEDGER_TOKEN_TTL_SECONDS": "300",
            "PATH": "/usr/bin",
        }
    )
    assert settings.data_dir == Path("/srv/ledger")
    assert settings.is_postgres
    assert settings.scheduler_enabled is True
    assert settings.token_ttl_seconds == 300


def test_unknown_and_bad_values_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown setting LEDGER_DATABSE_URL"):
        settings_from_env({"LEDGER_DATABSE_URL": "x"})
    with pytest.raises(ValueError, match="LEDGER_SCHEDULER_ENABLED must be true or false"):
        settings_from_env({"LEDGER_SCHEDULER_ENABLED": "maybe"})


def test_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).with_secret()
    second = Settings(data_dir=tmp_path).with_secret()
    assert len(first.secret_key) >= 40
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_env_example_documents_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    for name in Settings.__dataclass_fields__:
        assert f"LEDGER_{name.upper()}=" in text
