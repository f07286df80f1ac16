"""Piccolo app of the claims tables."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from ledger.claims.tables import (
    ClaimLineRow,
    ClaimRow,
    DocumentRow,
    EventRow,
    PaymentRow,
    PolicyYearRow,
    PremiumReceipt,
    TransitionRow,
)

APP_CONFIG = AppConfig(
    app_name="claims",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        PolicyYearRow,
        PremiumReceipt,
        EventRow,
        ClaimRow,
        ClaimLineRow,
        DocumentRow,
        TransitionRow,
        PaymentRow,
    ],
    migration_dependencies=["ledger.platform.piccolo_app"],
)
