"""Claims rows as typed records, handed out by the repository (policy years, events, documents,
transitions and payments so far; claims and their lines are still ``repository.Row`` dicts)."""

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


class PaymentFields(Record, frozen=True):
    """What every view of a payment shows: its kind, amount, bank reference, day, entry and payer."""

    kind: str
    fen: int
    reference: str
    paid_on: dt.date
    journal_seq: int
    paid_by: str


class PaymentRecord(PaymentFields, frozen=True, rename={"claim_id": "claim"}):
    """A payment on a claim and its journal entry (``claims_payment``)."""

    id: int
    claim_id: int
    created_at: dt.datetime


class DailyPayment(PaymentRecord, frozen=True):
    """A payment of the daily list, with its claim's number, peril and claimant."""

    claim_no: str
    peril: str
    claimant_name: str


class ClaimPayment(PaymentFields, frozen=True):
    """A payment as the claim shows it: with the claim's status and what the claim had paid up to it."""

    claim_no: str
    claim_status: str
    claim_paid: int
