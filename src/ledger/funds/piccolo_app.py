"""Piccolo app of the funds tables."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from ledger.funds.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="funds",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=list(TABLES),
    migration_dependencies=["ledger.platform.piccolo_app"],
)
