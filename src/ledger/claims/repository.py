"""Every query of the claims tables. Rows go in and out as dicts; money stays integer fen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import Where
from piccolo.query import Sum
from piccolo.query.functions.aggregate import Count

from ledger.claims.records import (
    DailyPayment,
    DocumentRecord,
    EventRecord,
    PaymentRecord,
    PolicyYearRecord,
    TransitionRecord,
)
from ledger.claims.tables import (
    ClaimLineRow,
    ClaimRow,
    DocumentRow,
    EventRow,
    PaymentRow,
    PolicyYearRow,
    PremiumReceipt,
    TransitionRow,
)
from ledger.core.records import Record, record_of, records_of

Row = dict[str, Any]


async def _sum(column: Any, *where: Any) -> int:
    """``SUM(column)`` of the rows matching ``where`` (0 when none); integers only, never money floats."""
    query = column._meta.table.select(Sum(column).as_alias("total"))
    for clause in where:
        query = query.where(clause)
    row = await query.first()
    return int(row["total"] or 0) if row else 0


class PolicyYearRepository:
    """Policy years and premium receipts."""

    async def by_code(self, code: str) -> PolicyYearRecord | None:
        """The policy year ``code``, or ``None``."""
        row = await PolicyYearRow.select().where(PolicyYearRow.code == code).first()
        return None if row is None else record_of(PolicyYearRecord, row)

    async def add(self, **values: Any) -> int:
        """Insert a policy year; return its id."""
        rows = await PolicyYearRow.insert(PolicyYearRow(**values)).returning(PolicyYearRow.id)
        return int(rows[0]["id"])

    async def premium_received(self, year_id: int) -> int:
        """The premium received so far for a policy year, in fen."""
        return await _sum(PremiumReceipt.fen, PremiumReceipt.policy_year == year_id)

    async def has_receipt(self, reference: str) -> bool:
        """Whether a premium receipt with ``reference`` is recorded."""
        return bool(await PremiumReceipt.exists().where(PremiumReceipt.reference == reference))

    async def add_receipt(self, **values: Any) -> int:
        """Insert a premium receipt; return its id."""
        rows = await PremiumReceipt.insert(PremiumReceipt(**values)).returning(PremiumReceipt.id)
        return int(rows[0]["id"])

    async def set_receipt_seq(self, receipt_id: int, seq: int) -> None:
        """Store the journal entry of a receipt."""
        await PremiumReceipt.update({PremiumReceipt.journal_seq: seq}).where(PremiumReceipt.id == receipt_id)


_EVENT_COLUMNS = (*EventRow.all_columns(), EventRow.policy_year.code.as_alias("policy_year_code"))


class EventRepository:
    """Insured events."""

    async def count_numbered(self, prefix: str) -> int:
        """How many events have a number starting with ``prefix``."""
        return int(await EventRow.count().where(EventRow.event_no.like(prefix + "%")))

    async def add(self, **values: Any) -> int:
        """Insert an event; return its id."""
        rows = await EventRow.insert(EventRow(**values)).returning(EventRow.id)
        return int(rows[0]["id"])

    async def by_no(self, event_no: str) -> EventRecord | None:
        """The event ``event_no``, or ``None``."""
        row = await EventRow.select(*_EVENT_COLUMNS).where(EventRow.event_no == event_no).first()
        return None if row is None else record_of(EventRecord, row)

    async def search(
        self,
        *,
        peril: str | None,
        street: str | None,
        date_from: dt.date | None,
        date_to: dt.date | None,
        limit: int,
        offset: int,
    ) -> tuple[list[EventRecord], int]:
        """Events newest first, filtered; and how many match in all."""
        clauses = [
            clause
            for clause in (
                EventRow.peril == peril if peril else None,
                EventRow.street == street if street else None,
                EventRow.incident_date >= date_from if date_from else None,
                EventRow.incident_date <= date_to if date_to else None,
            )
            if clause is not None
        ]
        query = EventRow.select(*_EVENT_COLUMNS).order_by(EventRow.id, ascending=False)
        count = EventRow.count()
        for clause in clauses:
            query = query.where(clause)
            count = count.where(clause)
        rows = await query.limit(limit).offset(offset)
        return records_of(EventRecord, rows), int(await count)


@dataclass(frozen=True, slots=True)
class ClaimFilter:
    """Search criteria of the claims list; ``None`` means any."""

    status: str | None = None
    peril: str | None = None
    street: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    victim_id: str | None = None
    overdue: bool | None = None
    event_no: str | None = None
    statuses: tuple[str, ...] = ()
    registered_by: str | None = None
    claim_no: str | None = None
    victim_name: str | None = None

    def clauses(self) -> list[Where]:
        """The WHERE clauses of these criteria."""
        candidates = (
            ClaimRow.status == self.status if self.status else None,
            ClaimRow.status.is_in(list(self.statuses)) if self.statuses else None,
            ClaimRow.registered_by == self.registered_by if self.registered_by else None,
            ClaimRow.claim_no == self.claim_no if self.claim_no else None,
            ClaimRow.victim_name == self.victim_name if self.victim_name else None,
            ClaimRow.peril == self.peril if self.peril else None,
            ClaimRow.event.street == self.street if self.street else None,
            ClaimRow.incident_date >= self.date_from if self.date_from else None,
            ClaimRow.incident_date <= self.date_to if self.date_to else None,
            ClaimRow.victim_id == self.victim_id if self.victim_id else None,
            ClaimRow.overdue == self.overdue if self.overdue is not None else None,
            ClaimRow.event.event_no == self.event_no if self.event_no else None,
        )
        return [clause for clause in candidates if clause is not None]


_CLAIM_COLUMNS = (
    *ClaimRow.all_columns(),
    ClaimRow.event.event_no.as_alias("event_no"),
    ClaimRow.event.street.as_alias("street"),
    ClaimRow.policy_year.code.as_alias("policy_year_code"),
)


class ClaimRepository:
    """Claims, their lines, documents, transitions and payments."""

    async def count_numbered(self, prefix: str) -> int:
        """How many claims have a number starting with ``prefix``."""
        return int(await ClaimRow.count().where(ClaimRow.claim_no.like(prefix + "%")))

    async def add(self, **values: Any) -> int:
        """Insert a claim; return its id."""
        rows = await ClaimRow.insert(ClaimRow(**values)).returning(ClaimRow.id)
        return int(rows[0]["id"])

    async def by_no(self, claim_no: str) -> Row | None:
        """The claim ``claim_no`` with its event number, street and policy-year code, or ``None``."""
        row: Row | None = await ClaimRow.select(*_CLAIM_COLUMNS).where(ClaimRow.claim_no == claim_no).first()
        return row

    async def update(self, claim_id: int, values: dict[str, Any]) -> None:
        """Set ``values`` (column name -> value) on a claim."""
        await ClaimRow.update({getattr(ClaimRow, name): value for name, value in values.items()}).where(
            ClaimRow.id == claim_id
        )

    async def of_victim(self, victim_id: str) -> list[Row]:
        """Every claim of a victim, oldest first (for the duplicate check)."""
        return await self.of_victims([victim_id])

    async def of_victims(self, victim_ids: Iterable[str]) -> list[Row]:
        """Every claim of these victims, oldest first (for the duplicate check of a queue)."""
        rows: list[Row] = (
            await ClaimRow.select(
                ClaimRow.claim_no,
                ClaimRow.victim_id,
                ClaimRow.event,
                ClaimRow.peril,
                ClaimRow.incident_date,
                ClaimRow.status,
                ClaimRow.duplicate_of,
            )
            .where(ClaimRow.victim_id.is_in(list(victim_ids) or [""]))
            .order_by(ClaimRow.id)
        )
        return rows

    async def of_event(self, event_id: int, statuses: Iterable[str]) -> list[Row]:
        """The claims of an event in ``statuses``, by id."""
        rows: list[Row] = (
            await ClaimRow.select(*_CLAIM_COLUMNS)
            .where(ClaimRow.event == event_id, ClaimRow.status.is_in(list(statuses)))
            .order_by(ClaimRow.id)
        )
        return rows

    async def search(self, criteria: ClaimFilter, *, limit: int, offset: int) -> tuple[list[Row], int]:
        """Claims newest first matching ``criteria``; and how many match in all."""
        query = ClaimRow.select(*_CLAIM_COLUMNS).order_by(ClaimRow.id, ascending=False)
        count = ClaimRow.count()
        for clause in criteria.clauses():
            query = query.where(clause)
            count = count.where(clause)
        rows: list[Row] = await query.limit(limit).offset(offset)
        return rows, int(await count)

    async def status_counts(self, criteria: ClaimFilter) -> dict[str, int]:
        """How many claims matching ``criteria`` are in each status (statuses with none are left out)."""
        query = ClaimRow.select(ClaimRow.status, Count(ClaimRow.id, alias="n")).group_by(ClaimRow.status)
        for clause in criteria.clauses():
            query = query.where(clause)
        return {str(row["status"]): int(row["n"]) for row in await query}

    async def overdue_candidates(self, statuses: Sequence[str]) -> list[Row]:
        """Claims in ``statuses`` (those with a running clock), oldest first, with what the clocks need."""
        rows: list[Row] = (
            await ClaimRow.select(
                ClaimRow.id,
                ClaimRow.claim_no,
                ClaimRow.status,
                ClaimRow.decision_due,
                ClaimRow.payment_due,
                ClaimRow.documents_complete_on,
                ClaimRow.paused_days,
                ClaimRow.rejected_on,
                ClaimRow.overdue,
                ClaimRow.overdue_reasons,
            )
            .where(ClaimRow.status.is_in(list(statuses)))
            .order_by(ClaimRow.id)
        )
        return rows

    # -- limit usage ----------------------------------------------------------------------------

    async def used(self, statuses: Sequence[str], exclude_claim: int, *where: Any) -> int:
        """Payable fen of lines on claims in ``statuses``, not ``exclude_claim``, matching ``where``."""
        return await _sum(
            ClaimLineRow.payable_fen,
            ClaimLineRow.claim.status.is_in(list(statuses)),
            ClaimLineRow.claim != exclude_claim,
            *where,
        )

    # -- lines ------------------------------------------------------------------------------------

    async def add_lines(self, claim_id: int, lines: Sequence[dict[str, Any]]) -> None:
        """Insert the benefit lines of a claim."""
        await ClaimLineRow.insert(*(ClaimLineRow(claim=claim_id, **line) for line in lines))

    async def lines(self, claim_id: int) -> list[Row]:
        """The lines of a claim in order."""
        rows: list[Row] = (
            await ClaimLineRow.select().where(ClaimLineRow.claim == claim_id).order_by(ClaimLineRow.position)
        )
        return rows

    async def update_line(self, line_id: int, values: dict[str, Any]) -> None:
        """Set ``values`` on one line."""
        await ClaimLineRow.update(
            {getattr(ClaimLineRow, name): value for name, value in values.items()}
        ).where(ClaimLineRow.id == line_id)

    async def replace_lines(self, claim_id: int, lines: Sequence[dict[str, Any]]) -> None:
        """Replace the (not yet assessed) lines of a claim."""
        await ClaimLineRow.delete().where(ClaimLineRow.claim == claim_id)
        await self.add_lines(claim_id, lines)

    # -- documents --------------------------------------------------------------------------------

    async def add_document(self, **values: Any) -> int:
        """Insert a document row; return its id."""
        rows = await DocumentRow.insert(DocumentRow(**values)).returning(DocumentRow.id)
        return int(rows[0]["id"])

    async def documents(self, claim_id: int) -> list[DocumentRecord]:
        """The documents of a claim, oldest first."""
        rows = await DocumentRow.select().where(DocumentRow.claim == claim_id).order_by(DocumentRow.id)
        return records_of(DocumentRecord, rows)

    async def document(self, claim_id: int, document_id: int) -> DocumentRecord | None:
        """One document of a claim, or ``None``."""
        row = (
            await DocumentRow.select()
            .where(DocumentRow.claim == claim_id, DocumentRow.id == document_id)
            .first()
        )
        return None if row is None else record_of(DocumentRecord, row)

    async def verify_document(self, document_id: int, by: str, at: dt.datetime) -> None:
        """Mark a document verified."""
        await DocumentRow.update({DocumentRow.verified_by: by, DocumentRow.verified_at: at}).where(
            DocumentRow.id == document_id
        )

    # -- transitions and payments -----------------------------------------------------------------

    async def add_transition(self, **values: Any) -> None:
        """Record a status change."""
        await TransitionRow.insert(TransitionRow(**values))

    async def transitions(self, claim_id: int) -> list[TransitionRecord]:
        """The status changes of a claim, oldest first."""
        rows = await TransitionRow.select().where(TransitionRow.claim == claim_id).order_by(TransitionRow.id)
        return records_of(TransitionRecord, rows)

    async def has_payment(self, reference: str) -> bool:
        """Whether a payment with ``reference`` is recorded."""
        return bool(await PaymentRow.exists().where(PaymentRow.reference == reference))

    async def count_payments(self, claim_id: int) -> int:
        """How many payments a claim has."""
        return int(await PaymentRow.count().where(PaymentRow.claim == claim_id))

    async def add_payment(self, **values: Any) -> int:
        """Insert a payment; return its id."""
        rows = await PaymentRow.insert(PaymentRow(**values)).returning(PaymentRow.id)
        return int(rows[0]["id"])

    async def set_payment_seq(self, payment_id: int, seq: int) -> None:
        """Store the journal entry of a payment."""
        await PaymentRow.update({PaymentRow.journal_seq: seq}).where(PaymentRow.id == payment_id)

    async def payments(self, claim_id: int) -> list[PaymentRecord]:
        """The payments of a claim, oldest first."""
        rows = await PaymentRow.select().where(PaymentRow.claim == claim_id).order_by(PaymentRow.id)
        return records_of(PaymentRecord, rows)

    async def payments_on(self, day: dt.date) -> list[DailyPayment]:
        """The payments made on ``day`` with their claim's number, peril and claimant, oldest first."""
        rows = (
            await PaymentRow.select(
                *PaymentRow.all_columns(),
                PaymentRow.claim.claim_no.as_alias("claim_no"),
                PaymentRow.claim.peril.as_alias("peril"),
                PaymentRow.claim.claimant_name.as_alias("claimant_name"),
            )
            .where(PaymentRow.paid_on == day)
            .order_by(PaymentRow.id)
        )
        return records_of(DailyPayment, rows)

    async def year_totals(
        self, year_id: int, *, counted: Sequence[str], decided: Sequence[str]
    ) -> dict[str, int]:
        """A policy year's assessed (counted claims), approved (decided claims) and paid totals, in fen."""
        in_year = ClaimRow.policy_year == year_id
        return {
            "assessed": await _sum(ClaimRow.assessed_fen, in_year, ClaimRow.status.is_in(list(counted))),
            "approved": await _sum(ClaimRow.approved_fen, in_year, ClaimRow.status.is_in(list(decided))),
            "paid": await _sum(ClaimRow.paid_fen, in_year),
        }


