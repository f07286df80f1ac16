"""Piccolo app of the platform tables."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from ledger.platform.tables import AppUser, AuditEvent, IdempotencyRecord, JobRun, LoginFailure

APP_CONFIG = AppConfig(
    app_name="platform",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[AppUser, LoginFailure, AuditEvent, IdempotencyRecord, JobRun],
)
