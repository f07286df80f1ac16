"""Typed records: what a repository hands back for a row, and how a record is written into the audit.

A record is a frozen msgspec Struct whose fields are the table's columns. A foreign key column keeps
its column name in the row (``fund``) and gets an ``_id`` attribute (``fund_id``) through the Struct's
``rename``, so rows decode by column name and schemas convert from attributes by the API's names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import msgspec


class Record(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every row record."""


R = TypeVar("R", bound=Record)
V = TypeVar("V", bound=msgspec.Struct)


def record_of(kind: type[R], row: Mapping[str, Any]) -> R:
    """The row as a ``kind`` (SQLite hands back booleans as 0 and 1, hence not strict)."""
    return msgspec.convert(row, kind, strict=False)


def records_of(kind: type[R], rows: Iterable[Mapping[str, Any]]) -> list[R]:
    """Each row as a ``kind``."""
    return [record_of(kind, row) for row in rows]


def snapshot(record: Record) -> dict[str, Any]:
    """The record as a dict by column name, as the audit trail stores it.

    Dates and times stay objects, so the audit writes them as it writes any other (``str`` of them).
    """
    value: dict[str, Any] = msgspec.to_builtins(record, builtin_types=(dt.datetime, dt.date, Decimal))
    return value


def json_default(value: object) -> object:
    """``json.dumps``'s ``default``: a record as its :func:`snapshot`, anything else as ``str``."""
    return snapshot(value) if isinstance(value, Record) else str(value)


def view(kind: type[V], record: Record, **extra: object) -> V:
    """A response ``kind`` made from ``record``: the fields of the same name, and ``extra`` for the ones
    it presents anew (money as decimal strings, decoded JSON, a record's children)."""
    if not extra:
        return msgspec.convert(record, kind, from_attributes=True)
    return msgspec.convert({**msgspec.structs.asdict(record), **extra}, kind)
