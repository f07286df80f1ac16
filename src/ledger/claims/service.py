"""Claims use cases. Each method that writes owns one write transaction: it locks, reloads, applies the
pure rules of ``domain``, stores the result, records the transition and the audit row, and (for
payments and premiums) posts the journal entry in that same transaction.

Limits: every change to a claim first takes ``claims-limits:<policy year>`` (an advisory lock on
PostgreSQL; SQLite's immediate transaction already serialises writers), then reloads the claim, so
two approvals or payments racing for the last of a limit are decided one after the other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import msgspec

from ledger import db
from ledger.claims import domain
from ledger.claims.domain import ClaimAction, ClaimStatus, LimitUsage, PaymentKind
from ledger.claims.errors import (
    ClaimNotEditable,
    ClaimNotFound,
    DocumentNotFound,
    DocumentsIncomplete,
    DuplicateReference,
    EventLimitExhausted,
    EventNotFound,
    NothingMissing,
    PolicyYearNotFound,
    PremiumExceeded,
)
from ledger.claims.policy import BenefitHead, PolicyConfig, PolicyYear, UploadLimits, load_policy
from ledger.claims.repository import ClaimFilter, ClaimRepository, EventRepository, PolicyYearRepository, Row
from ledger.claims.tables import ClaimLineRow
from ledger.config import Settings
from ledger.core import clock
from ledger.core.errors import Conflict, InvalidInput
from ledger.core.ids import validate_resident_id
from ledger.core.money import Fen, format_amount, format_cny, parse_amount
from ledger.journal import service as journal
from ledger.journal.service import Ledger
from ledger.platform.domain import Principal, Role
from ledger.platform.service import record_audit

SCHEMES = ("relief_liability", "disaster_livelihood")
"""政府救助责任保险 and the city's 灾害民生综合保险: a claim records which scheme it belongs to."""

RELATIONS = ("self", "spouse", "parent", "child", "sibling", "other_heir", "agent")
"""Who the claimant is to the victim: the victim, an heir (by relation) or an agent."""

HOUSEHOLD_STATUSES = ("normal", "dibao", "tekun")
"""Ordinary, 低保 (minimum living guarantee) and 特困 (extreme hardship) households."""

COUNTED = (
    ClaimStatus.ASSESSED,
    ClaimStatus.APPROVED,
    ClaimStatus.PARTLY_PAID,
    ClaimStatus.PAID,
    ClaimStatus.CLOSED,
)
"""Claims whose lines use limits (``domain.LimitUsage``)."""

DECIDED = (ClaimStatus.APPROVED, ClaimStatus.PARTLY_PAID, ClaimStatus.PAID, ClaimStatus.CLOSED)
"""Claims whose approved amounts share the per-event limit (``domain.scale_back``)."""

EDITABLE = (ClaimStatus.REGISTERED, ClaimStatus.DOCUMENTS_PENDING, ClaimStatus.UNDER_REVIEW)
"""Claims whose details and lines may still change."""

FULL_ID_ROLES = (Role.ADJUSTER, Role.APPROVER)
"""Roles that see resident IDs in full; everyone else sees them masked."""


def policy_of(settings: Settings) -> PolicyConfig:
    """The policy configuration of ``settings`` (decoded once while the file is unchanged)."""
    return load_policy(settings.policy_file)