# --------------------------------------------------------------------------------------------------
# Reads for statements: typed records, asked for through ledger.claims.service (reports never query
# the claims tables themselves).
# --------------------------------------------------------------------------------------------------

#: One ``IN (...)`` list at a time stays well under SQLite's bound-parameter limit.
_BATCH = 500


class ClaimOfPeriod(
    Record,
    frozen=True,
    rename={"event_no": "event.event_no", "street": "event.street", "policy_year": "policy_year.code"},
):
    """A claim as a statement lists it."""

    claim_no: str
    event_no: str
    incident_date: dt.date
    peril: str
    street: str
    victim_name: str
    victim_id: str
    status: str
    approved_fen: int
    paid_fen: int
    policy_year: str


class DecidedClaimUse(
    Record, frozen=True, rename={"policy_year": "policy_year.code", "event_no": "event.event_no"}
):
    """What a decided claim uses of its limits: its year, peril, event, incident day and approval."""

    policy_year: str
    peril: str
    event_no: str
    incident_date: dt.date
    approved_fen: int


class ClaimApprovals(Record, frozen=True):
    """Who approved a claim (first and second approver) and its documents' types in upload order."""

    claim_no: str
    approvers: tuple[str, ...]
    document_types: tuple[str, ...]


async def claims_with_incident_between(start: dt.date, end: dt.date) -> list[ClaimOfPeriod]:
    """Every claim with an incident in ``[start, end]``, in claim-number order."""
    rows = (
        await ClaimRow.select(
            ClaimRow.claim_no,
            ClaimRow.event.event_no,
            ClaimRow.incident_date,
            ClaimRow.peril,
            ClaimRow.event.street,
            ClaimRow.victim_name,
            ClaimRow.victim_id,
            ClaimRow.status,
            ClaimRow.approved_fen,
            ClaimRow.paid_fen,
            ClaimRow.policy_year.code,
        )
        .where((ClaimRow.incident_date >= start) & (ClaimRow.incident_date <= end))
        .order_by(ClaimRow.claim_no)
    )
    return records_of(ClaimOfPeriod, rows)


