"""Claims use cases of the review: documents complete, assessment, approval, duplicates, rejection and
the other transitions.

Each method that writes owns one write transaction (see ``claims/service.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ledger import db
from ledger.claims import domain
from ledger.claims.domain import ClaimAction, ClaimStatus, LimitUsage
from ledger.claims.errors import (
    DocumentsIncomplete,
    EventLimitExhausted,
    NothingMissing,
)
from ledger.claims.policy import BenefitHead, RuleVersion
from ledger.claims.repository import Row
from ledger.claims.schemas import Adjustment
from ledger.claims.service_base import (
    COUNTED,
    DECIDED,
    ClaimsBase,
    existing_claim,
    step_values,
)
from ledger.claims.tables import ClaimLineRow
from ledger.core import clock
from ledger.core.errors import InvalidInput
from ledger.core.money import Fen, format_cny, parse_amount
from ledger.platform.domain import Principal
from ledger.platform.service import record_audit


class Decisions(ClaimsBase):
    """Documents, assessment, approval (four eyes, reductions, duplicates), rejection, close, reopen."""

    async def request_documents(self, actor: Principal, claim_no: str) -> Row:
        """Ask once, as one list, for every document on the checklist that has not been received."""
        async with db.write_transaction():
            claim = await self._locked(claim_no)
            domain.next_status(claim["status"], ClaimAction.REQUEST_DOCUMENTS)
            lines = await self.claims.lines(claim["id"])
            received = [doc.doc_type for doc in await self.claims.documents(claim["id"])]
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
            verified = [d.doc_type for d in await self.claims.documents(claim["id"]) if d.verified_by]
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

    async def assess(self, actor: Principal, claim_no: str, adjustments: Sequence[Adjustment]) -> Row:
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
            assessed = await self._assess_lines(claim, lines, rules, lowered)
            for line, result in assessed:
                await self.claims.update_line(
                    line["id"],
                    {
                        "rule_version": result.rule_version,
                        "rule_fen": result.rule_fen,
                        "payable_fen": result.payable_fen,
                        "trail": json.dumps([step_values(s) for s in result.trail], ensure_ascii=False),
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

    async def _assess_lines(
        self, claim: Row, lines: Sequence[Row], rules: RuleVersion, lowered: dict[int, tuple[Fen, str]]
    ) -> list[tuple[Row, domain.Assessment]]:
        """Each line assessed in order, the earlier lines of the claim counting against the limits of
        the later ones; a line the adjuster lowered is lowered with its reason."""
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
        return assessed

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
        on_file = [existing_claim(row) for row in await self.claims.of_victim(claim["victim_id"])]
        rules = self.policy.rules_on(claim["incident_date"])
        return domain.unresolved_duplicate(
            existing_claim(claim), on_file, window_days=rules.duplicate_window_days
        )

    async def duplicates_found(self, claims: Sequence[Row]) -> dict[str, str]:
        """For a queue: each claim's number -> the claim it duplicates with no override yet."""
        on_file = [
            existing_claim(row) for row in await self.claims.of_victims({c["victim_id"] for c in claims})
        ]
        found: dict[str, str] = {}
        for claim in claims:
            rules = self.policy.rules_on(claim["incident_date"])
            duplicate = domain.unresolved_duplicate(
                existing_claim(claim), on_file, window_days=rules.duplicate_window_days
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
