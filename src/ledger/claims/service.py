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

from ledger import db
from ledger.claims import domain, repository
from ledger.claims.decisions import Decisions
from ledger.claims.domain import ClaimStatus, PaymentKind
from ledger.claims.errors import (
    ClaimNotEditable,
    DocumentNotFound,
    DuplicateReference,
)
from ledger.claims.policy import UploadLimits
from ledger.claims.records import ClaimPayment, DailyPayment, DocumentRecord, TransitionRecord
from ledger.claims.registration import Registration
from ledger.claims.repository import ClaimFilter, Row
from ledger.claims.service_base import (
    COUNTED,
    DECIDED,
    EDITABLE,
    FULL_ID_ROLES,
    HOUSEHOLD_STATUSES,
    RELATIONS,
    SCHEMES,
    jsonable,
    policy_of,
)
from ledger.core import clock
from ledger.core.errors import Conflict, member_of
from ledger.core.ids import validate_resident_id
from ledger.core.money import Fen, format_cny, parse_amount
from ledger.core.records import view
from ledger.journal import service as journal
from ledger.journal.service import Ledger
from ledger.platform.domain import Principal
from ledger.platform.service import record_audit

__all__ = [
    "COUNTED",
    "DECIDED",
    "EDITABLE",
    "FULL_ID_ROLES",
    "HOUSEHOLD_STATUSES",
    "RELATIONS",
    "SCHEMES",
    "ClaimsService",
    "payment_narration",
    "policy_of",
]


class ClaimsService(Registration, Decisions):
    """Events, claims, documents, assessment, approval, payment and premium receipts.

    Registration and the review's decisions are in ``claims/registration.py`` and
    ``claims/decisions.py``; payments, uploads, reads and jobs are here.
    """

    # -- payments -----------------------------------------------------------------------------------

    async def pay(
        self, actor: Principal, claim_no: str, kind: str, amount: str | None, reference: str | None
    ) -> ClaimPayment:
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
            if await self.claims.has_payment(ref):
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
        return ClaimPayment(
            claim_no=claim_no,
            kind=payment_kind.value,
            fen=fen,
            reference=ref,
            paid_on=today,
            journal_seq=entry.seq,
            paid_by=actor.username,
            claim_status=moved["status"],
            claim_paid=paid,
        )

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
    ) -> DocumentRecord:
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
            return await self._document(claim, document_id)

    async def _document(self, claim: Row, document_id: int) -> DocumentRecord:
        """The document ``document_id`` of ``claim``, or ``DocumentNotFound``."""
        document = await self.claims.document(int(claim["id"]), document_id)
        if document is None:
            raise DocumentNotFound(
                f"claim {claim['claim_no']} has no document {document_id}", field="document_id"
            )
        return document

    async def verify(self, actor: Principal, claim_no: str, document_id: int) -> DocumentRecord:
        """Mark a received document verified."""
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            document = await self._document(claim, document_id)
            if document.verified_by:
                raise Conflict(
                    f"document {document_id} was already verified by {document.verified_by}",
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
            return await self._document(claim, document_id)

    async def documents(self, claim_no: str) -> Row:
        """A claim's checklist with what is received and verified, its documents and the notice sent."""
        claim = await self._reload(claim_no)
        lines = await self.claims.lines(int(claim["id"]))
        documents = await self.claims.documents(int(claim["id"]))
        received = [d.doc_type for d in documents]
        verified = [d.doc_type for d in documents if d.verified_by]
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

    async def transitions(self, claim_no: str) -> list[TransitionRecord]:
        """A claim's status changes, oldest first."""
        claim = await self._reload(claim_no)
        return await self.claims.transitions(int(claim["id"]))

    async def payments(self, claim_no: str) -> list[ClaimPayment]:
        """The claim's payments, oldest first, each with the claim's status and the total paid up to it."""
        claim = await self._reload(claim_no)
        paid = 0
        found = []
        for payment in await self.claims.payments(int(claim["id"])):
            paid += payment.fen
            found.append(
                view(ClaimPayment, payment, claim_no=claim_no, claim_status=claim["status"], claim_paid=paid)
            )
        return found

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

    async def document_content(self, claim_no: str, document_id: int) -> tuple[DocumentRecord, bytes]:
        """A stored document of a claim and its bytes (empty for a paper original seen at the counter)."""
        claim = await self._reload(claim_no)
        document = await self._document(claim, document_id)
        digest = document.sha256
        if not digest:
            return document, b""
        return document, (self.settings.upload_dir / digest[:2] / digest).read_bytes()

    async def payments_on(self, day: dt.date) -> list[DailyPayment]:
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
                    jsonable(
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


def _payment_request(kind: str, amount: str | None) -> tuple[PaymentKind, Fen | None]:
    """The payment kind and amount asked for (``None``: the rest), read alike by ``pay`` and its preview."""
    payment_kind = member_of(PaymentKind, kind, "kind", "payment kind")
    return payment_kind, None if amount is None else parse_amount(amount, field="amount")


# --------------------------------------------------------------------------------------------------
# Reads for statements (the reports package asks these, never the claims tables)
# --------------------------------------------------------------------------------------------------


async def claims_of_period(start: dt.date, end: dt.date) -> list[repository.ClaimOfPeriod]:
    """Every claim with an incident in ``[start, end]``, in claim-number order."""
    return await repository.claims_with_incident_between(start, end)


async def decided_uses(years: Sequence[str]) -> list[repository.DecidedClaimUse]:
    """What the decided claims of the policy years ``years`` use of their limits."""
    return await repository.decided_claim_uses(years, [s.value for s in DECIDED])


async def approvals_of(claim_nos: Sequence[str]) -> list[repository.ClaimApprovals]:
    """Who approved each of the claims ``claim_nos`` and which documents back it."""
    return await repository.claim_approvals(claim_nos)
