from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "An approver may approve a claim for less than assessed, with a reason"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="claims", description=DESCRIPTION)

    manager.add_column(
        table_class_name="ClaimRow",
        tablename="claims_claim",
        column_name="reduced_to_fen",
        db_column_name="reduced_to_fen",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="ClaimRow",
        tablename="claims_claim",
        column_name="reduction_reason",
        db_column_name="reduction_reason",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