class ClaimsService:
    """Events, claims, documents, assessment, approval, payment and premium receipts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = policy_of(settings)
        self.years = PolicyYearRepository()
        self.events = EventRepository()
        self.claims = ClaimRepository()

    # -- policy years -------------------------------------------------------------------------------

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
            return int(row["id"])
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
            year_id = int(row["id"]) if row else 0
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
            if await self.years.receipt_by_reference(reference):
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

    # -- events -------------------------------------------------------------------------------------

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
    ) -> Row:
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
            await record_audit(actor, "event.create", "event", event_no, None, _jsonable(values))
        return {**values, "policy_year": year.code}

    async def event(self, event_no: str) -> Row:
        """One event with its policy-year code."""
        row = await self.events.by_no(event_no)
        if row is None:
            raise EventNotFound(f"no event {event_no!r}", field="event_no")
        year = await self.years.by_id(int(row["policy_year"]))
        return {**row, "policy_year": year["code"]}

    async def search_events(self, **criteria: Any) -> tuple[list[Row], int]:
        """Events newest first, filtered and paginated."""
        rows, total = await self.events.search(**criteria)
        codes = {int(y["id"]): y["code"] for y in await self.years.all()}
        return [{**row, "policy_year": codes[int(row["policy_year"])]} for row in rows], total

    # -- registration -------------------------------------------------------------------------------

    def _lines(self, peril: str, lines: Sequence[Any], field: str = "lines") -> list[dict[str, Any]]:
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

    async def register(self, actor: Principal, data: Any) -> Row:
        """Register a claim; refuse a duplicate or a time-barred claim unless an approver overrides it
        with a reason (``override_reason``, ``limitation_override_reason``), each override audited.

        Paper documents checked at registration are recorded as received and verified; when they
        complete the checklist the claim moves straight to review.
        """
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
        event = await self.events.by_no(data.event_no)
        if event is None:
            raise EventNotFound(f"no event {data.event_no!r}", field="event_no")
        peril = str(event["peril"])
        lines = self._lines(peril, data.lines)
        rules = self.policy.rules_on(event["incident_date"])
        now, today = clock.now(), clock.today()
        time_barred = domain.check_limitation(
            event["incident_date"],
            today,
            self.policy.clocks,
            override_reason=data.limitation_override_reason,
            overrider_is_approver=actor.role is Role.APPROVER,
        )
        async with db.write_transaction():
            await db.serialize("claims-register")
            existing = [_existing(row) for row in await self.claims.of_victim(victim_id)]
            duplicate = domain.find_duplicate(
                victim_id,
                event["id"],
                peril,
                event["incident_date"],
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
                "event": event["id"],
                "policy_year": event["policy_year"],
                "peril": peril,
                "scheme": data.scheme,
                "incident_date": event["incident_date"],
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
                "registered_by": actor.username,
                "duplicate_of": str(duplicate.claim_id) if duplicate else None,
                "override_reason": (data.override_reason or "").strip() if duplicate else "",
            }
            claim_id = await self.claims.add(**values, created_at=now, updated_at=now)
            await self.claims.add_lines(claim_id, lines)
            for code in dict.fromkeys(data.documents):
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
                actor, "claim.register", "claim", claim_no, None, _jsonable({**values, "lines": lines})
            )
            if duplicate is not None:
                await record_audit(
                    actor,
                    "claim.duplicate_override",
                    "claim",
                    claim_no,
                    {"duplicate_of": str(duplicate.claim_id)},
                    {"override_reason": values["override_reason"]},
                )
            if time_barred:
                await record_audit(
                    actor,
                    "claim.limitation_override",
                    "claim",
                    claim_no,
                    {
                        "incident_date": event["incident_date"].isoformat(),
                        "limitation_ends": domain.limitation_ends(
                            event["incident_date"], self.policy.clocks
                        ).isoformat(),
                    },
                    {"limitation_override_reason": data.limitation_override_reason.strip()},
                )
            required = domain.checklist(self.policy, peril, [line["head"] for line in lines])
            if domain.documents_complete(required, data.documents):
                claim = await self._reload(claim_no)
                await self._complete_documents(actor, claim, today)
        return await self.claims_view(claim_no, actor)

    async def report(self, actor: Principal, event: dict[str, Any], data: Any) -> Row:
        """Record an event and register its first claim in one transaction: both are stored or neither.

        Args:
            actor: the adjuster (or approver) at the desk.
            event: the keyword arguments of ``create_event``.
            data: the claim as for ``register``; its ``event_no`` is replaced by the new event's.
        """
        async with db.write_transaction():
            row = await self.create_event(actor, **event)
            return await self.register(actor, msgspec.structs.replace(data, event_no=row["event_no"]))

    async def update(self, actor: Principal, claim_no: str, data: Any) -> Row:
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
                before["lines"] = [_line_values(r) for r in await self.claims.lines(claim["id"])]
                await self.claims.replace_lines(claim["id"], lines)
            if changes:
                await self.claims.update(claim["id"], {**changes, "updated_at": clock.now()})
            after = {**changes, **({"lines": lines} if lines is not None else {})}
            await record_audit(actor, "claim.update", "claim", claim_no, _jsonable(before), _jsonable(after))
        return await self.claims_view(claim_no, actor)

    # -- transitions --------------------------------------------------------------------------------

    async def _reload(self, claim_no: str) -> Row:
        claim = await self.claims.by_no(claim_no)
        if claim is None:
            raise ClaimNotFound(f"no claim {claim_no!r}", field="claim_no")
        return claim

    async def _locked(self, claim_no: str) -> Row:
        """Take the claim's policy-year lock, then read the claim (inside a write transaction)."""
        claim = await self._reload(claim_no)
        await db.serialize(f"claims-limits:{claim['policy_year_code']}")
        return await self._reload(claim_no)

    async def _move(
        self, actor: Principal, claim: Row, action: ClaimAction, reason: str = "", **values: Any
    ) -> Row:
        """Check and store one status change with its transition row and audit row."""
        name = actor.username
        now = clock.now()
        change = domain.transition(claim["status"], action, actor=name, at=now, reason=reason)
        after = {"status": change.to_status.value, **values}
        before = {key: claim[key] for key in after}
        await self.claims.update(claim["id"], {**after, "updated_at": now})
        await self.claims.add_transition(
            claim=claim["id"],
            action=action.value,
            from_status=change.from_status.value,
            to_status=change.to_status.value,
            actor=name,
            at=now,
            reason=change.reason,
        )
        await record_audit(
            actor,
            f"claim.{action.value}",
            "claim",
            claim["claim_no"],
            _jsonable(before),
            _jsonable({**after, "reason": change.reason}),
        )
        return {**claim, **after}

    def _checklist(self, claim: Row, lines: Sequence[Row]) -> tuple[Any, ...]:
        return domain.checklist(self.policy, claim["peril"], [line["head"] for line in lines])

    async def _complete_documents(self, actor: Principal, claim: Row, today: dt.date) -> Row:
        complete_on = claim["documents_complete_on"] or today
        paused = int(claim["paused_days"])
        if claim["paused_since"] is not None:
            paused += (today - claim["paused_since"]).days
        return await self._move(
            actor,
            claim,
            ClaimAction.DOCUMENTS_COMPLETE,
            documents_complete_on=complete_on,
            paused_since=None,
            paused_days=paused,
            decision_due=domain.decision_due(complete_on, paused, self.policy.clocks),
        )

    async def request_documents(self, actor: Principal, claim_no: str) -> Row:
        """Ask once, as one list, for every document on the checklist that has not been received."""
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            domain.next_status(claim["status"], ClaimAction.REQUEST_DOCUMENTS)
            lines = await self.claims.lines(claim["id"])
            received = [doc["doc_type"] for doc in await self.claims.documents(claim["id"])]
            missing = domain.missing_documents(self._checklist(claim, lines), received)
            if not missing:
                raise NothingMissing(field="documents", rule="request only documents that are missing")
            notice = [
                {
                    "code": item.requirement.code,
                    "cn": item.requirement.cn,
                    "en": item.requirement.en,
                    "still_needed": item.still_needed,
                    "choices": list(item.choices),
                }
                for item in missing
            ]
            paused_since = clock.today() if claim["status"] == ClaimStatus.UNDER_REVIEW else None
            await self._move(
                actor,
                claim,
                ClaimAction.REQUEST_DOCUMENTS,
                documents_requested=json.dumps(notice, ensure_ascii=False),
                paused_since=paused_since,
            )
        return await self.claims_view(claim_no, actor)

    async def documents_complete(self, actor: Principal, claim_no: str) -> Row:
        """Move the claim to review once the verified documents satisfy its checklist; start the clock."""
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            domain.next_status(claim["status"], ClaimAction.DOCUMENTS_COMPLETE)
            lines = await self.claims.lines(claim["id"])
            verified = [d["doc_type"] for d in await self.claims.documents(claim["id"]) if d["verified_by"]]
            missing = domain.missing_documents(self._checklist(claim, lines), verified)
            if missing:
                codes = [item.requirement.code for item in missing]
                raise DocumentsIncomplete(
                    "documents not yet verified: " + ", ".join(codes),
                    field="documents",
                    rule="every checklist line verified",
                    extra={"missing": codes},
                )
            await self._complete_documents(actor, claim, clock.today())
        return await self.claims_view(claim_no, actor)

    async def assess(self, actor: Principal, claim_no: str, adjustments: Sequence[Any]) -> Row:
        """Assess every line by the rules in force on the incident date, with usage read from the database.

        The adjuster may lower a line below the rule amount with a reason, never raise it above.
        """
        lowered: dict[int, tuple[Fen, str]] = {}
        for index, item in enumerate(adjustments):
            lowered[item.line] = (
                parse_amount(item.amount, field=f"adjustments[{index}].amount", allow_zero=True),
                item.reason,
            )
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            domain.next_status(claim["status"], ClaimAction.ASSESS)
            lines = await self.claims.lines(claim["id"])
            unknown = sorted(set(lowered) - {int(line["position"]) for line in lines})
            if unknown:
                raise InvalidInput(
                    f"the claim has no line {unknown[0]}",
                    field="adjustments",
                    rule=f"line numbers 1..{len(lines)}",
                )
            rules = self.policy.rules_on(claim["incident_date"])
            uplift = rules.uplift.applies(claim["household_status"])
            assessed: list[tuple[Row, domain.Assessment]] = []
            taken = LimitUsage()
            for line in lines:
                base = await self._usage(claim, line["head"])
                usage = LimitUsage(
                    head_fen=base.head_fen,
                    household_fen=base.household_fen + taken.household_fen,
                    event_fen=base.event_fen + taken.event_fen,
                    peril_year_fen=base.peril_year_fen + taken.peril_year_fen,
                    policy_year_fen=base.policy_year_fen + taken.policy_year_fen,
                )
                result = domain.assess_line(
                    rules,
                    claim["peril"],
                    line["head"],
                    int(line["claimed_fen"]),
                    grade=line["grade"],
                    unreimbursed_fen=line["unreimbursed_fen"],
                    household_uplift=uplift,
                    usage=usage,
                )
                if int(line["position"]) in lowered:
                    fen, reason = lowered[int(line["position"])]
                    result = domain.lower_amount(result, fen, reason)
                taken = taken.plus(result.payable_fen, same_head=False)
                assessed.append((line, result))
            for line, result in assessed:
                await self.claims.update_line(
                    line["id"],
                    {
                        "rule_version": result.rule_version,
                        "rule_fen": result.rule_fen,
                        "payable_fen": result.payable_fen,
                        "trail": json.dumps([_step(s) for s in result.trail], ensure_ascii=False),
                        "lowered_reason": result.lowered_reason,
                        "approved_fen": 0,
                    },
                )
            total = sum(result.payable_fen for _line, result in assessed)
            await self._move(
                actor,
                claim,
                ClaimAction.ASSESS,
                assessed_by=actor.username,
                assessed_fen=total,
                rule_version=rules.version,
                approvals_required=domain.approvals_required(total, rules),
            )
        return await self.claims_view(claim_no, actor)

    async def _usage(self, claim: Row, head: str) -> LimitUsage:
        """What other claims already use of each limit layer, for one line of ``claim``."""
        statuses = [s.value for s in COUNTED]
        line = ClaimLineRow
        per_household = BenefitHead(head).per_household
        same_unit = (
            line.claim.household == claim["household"]
            if per_household
            else line.claim.victim_id == claim["victim_id"]
        )
        used = self.claims.used
        return LimitUsage(
            head_fen=await used(
                statuses, claim["id"], line.claim.event == claim["event"], line.head == head, same_unit
            ),
            household_fen=await used(
                statuses,
                claim["id"],
                line.claim.event == claim["event"],
                line.claim.household == claim["household"],
            ),
            event_fen=await used(statuses, claim["id"], line.claim.event == claim["event"]),
            peril_year_fen=await used(
                statuses,
                claim["id"],
                line.claim.policy_year == claim["policy_year"],
                line.claim.peril == claim["peril"],
            ),
            policy_year_fen=await used(statuses, claim["id"], line.claim.policy_year == claim["policy_year"]),
        )

    async def approve(
        self,
        actor: Principal,
        claim_no: str,
        reason: str,
        approved_amount: str | None = None,
        reduction_reason: str = "",
    ) -> Row:
        """Approve (four eyes; a second approver above the threshold); scale the event back to its limit.

        Args:
            actor: the approver.
            claim_no: the claim.
            reason: a note on the approval.
            approved_amount: a lower amount than assessed to approve ("reduce with a reason"); ``None``
                approves as assessed (or as a first approver reduced it).
            reduction_reason: why the amount is lower; required with a lower amount.
        """
        asked = None if approved_amount is None else parse_amount(approved_amount, field="approved_amount")
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            domain.next_status(claim["status"], ClaimAction.APPROVE)
            domain.check_four_eyes(
                actor.username, claim["registered_by"], claim["assessed_by"], claim["first_approver"]
            )
            domain.check_no_duplicate(await self._duplicate_found(claim))
            reduced = domain.approved_reduction(int(claim["assessed_fen"]), asked, reduction_reason)
            if reduced is not None:
                claim = await self._reduce(actor, claim, reduced, reduction_reason.strip())
            if int(claim["approvals_required"]) == 2 and claim["first_approver"] is None:
                await self._first_approval(actor, claim, reason)
            else:
                await self._final_approval(actor, claim, reason)
        return await self.claims_view(claim_no, actor)

    async def override_duplicate(self, actor: Principal, claim_no: str, reason: str) -> Row:
        """Accept an assessed claim although a duplicate is found, with a reason (four eyes, audited).

        The approval queue shows the duplicate; approving is refused until an approver overrides it.
        """
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            domain.next_status(claim["status"], ClaimAction.APPROVE)
            domain.check_four_eyes(actor.username, claim["registered_by"], claim["assessed_by"])
            duplicate = domain.check_duplicate_override(await self._duplicate_found(claim), reason)
            changes = {"duplicate_of": str(duplicate.claim_id), "override_reason": reason.strip()}
            now = clock.now()
            await self.claims.update(int(claim["id"]), {**changes, "updated_at": now})
            await self.claims.add_transition(
                claim=claim["id"],
                action="override_duplicate",
                from_status=claim["status"],
                to_status=claim["status"],
                actor=actor.username,
                at=now,
                reason=changes["override_reason"],
            )
            await record_audit(
                actor,
                "claim.duplicate_override",
                "claim",
                claim_no,
                {"duplicate_of": claim["duplicate_of"], "override_reason": claim["override_reason"]},
                changes,
            )
        return await self.claims_view(claim_no, actor)

    async def _duplicate_found(self, claim: Row) -> domain.ExistingClaim | None:
        """A claim of the same victim that ``claim`` duplicates and no override accepted, or ``None``."""
        on_file = [_existing(row) for row in await self.claims.of_victim(claim["victim_id"])]
        rules = self.policy.rules_on(claim["incident_date"])
        return domain.unresolved_duplicate(_existing(claim), on_file, window_days=rules.duplicate_window_days)

    async def duplicates_found(self, claims: Sequence[Row]) -> dict[str, str]:
        """For a queue: each claim's number -> the claim it duplicates with no override yet."""
        on_file = [_existing(row) for row in await self.claims.of_victims({c["victim_id"] for c in claims})]
        found: dict[str, str] = {}
        for claim in claims:
            rules = self.policy.rules_on(claim["incident_date"])
            duplicate = domain.unresolved_duplicate(
                _existing(claim), on_file, window_days=rules.duplicate_window_days
            )
            if duplicate is not None:
                found[str(claim["claim_no"])] = str(duplicate.claim_id)
        return found

    async def _reduce(self, actor: Principal, claim: Row, reduced_fen: Fen, reason: str) -> Row:
        """Record that ``actor`` approves ``claim`` for less than assessed; return the claim as changed."""
        changes = {"reduced_to_fen": reduced_fen, "reduction_reason": reason}
        await self.claims.update(int(claim["id"]), {**changes, "updated_at": clock.now()})
        await record_audit(
            actor,
            "claim.reduce",
            "claim",
            claim["claim_no"],
            {
                "assessed_fen": int(claim["assessed_fen"]),
                "reduced_to_fen": claim["reduced_to_fen"],
                "reduction_reason": claim["reduction_reason"],
            },
            changes,
        )
        return {**claim, **changes}

    async def _first_approval(self, actor: Principal, claim: Row, reason: str) -> None:
        now = clock.now()
        await self.claims.update(claim["id"], {"first_approver": actor.username, "updated_at": now})
        await self.claims.add_transition(
            claim=claim["id"],
            action="approve_first",
            from_status=claim["status"],
            to_status=claim["status"],
            actor=actor.username,
            at=now,
            reason=reason.strip(),
        )
        await record_audit(
            actor,
            "claim.approve_first",
            "claim",
            claim["claim_no"],
            {"first_approver": None},
            {"first_approver": actor.username, "reason": reason.strip()},
        )

    async def _final_approval(self, actor: Principal, claim: Row, reason: str) -> None:
        rules = self.policy.rules_on(claim["incident_date"])
        others = await self.claims.of_event(int(claim["event"]), [s.value for s in DECIDED])
        wanted = {
            int(o["id"]): domain.approval_ceiling(o["assessed_fen"], o["reduced_to_fen"]) for o in others
        }
        wanted[int(claim["id"])] = domain.approval_ceiling(claim["assessed_fen"], claim["reduced_to_fen"])
        shares = domain.scale_back(wanted, rules.per_event_fen)
        for other in others:
            share = shares[int(other["id"])]
            if share == int(other["approved_fen"]):
                continue
            if share < int(other["paid_fen"]):
                raise EventLimitExhausted(
                    f"the event's limit {format_cny(rules.per_event_fen)} would scale claim "
                    f"{other['claim_no']} to {format_cny(share)}, below the "
                    f"{format_cny(int(other['paid_fen']))} already paid",
                    field="approved",
                    rule="an event's approved total stays within its limit",
                    extra={"claim_no": other["claim_no"]},
                )
            await self._set_approved(other, share)
            await record_audit(
                actor,
                "claim.scale_back",
                "claim",
                other["claim_no"],
                {"approved_fen": int(other["approved_fen"])},
                {"approved_fen": share},
            )
        approved = shares[int(claim["id"])]
        await self._set_approved(claim, approved)
        today = clock.today()
        await self._move(
            actor,
            claim,
            ClaimAction.APPROVE,
            reason,
            approved_fen=approved,
            second_approver=actor.username if claim["first_approver"] else None,
            first_approver=claim["first_approver"] or actor.username,
            approved_on=today,
            payment_due=domain.payment_due(today, self.policy.clocks, approved),
        )

    async def _set_approved(self, claim: Row, approved: Fen) -> None:
        """Store a claim's approved total and spread it over its lines to the fen."""
        lines = await self.claims.lines(int(claim["id"]))
        per_line = domain.scale_back(
            {int(row["position"]): int(row["payable_fen"]) for row in lines}, approved
        )
        for line in lines:
            await self.claims.update_line(line["id"], {"approved_fen": per_line[int(line["position"])]})
        await self.claims.update(int(claim["id"]), {"approved_fen": approved})

    async def reject(self, actor: Principal, claim_no: str, reason_code: str, note: str) -> Row:
        """Reject with a coded reason (four eyes: not by whoever registered or assessed the claim)."""
        code = self.policy.rejection_reason(reason_code).code
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            domain.next_status(claim["status"], ClaimAction.REJECT)
            domain.check_four_eyes(actor.username, claim["registered_by"], claim["assessed_by"])
            reason = f"{code}: {note.strip()}" if note.strip() else code
            await self._move(
                actor, claim, ClaimAction.REJECT, reason, rejection_code=code, rejected_on=clock.today()
            )
        return await self.claims_view(claim_no, actor)

    async def close(self, actor: Principal, claim_no: str, reason: str) -> Row:
        """Close a paid or rejected claim."""
        return await self._simple(actor, claim_no, ClaimAction.CLOSE, reason)

    async def withdraw(self, actor: Principal, claim_no: str, reason: str) -> Row:
        """Withdraw a claim (not once money has gone out); a reason is required."""
        return await self._simple(actor, claim_no, ClaimAction.WITHDRAW, reason)

    async def reopen(self, actor: Principal, claim_no: str, reason: str) -> Row:
        """Reopen a rejected, withdrawn or closed claim for a new review; approvals start again."""
        today = clock.today()
        return await self._simple(
            actor,
            claim_no,
            ClaimAction.REOPEN,
            reason,
            assessed_by=None,
            first_approver=None,
            second_approver=None,
            reduced_to_fen=None,
            reduction_reason="",
            rejection_code=None,
            rejected_on=None,
            approved_on=None,
            payment_due=None,
            overdue=False,
            overdue_reasons="",
            decision_due=domain.decision_due(today, 0, self.policy.clocks),
        )

    async def _simple(
        self, actor: Principal, claim_no: str, action: ClaimAction, reason: str, **values: Any
    ) -> Row:
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            await self._move(actor, claim, action, reason, **values)
        return await self.claims_view(claim_no, actor)

    # -- payments -----------------------------------------------------------------------------------

    async def pay(
        self, actor: Principal, claim_no: str, kind: str, amount: str | None, reference: str | None
    ) -> Row:
        """Pay part or the rest of the approved amount and post the journal entry in the same transaction."""
        payment_kind, asked = _payment_request(kind, amount)
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            domain.next_status(claim["status"], payment_kind.action)
            fen = domain.check_payment(
                int(claim["approved_fen"]), int(claim["paid_fen"]), asked, payment_kind
            )
            number = await self.claims.count_payments(int(claim["id"])) + 1
            ref = reference or f"{claim_no}-P{number}"
            if await self.claims.payment_by_reference(ref):
                raise DuplicateReference(
                    f"payment reference {ref!r} is already recorded", field="reference", rule="unique"
                )
            today = clock.today()
            payment_id = await self.claims.add_payment(
                claim=claim["id"],
                kind=payment_kind.value,
                fen=fen,
                reference=ref,
                paid_on=today,
                journal_seq=0,
                paid_by=actor.username,
                created_at=clock.now(),
            )
            peril = self.policy.peril(claim["peril"])
            entry = await journal.post(
                date=today,
                book="insurance",
                narration=payment_narration(peril.cn, claim_no, payment_kind),
                postings=domain.payment_postings(peril.account, fen),
                cause=f"claim-payment:{payment_id}",
                actor=actor.username,
                payee=claim["claimant_name"],
                links={"claim": claim_no, "payment-ref": ref},
            )
            await self.claims.set_payment_seq(payment_id, entry.seq)
            paid = int(claim["paid_fen"]) + fen
            moved = await self._move(
                actor,
                claim,
                payment_kind.action,
                f"{payment_kind.value} {format_cny(fen)} ref {ref}",
                paid_fen=paid,
            )
        await Ledger.of(self.settings).export_quietly()
        return {
            "claim_no": claim_no,
            "kind": payment_kind.value,
            "fen": fen,
            "reference": ref,
            "paid_on": today,
            "journal_seq": entry.seq,
            "paid_by": actor.username,
            "claim_status": moved["status"],
            "claim_paid": paid,
        }

    # -- documents ----------------------------------------------------------------------------------

    def upload_limits(self) -> UploadLimits:
        """The policy's upload limits, capped by the deployment's ``max_upload_bytes``."""
        limits = self.policy.uploads
        return UploadLimits(
            max_bytes=min(limits.max_bytes, self.settings.max_upload_bytes),
            content_types=limits.content_types,
        )

    async def upload(
        self, actor: Principal, claim_no: str, doc_type: str, content_type: str, content: bytes
    ) -> Row:
        """Store an uploaded document by its sha256 and record it as received."""
        self.policy.document_type(doc_type)
        media = domain.check_upload(len(content), content_type, self.upload_limits())
        digest = hashlib.sha256(content).hexdigest()
        _store(self.settings.upload_dir, digest, content)
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            if claim["status"] in (ClaimStatus.CLOSED, ClaimStatus.WITHDRAWN):
                raise ClaimNotEditable(
                    f"claim is '{claim['status']}'; documents are no longer accepted",
                    field="status",
                    rule="documents only on open claims",
                )
            values = {
                "doc_type": doc_type,
                "sha256": digest,
                "size": len(content),
                "content_type": media,
                "received_by": actor.username,
            }
            document_id = await self.claims.add_document(claim=claim["id"], received_at=clock.now(), **values)
            await record_audit(
                actor, "claim.document_receive", "claim", claim_no, None, {"id": document_id, **values}
            )
            row = await self.claims.document(int(claim["id"]), document_id)
        return row or {}

    async def verify(self, actor: Principal, claim_no: str, document_id: int) -> Row:
        """Mark a received document verified."""
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            document = await self.claims.document(int(claim["id"]), document_id)
            if document is None:
                raise DocumentNotFound(f"claim {claim_no} has no document {document_id}", field="document_id")
            if document["verified_by"]:
                raise Conflict(
                    f"document {document_id} was already verified by {document['verified_by']}",
                    field="document_id",
                    rule="verify once",
                )
            await self.claims.verify_document(document_id, actor.username, clock.now())
            await record_audit(
                actor,
                "claim.document_verify",
                "claim",
                claim_no,
                {"id": document_id, "verified_by": None},
                {"id": document_id, "verified_by": actor.username},
            )
            row = await self.claims.document(int(claim["id"]), document_id)
        return row or {}

    async def documents(self, claim_no: str) -> Row:
        """A claim's checklist with what is received and verified, its documents and the notice sent."""
        claim = await self._reload(claim_no)
        lines = await self.claims.lines(int(claim["id"]))
        documents = await self.claims.documents(int(claim["id"]))
        received = [d["doc_type"] for d in documents]
        verified = [d["doc_type"] for d in documents if d["verified_by"]]
        checklist = [
            {
                "code": item.code,
                "cn": item.cn,
                "en": item.en,
                "need": item.need,
                "of": list(item.of),
                "received": sum(1 for c in item.of if c in received),
                "verified": sum(1 for c in item.of if c in verified),
                "satisfied": item.still_needed(verified) == 0,
            }
            for item in self._checklist(claim, lines)
        ]
        return {
            "checklist": checklist,
            "documents": documents,
            "requested": json.loads(claim["documents_requested"]),
        }

    # -- reading ------------------------------------------------------------------------------------

    async def claims_view(self, claim_no: str, viewer: Principal) -> Row:
        """A claim with its lines and clocks, IDs masked unless the viewer's role needs them.

        Besides the stored columns: ``advance_payment_due``, ``rejection_notice_due`` and
        ``limitation_ends`` (``None`` for a clock that has not started).
        """
        claim = await self._reload(claim_no)
        due = self.clocks_due(claim)
        return {
            **claim,
            "advance_payment_due": due[domain.OverdueClock.ADVANCE_PAYMENT],
            "rejection_notice_due": due[domain.OverdueClock.REJECTION_NOTICE],
            "limitation_ends": self.documents_deadline(claim),
            "lines": await self.claims.lines(int(claim["id"])),
            "full_ids": viewer.role in FULL_ID_ROLES,
        }

    def clocks_due(self, claim: Row) -> dict[domain.OverdueClock, dt.date | None]:
        """Each clock's due date for a claim, ``None`` for a clock that has not started.

        Args:
            claim: a claim row (``decision_due``, ``payment_due``, ``documents_complete_on``,
                ``paused_days``, ``rejected_on``).
        """
        complete_on, rejected_on = claim["documents_complete_on"], claim["rejected_on"]
        clocks = self.policy.clocks
        return {
            domain.OverdueClock.DECISION: claim["decision_due"],
            domain.OverdueClock.ADVANCE_PAYMENT: None
            if complete_on is None
            else domain.advance_payment_due(complete_on, int(claim["paused_days"]), clocks),
            domain.OverdueClock.PAYMENT: claim["payment_due"],
            domain.OverdueClock.REJECTION_NOTICE: None
            if rejected_on is None
            else domain.rejection_notice_due(rejected_on, clocks),
        }

    async def search(self, criteria: ClaimFilter, *, limit: int, offset: int) -> tuple[list[Row], int]:
        """Claims newest first matching ``criteria``."""
        if criteria.victim_id:
            criteria = ClaimFilter(
                **{
                    **asdict(criteria),
                    "victim_id": validate_resident_id(criteria.victim_id, field="victim_id"),
                }
            )
        return await self.claims.search(criteria, limit=limit, offset=offset)

    async def transitions(self, claim_no: str) -> list[Row]:
        """A claim's status changes, oldest first."""
        claim = await self._reload(claim_no)
        return await self.claims.transitions(int(claim["id"]))

    async def payments(self, claim_no: str) -> list[Row]:
        """The claim's payments, oldest first, each with the claim's status and the total paid up to it."""
        claim = await self._reload(claim_no)
        paid = 0
        rows = []
        for row in await self.claims.payments(int(claim["id"])):
            paid += int(row["fen"])
            rows.append({**row, "claim_no": claim_no, "claim_status": claim["status"], "claim_paid": paid})
        return rows

    # -- desk views (read only) ---------------------------------------------------------------------

    async def status_counts(self, criteria: ClaimFilter) -> dict[str, int]:
        """How many claims matching ``criteria`` are in each status."""
        return await self.claims.status_counts(criteria)

    def deadline(self, claim: Row) -> tuple[str, dt.date] | None:
        """The next deadline of a claim and what it is for, or ``None`` when nothing is due.

        ``documents``: the documents must be in before the claim is time-barred (the limitation period
        after the incident); ``decision``: the assessment and approval are due; ``payment``: the approved
        amount is due to be paid.

        Args:
            claim: a claim row (``status``, ``incident_date``, ``decision_due``, ``payment_due``).
        """
        status = ClaimStatus(claim["status"])
        if status in (ClaimStatus.REGISTERED, ClaimStatus.DOCUMENTS_PENDING):
            return "documents", self.documents_deadline(claim)
        if status in (ClaimStatus.UNDER_REVIEW, ClaimStatus.ASSESSED) and claim["decision_due"]:
            return "decision", claim["decision_due"]
        if status in (ClaimStatus.APPROVED, ClaimStatus.PARTLY_PAID) and claim["payment_due"]:
            return "payment", claim["payment_due"]
        return None

    def documents_deadline(self, claim: Row) -> dt.date:
        """The last day the documents may arrive: when the limitation period after the incident ends."""
        return domain.limitation_ends(claim["incident_date"], self.policy.clocks)

    async def limits_used(self, claim_no: str) -> list[dict[str, Any]]:
        """Per line of a claim: each limit layer, what other claims already use of it and the limit.

        Layers are ``head`` (per person or household, before any uplift or grade ratio), ``household``
        (only when configured), ``event``, ``peril_year`` and ``policy_year``; amounts in fen.
        """
        claim = await self._reload(claim_no)
        rules = self.policy.rules_on(claim["incident_date"])
        peril_rules = rules.peril_rules(claim["peril"])
        found = []
        for line in await self.claims.lines(int(claim["id"])):
            usage = await self._usage(claim, line["head"])
            layers = [
                ("head", usage.head_fen, rules.terms(claim["peril"], line["head"]).limit_fen),
                ("household", usage.household_fen, rules.per_household_event_fen),
                ("event", usage.event_fen, rules.per_event_fen),
                ("peril_year", usage.peril_year_fen, peril_rules.per_peril_year_fen),
                ("policy_year", usage.policy_year_fen, rules.per_policy_year_fen),
            ]
            found.append(
                {
                    "line": int(line["position"]),
                    "head": line["head"],
                    "layers": [
                        {"layer": name, "used_fen": used, "limit_fen": limit}
                        for name, used, limit in layers
                        if limit is not None
                    ],
                }
            )
        return found

    async def payment_preview(self, claim_no: str, kind: str, amount: str | None) -> dict[str, Any]:
        """What ``pay`` would do, without doing it: the amount and the postings of its journal entry.

        Raises the same errors as ``pay`` for a payment it would refuse.
        """
        payment_kind, asked = _payment_request(kind, amount)
        claim = await self._reload(claim_no)
        domain.next_status(claim["status"], payment_kind.action)
        fen = domain.check_payment(int(claim["approved_fen"]), int(claim["paid_fen"]), asked, payment_kind)
        peril = self.policy.peril(claim["peril"])
        return {
            "claim": claim,
            "kind": payment_kind.value,
            "fen": fen,
            "postings": domain.payment_postings(peril.account, fen),
            "narration": payment_narration(peril.cn, claim_no, payment_kind),
        }

    async def document_content(self, claim_no: str, document_id: int) -> tuple[Row, bytes]:
        """A stored document of a claim and its bytes (empty for a paper original seen at the counter)."""
        claim = await self._reload(claim_no)
        document = await self.claims.document(int(claim["id"]), document_id)
        if document is None:
            raise DocumentNotFound(f"claim {claim_no} has no document {document_id}", field="document_id")
        digest = str(document["sha256"])
        if not digest:
            return document, b""
        return document, (self.settings.upload_dir / digest[:2] / digest).read_bytes()

    async def payments_on(self, day: dt.date) -> list[Row]:
        """The claim payments made on ``day``, oldest first."""
        return await self.claims.payments_on(day)

    # -- jobs ---------------------------------------------------------------------------------------

    async def mark_overdue(self, today: dt.date) -> int:
        """Flag claims that missed a clock (``domain.overdue_clocks``) and record which in
        ``overdue_reasons``; return how many claims were flagged or missed another clock."""
        async with db.write_transaction():
            flagged = 0
            for claim in await self.claims.overdue_candidates(domain.clock_statuses()):
                missed = domain.overdue_clocks(claim["status"], self.clocks_due(claim), today)
                before = [c for c in claim["overdue_reasons"].split(",") if c]
                reasons = before + [c.value for c in missed if c.value not in before]
                if reasons == before:
                    continue
                after = {"overdue": True, "overdue_reasons": ",".join(reasons)}
                await self.claims.update(int(claim["id"]), after)
                await record_audit(
                    "system",
                    "claim.overdue",
                    "claim",
                    claim["claim_no"],
                    {"overdue": claim["overdue"], "overdue_reasons": before},
                    _jsonable(
                        {
                            "overdue": True,
                            "overdue_reasons": reasons,
                            "status": claim["status"],
                            **{f"{c.value}_due": day for c, day in self.clocks_due(claim).items() if day},
                        }
                    ),
                )
                flagged += 1
        return flagged