async def decided_claim_uses(years: Sequence[str], decided: Sequence[str]) -> list[DecidedClaimUse]:
    """The claims of ``years`` in a ``decided`` status, as limit usage."""
    if not years:
        return []
    rows = await ClaimRow.select(
        ClaimRow.policy_year.code,
        ClaimRow.peril,
        ClaimRow.event.event_no,
        ClaimRow.incident_date,
        ClaimRow.approved_fen,
    ).where(ClaimRow.policy_year.code.is_in(list(years)) & ClaimRow.status.is_in(list(decided)))
    return records_of(DecidedClaimUse, rows)


async def claim_approvals(claim_nos: Sequence[str]) -> list[ClaimApprovals]:
    """The approvers and document types of the claims ``claim_nos`` (those that exist)."""
    found: list[ClaimApprovals] = []
    for offset in range(0, len(claim_nos), _BATCH):
        batch = list(claim_nos[offset : offset + _BATCH])
        claims = await ClaimRow.select(
            ClaimRow.id, ClaimRow.claim_no, ClaimRow.first_approver, ClaimRow.second_approver
        ).where(ClaimRow.claim_no.is_in(batch))
        documents: dict[int, list[str]] = {}
        if claims:
            for doc in (
                await DocumentRow.select(DocumentRow.claim, DocumentRow.doc_type)
                .where(DocumentRow.claim.is_in([row["id"] for row in claims]))
                .order_by(DocumentRow.id)
            ):
                documents.setdefault(doc["claim"], []).append(doc["doc_type"])
        found += [
            ClaimApprovals(
                claim_no=row["claim_no"],
                approvers=tuple(name for name in (row["first_approver"], row["second_approver"]) if name),
                document_types=tuple(documents.get(row["id"], ())),
            )
            for row in claims
        ]
    return found
