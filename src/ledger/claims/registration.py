"""Claims use cases before the review: policy years and premiums, events, registering and updating claims.

Each method that writes owns one write transaction (see ``claims/service.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import msgspec

from ledger import db
from ledger.claims import domain
from ledger.claims.domain import ClaimStatus
from ledger.claims.errors import (
    ClaimNotEditable,
    DuplicateReference,
    EventNotFound,
    PolicyYearNotFound,
    PremiumExceeded,
)
from ledger.claims.policy import BenefitHead, PolicyYear
from ledger.claims.records import EventRecord
from ledger.claims.repository import Row
from ledger.claims.schemas import ClaimCreate, ClaimUpdate, EventCreate, LineIn
from ledger.claims.service_base import (
    COUNTED,
    DECIDED,
    EDITABLE,
    HOUSEHOLD_STATUSES,
    RELATIONS,
    SCHEMES,
    ClaimsBase,
    existing_claim,
    jsonable,
    line_values,
)
from ledger.core import clock
from ledger.core.errors import InvalidInput
from ledger.core.ids import validate_resident_id
from ledger.core.money import format_cny, parse_amount
from ledger.journal import service as journal
from ledger.journal.service import Ledger
from ledger.platform.domain import Principal, Role
from ledger.platform.service import record_audit


class Registration(ClaimsBase):
    """Policy years, premium receipts, events, registration and updates."""

    def _configured_year(self, code: str) -> PolicyYear:
        for year in self.policy.policy_years:
            if year.code == code:
                return year
        raise PolicyYearNotFound(
            f"no policy year {code!r} is configured",
            field="code",
            rule="one of " + ", ".join(y.code for y in self.policy.policy_years),
        )

    async def _year_id(self, year: PolicyYear) -> int:
        """The row of a configured policy year, created on first use (inside the caller's transaction)."""
        row = await self.years.by_code(year.code)
        if row is not None:
            return row.id
        return await self.years.add(
            code=year.code,
            insurer=year.insurer,
            policyholder=year.policyholder,
            starts=year.starts,
            ends=year.ends,
            insured_population=year.insured_population,
            premium_fen=year.premium_fen,
            created_at=clock.now(),
        )

    async def policy_years(self) -> list[dict[str, Any]]:
        """Every configured policy year with its premium received and what its claims use, in fen."""
        found = []
        for year in self.policy.policy_years:
            row = await self.years.by_code(year.code)
            year_id = row.id if row else 0
            totals = await self.claims.year_totals(
                year_id, counted=[s.value for s in COUNTED], decided=[s.value for s in DECIDED]
            )
            found.append(
                {
                    "year": year,
                    "premium_received": await self.years.premium_received(year_id),
                    "limit": self.policy.rules_on(year.starts).per_policy_year_fen,
                    **totals,
                }
            )
        return found

    async def record_premium(
        self, actor: Principal, code: str, amount: str, received_on: dt.date, reference: str
    ) -> Row:
        """Record a premium receipt and post Dr insurance bank / Cr premium income in one transaction."""
        year = self._configured_year(code)
        fen = parse_amount(amount, field="amount")
        async with db.write_transaction():
            await db.serialize(f"claims-premium:{code}")
            year_id = await self._year_id(year)
            if await self.years.has_receipt(reference):
                raise DuplicateReference(
                    f"premium reference {reference!r} is already recorded", field="reference", rule="unique"
                )
            received = await self.years.premium_received(year_id)
            if received + fen > year.premium_fen:
                raise PremiumExceeded(
                    f"received {format_cny(received)} + {format_cny(fen)} would exceed the premium "
                    f"{format_cny(year.premium_fen)} of {code}",
                    field="amount",
                    rule=f"at most the unpaid premium {format_cny(year.premium_fen - received)}",
                )
            receipt_id = await self.years.add_receipt(
                policy_year=year_id,
                fen=fen,
                received_on=received_on,
                reference=reference,
                journal_seq=0,
                recorded_by=actor.username,
                created_at=clock.now(),
            )
            entry = await journal.post(
                date=received_on,
                book="insurance",
                narration=f"{code} 年度政府救助责任保险保费",
                postings=domain.premium_postings(fen),
                cause=f"premium:{receipt_id}",
                actor=actor.username,
                payee=year.insurer,
                links={"policy-year": code, "payment-ref": reference},
            )
            await self.years.set_receipt_seq(receipt_id, entry.seq)
            after = {"policy_year": code, "fen": fen, "reference": reference, "journal_seq": entry.seq}
            await record_audit(actor, "premium.receive", "policy_year", code, None, after)
        await Ledger.of(self.settings).export_quietly()
        return {**after, "received_on": received_on, "recorded_by": actor.username}

    async def create_event(
        self,
        actor: Principal,
        *,
        incident_date: dt.date,
        street: str,
        place: str,
        peril: str,
        authority: str,
        certificate_no: str,
        description: str,
    ) -> EventRecord:
        """Record an insured event; its street must be one of the district's."""
        self.policy.peril(peril)
        if street not in self.policy.district.streets:
            raise InvalidInput(
                f"street {street!r} is not in {self.policy.district.name}",
                field="street",
                rule="one of " + ", ".join(self.policy.district.streets),
            )
        if incident_date > clock.today():
            raise InvalidInput(
                f"incident_date {incident_date.isoformat()} is in the future",
                field="incident_date",
                rule="not in the future",
            )
        year = self.policy.policy_year_on(incident_date)
        async with db.write_transaction():
            await db.serialize("claims-event-number")
            prefix = f"EV-{incident_date.year}-"
            event_no = f"{prefix}{await self.events.count_numbered(prefix) + 1:06d}"
            values = {
                "event_no": event_no,
                "incident_date": incident_date,
                "street": street,
                "place": place,
                "peril": peril,
                "authority": authority,
                "certificate_no": certificate_no,
                "description": description,
                "created_by": actor.username,
            }
            await self.events.add(**values, policy_year=await self._year_id(year), created_at=clock.now())
            await record_audit(actor, "event.create", "event", event_no, None, jsonable(values))
            return await self.event(event_no)

    async def event(self, event_no: str) -> EventRecord:
        """One event with its policy-year code."""
        found = await self.events.by_no(event_no)
        if found is None:
            raise EventNotFound(f"no event {event_no!r}", field="event_no")
        return found

    async def search_events(self, **criteria: Any) -> tuple[list[EventRecord], int]:
        """Events newest first, filtered and paginated."""
        return await self.events.search(**criteria)

    def _lines(self, peril: str, lines: Sequence[LineIn], field: str = "lines") -> list[dict[str, Any]]:
        """Validate benefit lines (``domain.check_line``, ``domain.check_claim_heads``); return their
        column values."""
        found: list[dict[str, Any]] = []
        heads: list[BenefitHead] = []
        for index, line in enumerate(lines):
            where = f"{field}[{index}]."
            claimed = parse_amount(line.claimed, field=f"{where}claimed")
            unreimbursed = (
                None
                if line.unreimbursed is None
                else parse_amount(line.unreimbursed, field=f"{where}unreimbursed", allow_zero=True)
            )
            head = domain.check_line(
                line.head, claimed, grade=line.grade, unreimbursed_fen=unreimbursed, where=where
            )
            heads.append(head)
            found.append(
                {
                    "position": index + 1,
                    "head": head.value,
                    "claimed_fen": claimed,
                    "grade": line.grade,
                    "unreimbursed_fen": unreimbursed,
                }
            )
        domain.check_claim_heads(peril, heads, self.policy.peril(peril).heads, field)
        return found

    @staticmethod
    def _choice(value: str, allowed: Sequence[str], field: str) -> str:
        if value not in allowed:
            raise InvalidInput(
                f"{field} {value!r} is not known", field=field, rule="one of " + ", ".join(allowed)
            )
        return value

    async def register(self, actor: Principal, data: ClaimCreate) -> Row:
        """Register a claim; refuse a duplicate or a time-barred claim unless an approver overrides it
        with a reason (``override_reason``, ``limitation_override_reason``), each override audited.

        Paper documents checked at registration are recorded as received and verified; when they
        complete the checklist the claim moves straight to review.
        """
        victim_id, claimant_id = self._checked_people(data)
        event = await self.event(data.event_no)
        peril = event.peril
        lines = self._lines(peril, data.lines)
        rules = self.policy.rules_on(event.incident_date)
        now, today = clock.now(), clock.today()
        time_barred = domain.check_limitation(
            event.incident_date,
            today,
            self.policy.clocks,
            override_reason=data.limitation_override_reason,
            overrider_is_approver=actor.role is Role.APPROVER,
        )
        async with db.write_transaction():
            await db.serialize("claims-register")
            existing = [existing_claim(row) for row in await self.claims.of_victim(victim_id)]
            duplicate = domain.find_duplicate(
                victim_id,
                event.id,
                peril,
                event.incident_date,
                existing,
                window_days=rules.duplicate_window_days,
            )
            domain.check_duplicate(
                duplicate,
                override_reason=data.override_reason,
                overrider_is_approver=actor.role is Role.APPROVER,
            )
            prefix = f"CL-{today.year}-"
            claim_no = f"{prefix}{await self.claims.count_numbered(prefix) + 1:06d}"
            values = {
                "claim_no": claim_no,
                **_claim_values(data, event, victim_id, claimant_id),
                "registered_by": actor.username,
                "duplicate_of": str(duplicate.claim_id) if duplicate else None,
                "override_reason": (data.override_reason or "").strip() if duplicate else "",
            }
            await self._store_registered(actor, values, lines, data.documents, now)
            await self._audit_overrides(actor, claim_no, duplicate, event if time_barred else None, data)
            required = domain.checklist(self.policy, peril, [line["head"] for line in lines])
            if domain.documents_complete(required, data.documents):
                claim = await self._reload(claim_no)
                await self._complete_documents(actor, claim, today)
        return await self.claims_view(claim_no, actor)

    def _checked_people(self, data: ClaimCreate) -> tuple[str, str]:
        """The victim's and the claimant's resident IDs, once the people and documents fit the rules."""
        victim_id = validate_resident_id(data.victim_id, field="victim_id")
        claimant_id = validate_resident_id(data.claimant_id, field="claimant_id")
        self._choice(data.claimant_relation, RELATIONS, "claimant_relation")
        self._choice(data.household_status, HOUSEHOLD_STATUSES, "household_status")
        self._choice(data.scheme, SCHEMES, "scheme")
        if data.claimant_relation == "self" and claimant_id != victim_id:
            raise InvalidInput(
                "a claimant who is the victim must have the victim's ID",
                field="claimant_id",
                rule="claimant_relation 'self' means claimant_id = victim_id",
            )
        for code in data.documents:
            if code not in self.policy.documents:
                raise InvalidInput(
                    f"unknown document type {code!r}",
                    field="documents",
                    rule="one of " + ", ".join(self.policy.documents),
                )
        return victim_id, claimant_id

    async def _store_registered(
        self,
        actor: Principal,
        values: dict[str, Any],
        lines: list[dict[str, Any]],
        documents: Sequence[str],
        now: dt.datetime,
    ) -> None:
        """Store a registered claim, its lines, the documents checked at the desk and its first transition."""
        claim_id = await self.claims.add(**values, created_at=now, updated_at=now)
        await self.claims.add_lines(claim_id, lines)
        for code in dict.fromkeys(documents):
            await self.claims.add_document(
                claim=claim_id,
                doc_type=code,
                received_at=now,
                received_by=actor.username,
                verified_at=now,
                verified_by=actor.username,
            )
        await self.claims.add_transition(
            claim=claim_id,
            action="register",
            from_status="",
            to_status="registered",
            actor=actor.username,
            at=now,
        )
        await record_audit(
            actor, "claim.register", "claim", values["claim_no"], None, jsonable({**values, "lines": lines})
        )

    async def _audit_overrides(
        self,
        actor: Principal,
        claim_no: str,
        duplicate: domain.ExistingClaim | None,
        time_barred_event: EventRecord | None,
        data: Any,
    ) -> None:
        """The audit rows of an approver's overrides at registration: the duplicate, the limitation."""
        if duplicate is not None:
            await record_audit(
                actor,
                "claim.duplicate_override",
                "claim",
                claim_no,
                {"duplicate_of": str(duplicate.claim_id)},
                {"override_reason": (data.override_reason or "").strip()},
            )
        if time_barred_event is not None:
            incident = time_barred_event.incident_date
            await record_audit(
                actor,
                "claim.limitation_override",
                "claim",
                claim_no,
                {
                    "incident_date": incident.isoformat(),
                    "limitation_ends": domain.limitation_ends(incident, self.policy.clocks).isoformat(),
                },
                {"limitation_override_reason": data.limitation_override_reason.strip()},
            )

    async def report(self, actor: Principal, event: EventCreate, data: ClaimCreate) -> Row:
        """Record an event and register its first claim in one transaction: both are stored or neither.

        Args:
            actor: the adjuster (or approver) at the desk.
            event: the event, as for ``create_event``.
            data: the claim as for ``register``; its ``event_no`` is replaced by the new event's.
        """
        async with db.write_transaction():
            found = await self.create_event(actor, **msgspec.structs.asdict(event))
            return await self.register(actor, msgspec.structs.replace(data, event_no=found.event_no))

    async def update(self, actor: Principal, claim_no: str, data: ClaimUpdate) -> Row:
        """Change a claim's details or lines before it is assessed."""
        changes: dict[str, Any] = {}
        for name in ("claimant_name", "bank_name", "bank_account"):
            if getattr(data, name) is not None:
                changes[name] = getattr(data, name)
        if data.claimant_relation is not None:
            changes["claimant_relation"] = self._choice(
                data.claimant_relation, RELATIONS, "claimant_relation"
            )
        if data.household_status is not None:
            changes["household_status"] = self._choice(
                data.household_status, HOUSEHOLD_STATUSES, "household_status"
            )
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            if claim["status"] not in EDITABLE:
                raise ClaimNotEditable(
                    f"claim is '{claim['status']}'; it can be changed only while "
                    + ", ".join(f"'{s}'" for s in EDITABLE),
                    field="status",
                    rule="changes only before assessment",
                    extra={"current_status": claim["status"]},
                )
            before = {name: claim[name] for name in changes}
            lines = None if data.lines is None else self._lines(claim["peril"], data.lines)
            if lines is not None:
                before["lines"] = [line_values(r) for r in await self.claims.lines(claim["id"])]
                await self.claims.replace_lines(claim["id"], lines)
            if changes:
                await self.claims.update(claim["id"], {**changes, "updated_at": clock.now()})
            after = {**changes, **({"lines": lines} if lines is not None else {})}
            await record_audit(actor, "claim.update", "claim", claim_no, jsonable(before), jsonable(after))
        return await self.claims_view(claim_no, actor)


def _claim_values(data: ClaimCreate, event: EventRecord, victim_id: str, claimant_id: str) -> dict[str, Any]:
    """The stored columns of a claim registered from ``data`` for ``event``."""
    return {
        "event": event.id,
        "policy_year": event.policy_year_id,
        "peril": event.peril,
        "scheme": data.scheme,
        "incident_date": event.incident_date,
        "claimant_name": data.claimant_name,
        "claimant_relation": data.claimant_relation,
        "claimant_id": claimant_id,
        "victim_name": data.victim_name,
        "victim_id": victim_id,
        "household": data.household or victim_id,
        "household_status": data.household_status,
        "bank_name": data.bank_name,
        "bank_account": data.bank_account,
        "status": ClaimStatus.REGISTERED.value,
    }
