"""Piccolo app of the journal tables."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from ledger.journal.tables import JournalEntryRow, JournalPostingRow, LedgerCheckRow

APP_CONFIG = AppConfig(
    app_name="journal",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[JournalEntryRow, JournalPostingRow, LedgerCheckRow],
    migration_dependencies=["ledger.platform.piccolo_app"],
)
