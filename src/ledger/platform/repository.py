"""Every query of the platform tables."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ledger.platform.domain import LoginFailures
from ledger.platform.tables import AppUser, AuditEvent, IdempotencyRecord, JobRun, LoginFailure


class UserRepository:
    """Users and their sign-in state."""

    async def by_username(self, username: str) -> dict[str, Any] | None:
        """The user row called ``username``, or ``None``."""
        row: dict[str, Any] | None = await AppUser.select().where(AppUser.username == username).first()
        return row

    async def by_id(self, user_id: int) -> dict[str, Any] | None:
        """The user row with ``user_id``, or ``None``."""
        row: dict[str, Any] | None = await AppUser.select().where(AppUser.id == user_id).first()
        return row

    async def add(
        self, *, username: str, full_name: str, role: str, password_hash: str, now: dt.datetime
    ) -> int:
        """Insert a user and return its id."""
        rows = await AppUser.insert(
            AppUser(
                username=username, full_name=full_name, role=role, password_hash=password_hash, created_at=now
            )
        ).returning(AppUser.id)
        return int(rows[0]["id"])

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash."""
        await AppUser.update({AppUser.password_hash: password_hash}).where(AppUser.id == user_id)

    async def all(self) -> list[dict[str, Any]]:
        """Every user, by name."""
        rows: list[dict[str, Any]] = await AppUser.select(
            AppUser.id, AppUser.username, AppUser.full_name, AppUser.role, AppUser.active
        ).order_by(AppUser.username)
        return rows


