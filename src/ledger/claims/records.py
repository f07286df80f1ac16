"""Claims rows as typed records, handed out by the repository (policy years, events, documents and
transitions so far; claims, their lines and payments are still ``repository.Row`` dicts)."""

from __future__ import annotations

import datetime as dt

from ledger.core.records import Record


class PolicyYearRecord(Record, frozen=True):
    """One year's policy (``claims_policy_year``)."""

    id: int
    code: str
    insurer: str
    policyholder: str
    starts: dt.date
    ends: dt.date
    insured_population: int
    premium_fen: int
    created_at: dt.datetime


class EventRecord(Record, frozen=True, rename={"policy_year_id": "policy_year"}):
    """An insured event (``claims_event``) with the code of its policy year."""

    id: int
    event_no: str
    policy_year_id: int
    policy_year_code: str
    incident_date: dt.date
    street: str
    place: str
    peril: str
    description: str
    authority: str
    certificate_no: str
    created_by: str
    created_at: dt.datetime


class TransitionRecord(Record, frozen=True, rename={"claim_id": "claim"}):
    """One status change of a claim (``claims_transition``)."""

    id: int
    claim_id: int
    action: str
    from_status: str
    to_status: str
    actor: str
    at: dt.datetime
    reason: str


class DocumentRecord(Record, frozen=True, rename={"claim_id": "claim"}):
    """A document of a claim (``claims_document``): an upload by its sha256, or a paper original."""

    id: int
    claim_id: int
    doc_type: str
    sha256: str
    size: int
    content_type: str
    received_at: dt.datetime
    received_by: str
    verified_at: dt.datetime | None
    verified_by: str | None
