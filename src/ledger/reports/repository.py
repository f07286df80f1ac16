"""Read-only queries of the claims and funds tables for statements. Reports never write these tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from ledger.claims.tables import ClaimRow, DocumentRow
from ledger.core import clock
from ledger.funds.tables import Grant
from ledger.reports.domain import Backing, ClaimRecord, GrantRecord

#: One ``IN (...)`` list at a time stays well under SQLite's bound-parameter limit.
_BATCH = 500


class ReportRepository:
    """Claims, grants and the approvals behind journal entries."""

    async def claims(self, start: dt.date, end: dt.date, decided: Collection[str]) -> list[ClaimRecord]:
        """Every claim with an incident in ``[start, end]``, in claim-number order.

        Args:
            start: first incident day.
            end: last incident day.
            decided: the status codes that count as decided.
        """
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
            .output(as_list=False)
        )
        return [
            ClaimRecord(
                claim_no=row["claim_no"],
                event_no=row["event.event_no"],
                incident_date=row["incident_date"],
                peril=row["peril"],
                street=row["event.street"],
                victim_name=row["victim_name"],
                victim_id=row["victim_id"],
                status=row["status"],
                approved_fen=int(row["approved_fen"]),
                paid_fen=int(row["paid_fen"]),
                policy_year=row["policy_year.code"],
                decided=row["status"] in decided,
            )
            for row in rows
        ]

    async def decided_usage(
        self, years: Sequence[str], decided: Collection[str]
    ) -> list[tuple[str, str, str, dt.date, int]]:
        """(policy year, peril, event no, incident date, approved fen) of every decided claim of ``years``."""
        if not years:
            return []
        rows = await ClaimRow.select(
            ClaimRow.policy_year.code,
            ClaimRow.peril,
            ClaimRow.event.event_no,
            ClaimRow.incident_date,
            ClaimRow.approved_fen,
        ).where(ClaimRow.policy_year.code.is_in(list(years)) & ClaimRow.status.is_in(list(decided)))
        return [
            (
                row["policy_year.code"],
                row["peril"],
                row["event.event_no"],
                row["incident_date"],
                int(row["approved_fen"]),
            )
            for row in rows
        ]

    async def grants(self, end: dt.date) -> list[GrantRecord]:
        """Every grant signed on or before ``end`` (or, unsigned, made by then), in grant-number order."""
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.zone())
        rows = (
            await Grant.select(
                Grant.grant_no,
                Grant.grantee.name,
                Grant.grantee.credit_code,
                Grant.application.project,
                Grant.status,
                Grant.signed_on,
                Grant.amount_fen,
                Grant.paid_fen,
                Grant.returned_fen,
            )
            .where((Grant.signed_on <= end) | (Grant.signed_on.is_null() & (Grant.created_at < until)))
            .order_by(Grant.grant_no)
        )
        return [
            GrantRecord(
                grant_no=row["grant_no"],
                grantee=row["grantee.name"],
                credit_code=row["grantee.credit_code"],
                project=row["application.project"],
                status=row["status"],
                signed_on=row["signed_on"],
                amount_fen=int(row["amount_fen"]),
                paid_fen=int(row["paid_fen"]),
                returned_fen=int(row["returned_fen"]),
            )
            for row in rows
        ]

    async def claim_backing(self, claim_nos: Sequence[str]) -> dict[str, Backing]:
        """Claim number -> its approvers and the types of its documents."""
        found: dict[str, Backing] = {}
        for offset in range(0, len(claim_nos), _BATCH):
            batch = list(claim_nos[offset : offset + _BATCH])
            claims = await ClaimRow.select(
                ClaimRow.id,
                ClaimRow.claim_no,
                ClaimRow.assessed_by,
                ClaimRow.first_approver,
                ClaimRow.second_approver,
            ).where(ClaimRow.claim_no.is_in(batch))
            ids = {row["id"]: row for row in claims}
            documents: dict[int, list[str]] = {}
            if ids:
                for doc in (
                    await DocumentRow.select(DocumentRow.claim, DocumentRow.doc_type)
                    .where(DocumentRow.claim.is_in(list(ids)))
                    .order_by(DocumentRow.id)
                ):
                    documents.setdefault(doc["claim"], []).append(doc["doc_type"])
            for claim_id, row in ids.items():
                approvers = tuple(name for name in (row["first_approver"], row["second_approver"]) if name)
                found[row["claim_no"]] = Backing(approvers, tuple(documents.get(claim_id, ())))
        return found

    async def grant_backing(self, grant_nos: Sequence[str]) -> dict[str, Backing]:
        """Grant number -> who decided the application and the agreement number."""
        found: dict[str, Backing] = {}
        for offset in range(0, len(grant_nos), _BATCH):
            batch = list(grant_nos[offset : offset + _BATCH])
            rows = await Grant.select(Grant.grant_no, Grant.agreement_no, Grant.application.decided_by).where(
                Grant.grant_no.is_in(batch)
            )
            for row in rows:
                approvers = (row["application.decided_by"],) if row["application.decided_by"] else ()
                documents = (f"资助协议 {row['agreement_no']}",) if row["agreement_no"] else ()
                found[row["grant_no"]] = Backing(approvers, documents)
        return found
