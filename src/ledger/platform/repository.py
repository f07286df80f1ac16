"""Every query of the platform tables."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from ledger.core.records import json_default, record_of, records_of
from ledger.platform.domain import LoginFailures
from ledger.platform.records import AuditRecord, JobRunRecord, UserRecord, UserSummary
from ledger.platform.tables import AppUser, AuditEvent, IdempotencyRecord, JobRun, LoginFailure


class UserRepository:
    """Users and their sign-in state."""

    async def by_username(self, username: str) -> dict[str, Any] | None:
        """The user row called ``username``, or ``None``."""
        row: dict[str, Any] | None = await AppUser.select().where(AppUser.username == username).first()
        return row

    async def by_id(self, user_id: int) -> UserRecord | None:
        """The user with ``user_id``, or ``None``."""
        row = await AppUser.select().where(AppUser.id == user_id).first()
        return None if row is None else record_of(UserRecord, row)

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

    async def set_locale(self, user_id: int, locale: str) -> None:
        """Remember the user's workbench language."""
        await AppUser.update({AppUser.locale: locale}).where(AppUser.id == user_id)

    async def end_sessions(self, user_id: int) -> None:
        """Bump the user's session version, so every page session begun before ends."""
        await AppUser.update({AppUser.session_version: AppUser.session_version + 1}).where(
            AppUser.id == user_id
        )

    async def all(self) -> list[UserSummary]:
        """Every user, by name."""
        rows = await AppUser.select(
            AppUser.id, AppUser.username, AppUser.full_name, AppUser.role, AppUser.active
        ).order_by(AppUser.username)
        return records_of(UserSummary, rows)


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
                before=json.dumps(before, ensure_ascii=False, sort_keys=True, default=json_default),
                after=json.dumps(after, ensure_ascii=False, sort_keys=True, default=json_default),
                request_id=request_id,
            )
        )

    async def search(
        self, *, object_type: str | None, object_id: str | None, actor: str | None, limit: int, offset: int
    ) -> tuple[list[AuditRecord], int]:
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
        return records_of(AuditRecord, await query.limit(limit).offset(offset)), int(await count)


class IdempotencyRepository:
    """Stored first answers of idempotent POSTs, written in the transaction of the request's effect."""

    async def find(self, scope_key: str, not_before: dt.datetime) -> dict[str, Any] | None:
        """The answer stored for ``scope_key`` at or after ``not_before``, or ``None``."""
        row: dict[str, Any] | None = (
            await IdempotencyRecord.select()
            .where((IdempotencyRecord.scope_key == scope_key) & (IdempotencyRecord.created_at >= not_before))
            .first()
        )
        return row

    async def add(
        self,
        scope_key: str,
        request_hash: str,
        *,
        status_code: int,
        body: bytes,
        content_type: str,
        now: dt.datetime,
        not_before: dt.datetime,
    ) -> None:
        """Store the answer of ``scope_key``, replacing one from before ``not_before``.

        A valid answer stored meanwhile fails the insert (unique key), and with it the transaction.
        """
        await IdempotencyRecord.delete().where(
            (IdempotencyRecord.scope_key == scope_key) & (IdempotencyRecord.created_at < not_before)
        )
        await IdempotencyRecord.insert(
            IdempotencyRecord(
                scope_key=scope_key,
                request_hash=request_hash,
                status_code=status_code,
                response_body=body.decode("utf-8"),
                content_type=content_type,
                created_at=now,
            )
        )

    async def purge_before(self, cutoff: dt.datetime) -> int:
        """Delete records created before ``cutoff``; return how many."""
        rows = (
            await IdempotencyRecord.delete()
            .where(IdempotencyRecord.created_at < cutoff)
            .returning(IdempotencyRecord.id)
        )
        return len(rows)


