"""The ``relief-ledger`` command: serve, database, users, jobs, demo data, ledger, reports."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from ledger import db
from ledger.config import Settings, get_settings
from ledger.core import clock
from ledger.platform.records import JobRunRecord

T = TypeVar("T")


def run_with_db(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` with the database of ``settings`` connected."""

    async def main() -> T:
        async with db.connected(settings):
            return await work()

    return asyncio.run(main())


def run_with_current_db(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` against an up-to-date database of the environment's settings."""
    settings = get_settings().with_secret()

    async def checked() -> T:
        pending = await db.pending_migrations()
        if pending:
            raise click.ClickException(
                "the database is behind its migrations: run `relief-ledger db upgrade`"
            )
        return await work()

    return run_with_db(settings, checked)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """救助账本 Relief Ledger. Settings come from LEDGER_* variables (see .env.example)."""
    try:
        clock.configure(get_settings().timezone)
    except ValueError as exc:
        raise click.ClickException(f"bad setting: {exc}") from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve(host: str, port: int, reload: bool) -> None:
    """Serve the HTTP API and pages."""
    import uvicorn

    uvicorn.run("ledger.app:create_app", factory=True, host=host, port=port, reload=reload, log_level="info")


@main.group(name="db")
def db_group() -> None:
    """The database schema."""


@db_group.command()
def upgrade() -> None:
    """Apply every pending migration (SQLite or PostgreSQL, per LEDGER_DATABASE_URL)."""
    ran = run_with_db(get_settings(), db.upgrade)
    click.echo(f"applied {len(ran)} migration(s)" + "".join(f"\n  {m}" for m in ran))


@db_group.command()
def status() -> None:
    """List pending migrations; exit 1 if there are any."""
    pending = run_with_db(get_settings(), db.pending_migrations)
    if not pending:
        click.echo("database is up to date")
        return
    for app_name, ids in pending.items():
        click.echo(f"{app_name}: {', '.join(ids)}")
    sys.exit(1)


@main.group()
def users() -> None:
    """Users and roles."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, help="adjuster, approver, accountant, auditor or admin")
@click.option("--full-name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(name: str, role: str, full_name: str, password_stdin: bool) -> None:
    """Add a user; without --password-stdin a password is generated and printed once."""
    from ledger.core.errors import LedgerError
    from ledger.platform.domain import generate_password
    from ledger.platform.service import UserService

    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    try:
        run_with_current_db(
            lambda: UserService().add_user(username=name, role=role, password=password, full_name=full_name)
        )
    except LedgerError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"user {name} ({role}) added")
    if not password_stdin:
        click.echo(f"password: {password}   (shown once)")


@main.group()
def jobs() -> None:
    """Scheduled jobs."""


@jobs.command("list")
def jobs_list() -> None:
    """List the scheduled jobs and their last runs; runs whose process died are marked abandoned first."""
    from ledger.platform.jobs import reap_stale_runs
    from ledger.platform.repository import JobRunRepository
    from ledger.scheduler import job_specs

    specs = job_specs(get_settings())

    async def last_runs() -> dict[str, JobRunRecord | None]:
        await reap_stale_runs()
        repo = JobRunRepository()
        return {spec.name: next(iter(await repo.recent(spec.name, limit=1)), None) for spec in specs}

    runs = run_with_current_db(last_runs)
    for spec in specs:
        cron = " ".join(f"{k}={v}" for k, v in spec.cron.items())
        click.echo(f"{spec.name:24} {cron:28} {_run_line(runs[spec.name])}\n    {spec.description}")


def _run_line(run: JobRunRecord | None) -> str:
    """A job's last run in a few words: key, status, attempt, and why it stopped if it did not finish."""
    if run is None:
        return "never ran"
    line = f"last {run.key} {run.status} (attempt {run.attempts})"
    if run.status == "running":
        line += f" by {run.holder} until {run.lease_until:%Y-%m-%d %H:%M:%S%z}"
    elif run.status in ("abandoned", "failed"):
        line += f": {run.result}"
    return line


@jobs.command("run")
@click.argument("name")
@click.option("--period", default=None, help="The period to run, e.g. 2026-10 (default: the current one).")
def jobs_run(name: str, period: str | None) -> None:
    """Run job NAME for one period now, unless that period already ran or is running."""
    import datetime as dt

    from ledger.platform.jobs import run_job
    from ledger.scheduler import job_specs

    settings = get_settings()
    specs = {spec.name: spec for spec in job_specs(settings)}
    if name not in specs:
        raise click.ClickException(f"unknown job {name!r}; known: {', '.join(sorted(specs))}")
    lease = dt.timedelta(seconds=settings.job_lease_seconds)
    outcome = run_with_current_db(lambda: run_job(specs[name], period, lease=lease))
    click.echo(f"{outcome.key}: {outcome.status} {outcome.result}")
    if outcome.status in ("failed", "abandoned"):
        sys.exit(1)


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
def demo_load() -> None:
    """Create one user per role and realistic reference data (idempotent: a second run adds nothing)."""
    from ledger.demo import load_demo

    for line in run_with_current_db(lambda: load_demo(get_settings())):
        click.echo(line)


@main.group(name="ledger")
def ledger_group() -> None:
    """The Beancount ledger: export, verify, check, browse."""


@ledger_group.command("export")
def ledger_export() -> None:
    """Append journal entries that are not in the files yet (repairs a torn last write)."""
    from ledger.journal.service import Ledger

    result = run_with_current_db(lambda: Ledger.of(get_settings()).export())
    click.echo(f"appended {result.appended}; last seq {result.last_seq}")
    for message in result.repaired:
        click.echo(f"repaired: {message}")


@ledger_group.command("verify")
def ledger_verify() -> None:
    """Recompute the hash chain from the files alone; name the first entry edited, removed, added or moved.

    The result is kept in the database when it answers, for /health."""
    from pathlib import Path

    from ledger.books import verify_files
    from ledger.journal.service import Ledger

    settings = get_settings()
    report = verify_files(settings.resolved_ledger_dir)
    sqlite_file = Path(settings.resolved_database_url.removeprefix("sqlite:///"))
    # Verifying needs the files alone (an auditor's copy, say): no SQLite file is created just to keep it.
    if settings.is_postgres or sqlite_file.exists():
        try:
            run_with_current_db(lambda: Ledger.of(settings).keep_verification(report))
        except Exception as exc:  # the verification stands without the database
            click.echo(f"note: the result is not kept for /health: {exc}", err=True)
    if report.ok:
        click.echo(
            f"chain intact: {report.count} entries, head seq {report.head_seq} hash {report.head_hash}"
        )
        return
    for problem in report.problems:
        click.echo(f"{problem.kind}: {problem.message} [{problem.filename}:{problem.lineno}]", err=True)
    sys.exit(1)


@ledger_group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
def ledger_check(as_json: bool) -> None:
    """Beancount validation + hash chain + journal reconciliation; exit 1 on any difference.

    The result is kept, like the nightly job's: /health and /api/ledger/status report it."""
    import json

    from ledger.journal.service import Ledger

    report = run_with_current_db(lambda: Ledger.of(get_settings()).check())
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in report.summary_lines():
            click.echo(line)
    if not report.ok:
        sys.exit(1)


@ledger_group.command("fava")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5055, show_default=True, type=int)
def ledger_fava(host: str, port: int) -> None:
    """Browse the ledger in Fava, read-only."""
    from ledger.books import run_fava

    sys.exit(run_fava(get_settings().resolved_ledger_dir, host=host, port=port))


@main.command("report")
@click.argument("name")
@click.option("--book", default=None, help="insurance, charity, relief or all (default: the report's own).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First day.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "csv", "xlsx"]),
    default=None,
    help="Default: from --out's extension, else pdf.",
)
@click.option("--seq", type=int, default=None, help="With NAME vouchers: only the voucher of this entry.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Output file (default: the report's own file name in the current directory).",
)
def report(
    name: str,
    book: str | None,
    date_from: Any,
    date_to: Any,
    fmt: str | None,
    seq: int | None,
    out: str | None,
) -> None:
    """Write report NAME (trial-balance, balance-sheet, activities, insurance-programme, claims-register,
    grant-register, vouchers, integrity, chart-of-accounts) from the Beancount ledger."""
    from pathlib import Path

    from ledger.core.errors import LedgerError
    from ledger.reports.service import ReportService, report_request

    suffix = Path(out).suffix.lstrip(".") if out else ""
    chosen = fmt or (suffix if suffix in ("pdf", "csv", "xlsx") else "pdf")
    settings = get_settings()

    async def work() -> Any:
        service = ReportService(settings)
        if seq is not None:
            return await service.render_voucher(seq, chosen)
        wanted = report_request(
            name,
            book=book,
            start=date_from.date() if date_from else None,
            end=date_to.date() if date_to else None,
            today=clock.today(),
        )
        return await service.render(wanted, chosen)

    try:
        rendered = run_with_current_db(work)
    except LedgerError as exc:
        raise click.ClickException(f"{exc.field or 'report'}: {exc.message}") from None
    path = Path(out or rendered.filename)
    path.write_bytes(rendered.content)
    click.echo(f"{path}: {len(rendered.content)} bytes, content sha256 {rendered.content_hash}")
