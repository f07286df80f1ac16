from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T04:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A receipt carries its bank reference, unique among receipts (checked by the service)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="funds", description=DESCRIPTION)

    manager.add_column(
        table_class_name="FundReceipt",
        tablename="fund_receipt",
        column_name="bank_reference",
        db_column_name="bank_reference",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 100,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
