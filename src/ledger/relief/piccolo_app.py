"""Piccolo app of the relief tables."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from ledger.relief.tables import (
    ReliefBankFile,
    ReliefBankRow,
    ReliefCycle,
    ReliefEnrolment,
    ReliefHousehold,
    ReliefMember,
    ReliefRow,
    ReliefStatementLine,
)

APP_CONFIG = AppConfig(
    app_name="relief",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        ReliefHousehold,
        ReliefMember,
        ReliefEnrolment,
        ReliefCycle,
        ReliefRow,
        ReliefBankFile,
        ReliefBankRow,
        ReliefStatementLine,
    ],
    migration_dependencies=["ledger.platform.piccolo_app"],
)
