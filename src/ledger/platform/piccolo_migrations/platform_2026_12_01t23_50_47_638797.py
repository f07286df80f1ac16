from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-01T23:50:47:638797"
VERSION = "1.38.0"
DESCRIPTION = "Job runs carry a holder and a lease; unfinished idempotency reservations go"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="platform", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="JobRun",
        tablename="job_run",
        column_name="holder",
        db_column_name="holder",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 300,
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

    manager.add_column(
        table_class_name="JobRun",
        tablename="job_run",
        column_name="lease_until",
        db_column_name="lease_until",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
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

    async def forget_unfinished_reservations() -> None:
        # Keys the former two-transaction middleware reserved and never completed (status 0) would
        # refuse every retry until they expired. The new middleware stores only complete answers:
        # the keys are freed now rather than after their 24 hours.
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DELETE FROM idempotency_record WHERE status_code = 0")

    manager.add_raw(forget_unfinished_reservations)

    return manager
