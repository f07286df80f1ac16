"""Platform rows as typed records, handed out by the repository."""

from __future__ import annotations

import datetime as dt

from ledger.core.records import Record


class UserRecord(Record, frozen=True):
    """A user (``app_user``)."""

    id: int
    username: str
    full_name: str
    role: str
    password_hash: str
    active: bool
    failed_logins: int
    locked_until: dt.datetime | None
    created_at: dt.datetime
    locale: str
    session_version: int


class UserSummary(Record, frozen=True):
    """A user without the password hash, as the user list shows it."""

    id: int
    username: str
    full_name: str
    role: str
    active: bool


class AuditRecord(Record, frozen=True):
    """One audit row (``audit_event``); ``before`` and ``after`` are the JSON text as stored."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: str
    after: str
    request_id: str


class JobRunFields(Record, frozen=True):
    """What a run of a scheduled job says of itself; the API's ``JobRunView`` shows just these."""

    key: str
    job: str
    period: str
    status: str
    attempts: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    result: str
    holder: str
    lease_until: dt.datetime | None


class JobRunRecord(JobRunFields, frozen=True):
    """One run of a scheduled job (``job_run``)."""

    id: int