class LoginFailureRepository:
    """Failed sign-ins in a row per login key, for users that exist or not."""

    async def get(self, key: str) -> LoginFailures | None:
        """The failures under ``key``, or ``None``."""
        row = await LoginFailure.select().where(LoginFailure.username_key == key).first()
        if row is None:
            return None
        return LoginFailures(
            failures=int(row["failures"]),
            last_failed_at=_aware(row["last_failed_at"]),
            locked_until=None if row["locked_until"] is None else _aware(row["locked_until"]),
        )

    async def save(self, key: str, state: LoginFailures) -> None:
        """Store the failures under ``key`` (inside a write transaction that serialises the key)."""
        updated = (
            await LoginFailure.update(
                {
                    LoginFailure.failures: state.failures,
                    LoginFailure.last_failed_at: state.last_failed_at,
                    LoginFailure.locked_until: state.locked_until,
                }
            )
            .where(LoginFailure.username_key == key)
            .returning(LoginFailure.id)
        )
        if not updated:
            await LoginFailure.insert(
                LoginFailure(
                    username_key=key,
                    failures=state.failures,
                    last_failed_at=state.last_failed_at,
                    locked_until=state.locked_until,
                )
            )

    async def clear(self, key: str) -> None:
        """Forget the failures under ``key`` after a successful sign-in."""
        await LoginFailure.delete().where(LoginFailure.username_key == key)

    async def purge(self, *, failed_before: dt.datetime, now: dt.datetime) -> None:
        """Forget keys whose last failure is before ``failed_before`` and which are not locked at ``now``.

        Such failures no longer count (``domain.after_failure``), so names tried once do not pile up.
        """
        await LoginFailure.delete().where(
            (LoginFailure.last_failed_at < failed_before)
            & (LoginFailure.locked_until.is_null() | (LoginFailure.locked_until <= now))
        )


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive UTC datetimes; make them comparable with aware ones."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class AuditRepository:
    """The append-only audit trail."""

    async def add(
        self,
        *,
        at: dt.datetime,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        before: object,
        after: object,
        request_id: str,
    ) -> None:
        """Append one audit row; ``before``/``after`` are JSON-serialisable snapshots."""
        await AuditEvent.insert(
            AuditEvent(
                at=at,
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=object_id,
                before=json.dumps(before, ensure_ascii=False, sort_keys=True, default=str),
                after=json.dumps(after, ensure_ascii=False, sort_keys=True, default=str),
                request_id=request_id,
            )
        )

    async def search(
        self, *, object_type: str | None, object_id: str | None, actor: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Audit rows newest first, filtered; and how many match in all."""
        query = AuditEvent.select().order_by(AuditEvent.id, ascending=False)
        count = AuditEvent.count()
        for column, value in (
            (AuditEvent.object_type, object_type),
            (AuditEvent.object_id, object_id),
            (AuditEvent.actor, actor),
        ):
            if value is not None:
                query = query.where(column == value)
                count = count.where(column == value)
        rows: list[dict[str, Any]] = await query.limit(limit).offset(offset)
        return rows, int(await count)


class IdempotencyRepository:
    """Stored first responses of idempotent POSTs."""

    async def claim(self, scope_key: str, request_hash: str, now: dt.datetime) -> dict[str, Any] | None:
        """Reserve ``scope_key``; return ``None`` when reserved now, else the existing record."""
        rows = (
            await IdempotencyRecord.insert(
                IdempotencyRecord(scope_key=scope_key, request_hash=request_hash, created_at=now)
            )
            .on_conflict(target=IdempotencyRecord.scope_key, action="DO NOTHING")
            .returning(IdempotencyRecord.id)
        )
        if rows:
            return None
        existing: dict[str, Any] | None = (
            await IdempotencyRecord.select().where(IdempotencyRecord.scope_key == scope_key).first()
        )
        return existing

    async def complete(self, scope_key: str, status_code: int, body: bytes, content_type: str) -> None:
        """Store the response of a reserved key."""
        await IdempotencyRecord.update(
            {
                IdempotencyRecord.status_code: status_code,
                IdempotencyRecord.response_body: body.decode("utf-8"),
                IdempotencyRecord.content_type: content_type,
            }
        ).where(IdempotencyRecord.scope_key == scope_key)

    async def release(self, scope_key: str) -> None:
        """Forget a reserved key whose request failed, so a retry runs again."""
        await IdempotencyRecord.delete().where(IdempotencyRecord.scope_key == scope_key)

    async def purge_before(self, cutoff: dt.datetime) -> int:
        """Delete records created before ``cutoff``; return how many."""
        rows = (
            await IdempotencyRecord.delete()
            .where(IdempotencyRecord.created_at < cutoff)
            .returning(IdempotencyRecord.id)
        )
        return len(rows)


class JobRunRepository:
    """Job runs keyed ``job:period``."""

    async def claim(self, *, key: str, job: str, period: str, now: dt.datetime) -> bool:
        """Start the run ``key`` unless it ran or is running; a failed run is taken over for a retry."""
        rows = (
            await JobRun.insert(JobRun(key=key, job=job, period=period, status="running", started_at=now))
            .on_conflict(target=JobRun.key, action="DO NOTHING")
            .returning(JobRun.id)
        )
        if rows:
            return True
        retried = (
            await JobRun.update(
                {JobRun.status: "running", JobRun.started_at: now, JobRun.attempts: JobRun.attempts + 1}
            )
            .where((JobRun.key == key) & (JobRun.status == "failed"))
            .returning(JobRun.id)
        )
        return bool(retried)

    async def finish(self, key: str, *, status: str, result: str, now: dt.datetime) -> None:
        """Mark the run ``key`` done or failed with its result text."""
        await JobRun.update({JobRun.status: status, JobRun.result: result, JobRun.finished_at: now}).where(
            JobRun.key == key
        )

    async def recent(self, job: str | None, limit: int = 50) -> list[dict[str, Any]]:
        """The latest runs, newest first."""
        query = JobRun.select().order_by(JobRun.id, ascending=False).limit(limit)
        if job:
            query = query.where(JobRun.job == job)
        rows: list[dict[str, Any]] = await query
        return rows

    async def latest_done(self, job: str) -> dict[str, Any] | None:
        """The last successful run of ``job``."""
        row: dict[str, Any] | None = (
            await JobRun.select()
            .where((JobRun.job == job) & (JobRun.status == "done"))
            .order_by(JobRun.id, ascending=False)
            .first()
        )
        return row
