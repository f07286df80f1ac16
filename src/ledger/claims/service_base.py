"""What every claims use case shares: the repositories and policy, reloading and locking a claim,
moving it along the status machine, and the claim as the API shows it.

``ClaimsService`` (``claims/service.py``) is put together from ``registration.Registration`` and
``decisions.Decisions``, which build on ``ClaimsBase``; callers use ``ClaimsService`` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ledger import db
from ledger.claims import domain
from ledger.claims.domain import ClaimAction, ClaimStatus
from ledger.claims.errors import (
    ClaimNotFound,
)
from ledger.claims.policy import PolicyConfig, load_policy
from ledger.claims.repository import ClaimRepository, EventRepository, PolicyYearRepository, Row
from ledger.config import Settings
from ledger.core import clock
from ledger.core.money import format_amount
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


class ClaimsBase:
    """The state and helpers of the claims use cases."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = policy_of(settings)
        self.years = PolicyYearRepository()
        self.events = EventRepository()
        self.claims = ClaimRepository()

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
            jsonable(before),
            jsonable({**after, "reason": change.reason}),
        )
        return {**claim, **after}

    async def _simple(
        self, actor: Principal, claim_no: str, action: ClaimAction, reason: str, **values: Any
    ) -> Row:
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            await self._move(actor, claim, action, reason, **values)
        return await self.claims_view(claim_no, actor)

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

    def documents_deadline(self, claim: Row) -> dt.date:
        """The last day the documents may arrive: when the limitation period after the incident ends."""
        return domain.limitation_ends(claim["incident_date"], self.policy.clocks)


def existing_claim(row: Row) -> domain.ExistingClaim:
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


def step_values(step: domain.Step) -> dict[str, Any]:
    return {
        "code": step.code,
        "label_en": step.label_en,
        "label_cn": step.label_cn,
        "amount": format_amount(step.amount_fen),
        "value": None if step.value_fen is None else format_amount(step.value_fen),
        "percent": None if step.percent is None else str(step.percent),
        "note": step.note,
        "note_cn": step.note_cn,
    }


def line_values(row: Row) -> dict[str, Any]:
    return {k: row[k] for k in ("position", "head", "claimed_fen", "grade", "unreimbursed_fen")}


def jsonable(value: Any) -> Any:
    """Dates as ISO text, for audit snapshots."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
