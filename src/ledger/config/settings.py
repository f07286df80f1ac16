"""One typed settings object, read from ``LEDGER_*`` environment variables when asked for, never at import."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    msg = f"{name} must be true or false, not {raw!r}"
    raise ValueError(msg)


def _zone_name(raw: str) -> str:
    """Return ``raw`` if it names an IANA time zone, so a typo fails at start and not on the first date."""
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"LEDGER_TIMEZONE must be an IANA time zone name such as Asia/Shanghai, not {raw!r}"
        raise ValueError(msg) from None
    return raw


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be told, with the defaults of the embedded SQLite setup.

    Args:
        data_dir: where runtime data lives (SQLite file, secret key, uploads, ledger); ``LEDGER_DATA_DIR``.
        database_url: ``sqlite:///path`` or ``postgresql://user@host:port/db``; ``LEDGER_DATABASE_URL``.
        ledger_dir: the Beancount ledger directory; ``LEDGER_LEDGER_DIR``.
        secret_key: signs access tokens; ``LEDGER_SECRET_KEY`` or generated into ``<data_dir>/secret_key``.
        timezone: business time zone of every date (today, periods, numbering years, deadlines) and of
            the schedule; ``LEDGER_TIMEZONE``.
        scheduler_enabled: run the job scheduler in this process; ``LEDGER_SCHEDULER_ENABLED``.
        log_level: Python logging level name; ``LEDGER_LOG_LEVEL``.
        token_ttl_seconds: lifetime of an access token; ``LEDGER_TOKEN_TTL_SECONDS``.
        lockout_threshold: failed sign-ins in a row that lock a username; ``LEDGER_LOCKOUT_THRESHOLD``.
        lockout_minutes: how long a locked username stays locked; ``LEDGER_LOCKOUT_MINUTES``.
        policy_file: an alternative policy TOML (perils, limits); ``LEDGER_POLICY_FILE``.
        relief_file: an alternative relief programmes TOML (rates, banks); ``LEDGER_RELIEF_FILE``.
        max_upload_bytes: the largest document accepted; ``LEDGER_MAX_UPLOAD_BYTES``.
        pdf_font: a TrueType CJK font for PDFs (default: found on the system); ``LEDGER_PDF_FONT``.
        ledger_title: the Beancount ``title`` option (Fava shows it); ``LEDGER_LEDGER_TITLE``.
        pool_max_size: PostgreSQL connection pool size; ``LEDGER_POOL_MAX_SIZE``.
        job_lease_seconds: how long a job run's lease lasts unless renewed (renewed every third of
            it); ``LEDGER_JOB_LEASE_SECONDS``.
        scheduler_poll_seconds: how often a scheduler process tries to become the leader, and the
            leader checks its lock and heals stale runs; ``LEDGER_SCHEDULER_POLL_SECONDS``.
    """

    data_dir: Path = Path("var")
    database_url: str = ""
    ledger_dir: Path | None = None
    secret_key: str = ""
    timezone: str = "Asia/Shanghai"
    scheduler_enabled: bool = False
    log_level: str = "INFO"
    token_ttl_seconds: int = 900
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    policy_file: Path | None = None
    relief_file: Path | None = None
    max_upload_bytes: int = 10 * 1024 * 1024
    pdf_font: Path | None = None
    ledger_title: str = "Relief Ledger"
    pool_max_size: int = 10
    job_lease_seconds: float = 60.0
    scheduler_poll_seconds: float = 15.0

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``<data_dir>/relief-ledger.sqlite``."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'relief-ledger.sqlite').resolve()}"

    @property
    def resolved_ledger_dir(self) -> Path:
        """The ledger directory, defaulting to ``<data_dir>/ledger``."""
        return self.ledger_dir or self.data_dir / "ledger"

    @property
    def upload_dir(self) -> Path:
        """Where uploaded documents are stored, content-addressed."""
        return self.data_dir / "documents"

    @property
    def is_postgres(self) -> bool:
        """Whether the database is PostgreSQL."""
        return self.resolved_database_url.startswith(("postgres://", "postgresql://"))

    def with_secret(self) -> Settings:
        """Return these settings with a secret key, generating and storing one on first use.

        The key is kept in ``<data_dir>/secret_key`` (mode 0600) so tokens survive restarts.
        """
        if self.secret_key:
            return self
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return replace(self, secret_key=path.read_text().strip())


_PARSERS = {
    "data_dir": Path,
    "ledger_dir": Path,
    "policy_file": Path,
    "relief_file": Path,
    "pdf_font": Path,
    "token_ttl_seconds": int,
    "lockout_threshold": int,
    "lockout_minutes": int,
    "max_upload_bytes": int,
    "pool_max_size": int,
    "job_lease_seconds": float,
    "scheduler_poll_seconds": float,
}


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Build ``Settings`` from ``LEDGER_*`` variables.

    Args:
        environ: the variables to read (defaults to ``os.environ``); unknown ``LEDGER_*`` names are refused
            so a typo does not silently fall back to a default.
    """
    env = os.environ if environ is None else environ
    known = set(Settings.__dataclass_fields__)
    values: dict[str, object] = {}
    for key, raw in env.items():
        if not key.startswith("LEDGER_"):
            continue
        name = key.removeprefix("LEDGER_").lower()
        if name not in known:
            msg = f"unknown setting {key}; see .env.example for the list"
            raise ValueError(msg)
        if name == "scheduler_enabled":
            values[name] = _bool(key, raw)
        elif name == "timezone":
            values[name] = _zone_name(raw)
        elif name in _PARSERS:
            values[name] = _PARSERS[name](raw) if raw else None
        else:
            values[name] = raw
    return Settings(**values)  # type: ignore[arg-type]