class JobRunRepository:
    """Job runs keyed ``job:period``, each held by one process under a lease while it runs."""

    async def claim(
        self, *, key: str, job: str, period: str, holder: str, now: dt.datetime, lease_until: dt.datetime
    ) -> bool:
        """Start the run ``key`` for ``holder`` unless it ran or is running.

        A failed or abandoned run is taken over for another attempt.
        """
        rows = (
            await JobRun.insert(
                JobRun(
                    key=key,
                    job=job,
                    period=period,
                    status="running",
                    started_at=now,
                    holder=holder,
                    lease_until=lease_until,
                )
            )
            .on_conflict(target=JobRun.key, action="DO NOTHING")
            .returning(JobRun.id)
        )
        if rows:
            return True
        retried = (
            await JobRun.update(
                {
                    JobRun.status: "running",
                    JobRun.started_at: now,
                    JobRun.finished_at: None,
                    JobRun.attempts: JobRun.attempts + 1,
                    JobRun.holder: holder,
                    JobRun.lease_until: lease_until,
                }
            )
            .where((JobRun.key == key) & JobRun.status.is_in(["failed", "abandoned"]))
            .returning(JobRun.id)
        )
        return bool(retried)

    async def renew(self, key: str, *, holder: str, lease_until: dt.datetime) -> bool:
        """Extend ``holder``'s lease on the running ``key``; ``False`` if the run is no longer theirs."""
        rows = (
            await JobRun.update({JobRun.lease_until: lease_until})
            .where(_held(key, holder))
            .returning(JobRun.id)
        )
        return bool(rows)

    async def end(self, key: str, *, holder: str, status: str, result: str, now: dt.datetime) -> bool:
        """End ``holder``'s run ``key`` as done, failed or abandoned; ``False`` if it was no longer theirs."""
        rows = (
            await JobRun.update(
                {
                    JobRun.status: status,
                    JobRun.result: result,
                    JobRun.finished_at: now,
                    JobRun.lease_until: None,
                }
            )
            .where(_held(key, holder))
            .returning(JobRun.id)
        )
        return bool(rows)

    async def with_status(self, status: str) -> list[JobRunRecord]:
        """The runs in ``status``, oldest first."""
        return records_of(
            JobRunRecord, await JobRun.select().where(JobRun.status == status).order_by(JobRun.id)
        )

    async def recent(self, job: str | None, limit: int = 50) -> list[JobRunRecord]:
        """The latest runs, newest first."""
        query = JobRun.select().order_by(JobRun.id, ascending=False).limit(limit)
        if job:
            query = query.where(JobRun.job == job)
        return records_of(JobRunRecord, await query)


def _held(key: str, holder: str) -> Any:
    """The running run ``key`` as long as ``holder`` holds it."""
    return (JobRun.key == key) & (JobRun.holder == holder) & (JobRun.status == "running")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the audit trail is filtered by; ``None`` leaves a criterion out.

    Args:
        actor: the username that acted (exact).
        action: the action, e.g. ``claim.approve`` (exact).
        object_type: the kind of object (one of ``AUDIT_OBJECT_TYPES``).
        object_id: the object's id or number (exact).
        since: the first instant included.
        before: the first instant no longer included.
    """

    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: dt.datetime | None = None
    before: dt.datetime | None = None


class AuditTrailRepository:
    """The audit trail as the auditor's desk reads it: every filter, and the actions to choose from."""

    async def filtered(
        self, wanted: AuditFilter, *, limit: int, offset: int
    ) -> tuple[list[AuditRecord], int]:
        """Audit rows newest first that match ``wanted``; and how many match in all."""
        query = AuditEvent.select().order_by(AuditEvent.id, ascending=False)
        count = AuditEvent.count()
        for column, value in (
            (AuditEvent.actor, wanted.actor),
            (AuditEvent.action, wanted.action),
            (AuditEvent.object_type, wanted.object_type),
            (AuditEvent.object_id, wanted.object_id),
        ):
            if value is not None:
                query = query.where(column == value)
                count = count.where(column == value)
        if wanted.since is not None:
            query = query.where(AuditEvent.at >= wanted.since)
            count = count.where(AuditEvent.at >= wanted.since)
        if wanted.before is not None:
            query = query.where(AuditEvent.at < wanted.before)
            count = count.where(AuditEvent.at < wanted.before)
        return records_of(AuditRecord, await query.limit(limit).offset(offset)), int(await count)

    async def actions(self) -> list[str]:
        """Every action the trail holds, alphabetically."""
        rows = await AuditEvent.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
        return [row["action"] for row in rows]
