"""Request and response bodies of the platform routes."""

from __future__ import annotations

import json
from typing import Annotated, Any

import msgspec

from ledger.core.records import view
from ledger.platform.records import AuditRecord, JobRunFields
from ledger.web.choices import JobName, RoleName


class TokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Credentials for a token."""

    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Token(msgspec.Struct):
    """A short-lived bearer token."""

    access_token: str
    token_type: str
    expires_in: int


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new user; the password must have at least 8 characters."""

    username: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_.-]{1,63}$")]
    role: RoleName
    password: Annotated[str, msgspec.Meta(min_length=8, max_length=200)]
    full_name: Annotated[str, msgspec.Meta(max_length=100)] = ""


class User(msgspec.Struct):
    """A user as shown to administrators."""

    id: int
    username: str
    full_name: str
    role: RoleName
    active: bool


class AuditEntry(AuditRecord, frozen=True):
    """One audit row."""

    # the record's columns, with the snapshots decoded from their JSON text
    before: Any
    after: Any

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEntry:
        """From an audit record, its snapshots decoded."""
        return view(cls, record, before=json.loads(record.before), after=json.loads(record.after))


class Page(msgspec.Struct):
    """A page of results and how many there are in all."""

    items: list[Any]
    total: int
    limit: int
    offset: int


class JobRunView(JobRunFields, frozen=True):
    """One run of a scheduled job: ``running`` (under ``holder``'s lease until ``lease_until``),
    ``done``, ``failed`` or ``abandoned`` (its process died or its lease ran out; it runs again)."""

    job: JobName  # the record's field, marked as one of the scheduled jobs