def payment_narration(peril_cn: str, claim_no: str, kind: PaymentKind) -> str:
    """The narration of a claim payment's entry, e.g. ``火灾爆炸救助 赔付 CL-2026-000001（final）``."""
    return f"{peril_cn} 赔付 {claim_no}（{kind.value}）"


def _store(directory: Path, digest: str, content: bytes) -> None:
    """Write ``content`` once under ``<directory>/<aa>/<sha256>``, atomically."""
    target = directory / digest[:2] / digest
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(content)
    temporary.replace(target)


def _existing(row: Row) -> domain.ExistingClaim:
    """A claim row as the duplicate check sees it."""
    return domain.ExistingClaim(
        claim_id=row["claim_no"],
        victim_id=row["victim_id"],
        event_id=row["event"],
        peril=row["peril"],
        incident_date=row["incident_date"],
        status=ClaimStatus(row["status"]),
        duplicate_of=row["duplicate_of"],
    )


def _step(step: domain.Step) -> dict[str, Any]:
    return {
        "code": step.code,
        "label_en": step.label_en,
        "label_cn": step.label_cn,
        "amount": format_amount(step.amount_fen),
        "value": None if step.value_fen is None else format_amount(step.value_fen),
        "percent": None if step.percent is None else str(step.percent),
        "note": step.note,
    }


def _line_values(row: Row) -> dict[str, Any]:
    return {k: row[k] for k in ("position", "head", "claimed_fen", "grade", "unreimbursed_fen")}


def _jsonable(value: Any) -> Any:
    """Dates as ISO text, for audit snapshots."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _payment_request(kind: str, amount: str | None) -> tuple[PaymentKind, Fen | None]:
    """The payment kind and amount asked for (``None``: the rest), read alike by ``pay`` and its preview."""
    try:
        payment_kind = PaymentKind(kind)
    except ValueError:
        raise InvalidInput(
            f"unknown payment kind {kind!r}", field="kind", rule="one of " + ", ".join(PaymentKind)
        ) from None
    return payment_kind, None if amount is None else parse_amount(amount, field="amount")
