"""Tables of the platform: users, failed sign-ins, the append-only audit trail, idempotency keys and
job runs."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class AppUser(Table, tablename="app_user"):
    """A person who signs in; ``role`` is one of ``ledger.platform.domain.Role``."""

    id = Serial(primary_key=True)
    username = Varchar(length=64, unique=True)
    full_name = Varchar(length=100, default="")
    role = Varchar(length=16)
    password_hash = Text()
    active = Boolean(default=True)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    #: the workbench language the user chose (``ledger.web.i18n.LOCALES``); empty: not chosen yet
    locale = Varchar(length=8, default="")
    #: page sessions carry the version they began under; signing out or a new password bumps it
    session_version = Integer(default=0)


class LoginFailure(Table, tablename="login_failure"):
    """Failed sign-ins in a row under one login key (``domain.login_key``), whether or not a user of
    that name exists; a row is removed by a successful sign-in, or once it is old and unlocked."""

    id = Serial(primary_key=True)
    username_key = Varchar(length=64, unique=True)
    failures = Integer(default=0)
    last_failed_at = Timestamptz(index=True)
    locked_until = Timestamptz(null=True, default=None)


class AuditEvent(Table, tablename="audit_event"):
    """One state change: who did what to which object, and the object before and after (JSON)."""

    id = Serial(primary_key=True)
    at = Timestamptz()
    actor = Varchar(length=64, index=True)
    action = Varchar(length=64)
    object_type = Varchar(length=32, index=True)
    object_id = Varchar(length=64, index=True)
    before = Text(default="null")
    after = Text(default="null")
    request_id = Varchar(length=40, default="")


class IdempotencyRecord(Table, tablename="idempotency_record"):
    """The first response to a POST carrying an ``Idempotency-Key``, replayed for retries."""

    id = Serial(primary_key=True)
    scope_key = Varchar(length=300, unique=True)
    request_hash = Varchar(length=64)
    status_code = Integer(default=0)
    response_body = Text(default="")
    content_type = Varchar(length=100, default="")
    created_at = Timestamptz()


class JobRun(Table, tablename="job_run"):
    """One run of a scheduled job for one period; the unique ``key`` (``job:period``) runs it once.

    ``status`` is ``running``, ``done``, ``failed`` or ``abandoned`` (its holder died or its lease
    ran out: the period may run again). ``holder`` names the process running it
    (``ledger.platform.leases.Holder``), which renews ``lease_until`` while it works.
    """

    id = Serial(primary_key=True)
    key = Varchar(length=96, unique=True)
    job = Varchar(length=64, index=True)
    period = Varchar(length=32)
    status = Varchar(length=16)
    attempts = Integer(default=1)
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    result = Text(default="")
    holder = Varchar(length=300, default="")
    lease_until = Timestamptz(null=True, default=None)
