from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T00:53:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Claims remember the day they were rejected and which clocks they are overdue on"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="claims", description=DESCRIPTION)

    manager.add_column(
        table_class_name="ClaimRow",
        tablename="claims_claim",
        column_name="rejected_on",
        db_column_name="rejected_on",
        column_class_name="Date",
        column_class=Date,
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
        column_name="overdue_reasons",
        db_column_name="overdue_reasons",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
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
