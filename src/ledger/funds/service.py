"""The charity guidance fund's use cases. Each write owns one transaction, audits every change and
posts its journal entry in that same transaction (DESIGN invariants 2, 4, 7); the Beancount files are
brought up to date after the commit.

Every change of a fund's position (receipt, approval, signing, tranche, release, return) is decided
under ``serialize("fund:<id>")``, taken before the position is read: on PostgreSQL an advisory lock, on
SQLite the ``BEGIN IMMEDIATE`` write lock. Concurrent approvals are therefore judged one after another
on fresh sums and ``available`` never goes below zero. Locks are always taken fund first, journal
second. The pure rules are in ``ledger.funds.domain``; the accounting choices in docs/decisions/0002.

Workflow decisions (beyond ADR 0002):

- An application is recorded by an accountant (status ``submitted``); reviews are recorded by the
  signed-in reviewer; approval or rejection is by an accountant or administrator who neither recorded
  nor reviewed it and is not linked to the organisation. Approval commits the amount (a grant in
  ``agreement_pending`` with its tranche schedule); signing posts the commitment entry.
- Acceptance of a report is by someone other than its recorder. The final report's acceptance (or an
  acceptance marked ``final``, ending a project early) releases any unpaid commitment at once; unspent
  money is returned while the grant is ``final_accepted`` (or cancelled), then the grant is closed.
- Periods are closed in order, only after they end; nothing may be booked into a closed period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from ledger.config import Settings
from ledger.core import clock
from ledger.core.entries import Posting
from ledger.core.errors import InvalidInput, NotFound
from ledger.core.money import Fen, format_amount
from ledger.core.records import snapshot
from ledger.db import serialize, write_transaction
from ledger.funds import domain, records
from ledger.funds.config import FundConfig, load_fund_config
from ledger.funds.domain import (
    ApplicationAction,
    ApplicationStatus,
    FundPosition,
    GrantAction,
    GrantBalance,
    GrantStatus,
    MatchingRule,
    ReceiptKind,
    Restriction,
)
from ledger.funds.errors import (
    ApplicationNotFound,
    CallNotFound,
    DuplicateConflictLink,
    DuplicateFund,
    DuplicateGrantee,
    DuplicateReceipt,
    DuplicateReview,
    FundNotFound,
    FutureDate,
    GranteeNotFound,
    GrantNotFound,
    PeriodClosed,
    PeriodNotOver,
    PeriodOutOfOrder,
    ReportNotFound,
    ReportNotPending,
    UserNotFound,
)
from ledger.funds.repository import (
    ApplicationRepository,
    CallRepository,
    FundRepository,
    GranteeRepository,
    GrantRepository,
    PeriodCloseRepository,
)
from ledger.journal import service as journal
from ledger.journal.service import Ledger
from ledger.platform.domain import Principal
from ledger.platform.repository import UserRepository
from ledger.platform.service import record_audit

BOOK = "charity"
CLOSE_LOCK = "charity-close"

TRANCHE_SCHEDULED = "scheduled"
TRANCHE_PAID = "paid"
TRANCHE_RELEASED = "released"
REPORT_SUBMITTED = "submitted"
REPORT_ACCEPTED = "accepted"
REPORT_SENT_BACK = "sent_back"


@cache
def fund_config() -> FundConfig:
    """The packaged fund parameters, read once per process."""
    return load_fund_config()


# --------------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------------


def matching_rule(call: records.CallRecord) -> MatchingRule:
    """The matching rule stored on a call."""
    return MatchingRule(
        max_fund_share_percent=Decimal(call.max_fund_share_percent),
        require_full_funding=call.require_full_funding,
        max_grant_fen=call.max_grant_fen,
    )


def percents_of(text: str) -> tuple[int, ...]:
    """The tranche percents stored as ``"60,40"``."""
    return tuple(int(p) for p in text.split(","))


def grant_balance(grant: records.GrantRecord | records.GrantMoney) -> GrantBalance:
    """One grant's money as the domain sees it."""
    return GrantBalance(
        amount=grant.amount_fen,
        paid=grant.paid_fen,
        returned=grant.returned_fen,
        released=grant.released_fen,
    )


def _not_future(on: dt.date, field: str) -> dt.date:
    if on > clock.today():
        raise FutureDate(f"{field} is in the future: {on.isoformat()}", field=field, rule="not in the future")
    return on


async def _booking_date(on: dt.date, field: str) -> dt.date:
    """Refuse a booking date in the future or in a closed period (call inside the transaction)."""
    _not_future(on, field)
    latest = await PeriodCloseRepository().latest()
    closed = domain.closed_period_of(
        on, None if latest is None else domain.ClosedPeriod(latest.period, latest.ends_on)
    )
    if closed is not None:
        raise PeriodClosed(
            f"{field} {on.isoformat()} falls in period {closed.period}, closed through "
            f"{closed.ends_on.isoformat()}",
            field=field,
            rule="booking date after the last closed period",
        )
    return on


def _required(text: str, field: str) -> str:
    value = text.strip()
    if not value:
        raise InvalidInput(f"{field} must not be empty", field=field, rule="required")
    return value


R = TypeVar("R")


def _found(row: R | None, error: type[NotFound], what: str, key: object) -> R:
    """``row``, or ``error`` naming the input at fault: ``fund_id`` in a path or a body for a fund."""
    if row is None:
        raise error(f"{what} {key} does not exist", field=f"{what}_id")
    return row


def _business_date(on: dt.date | dt.datetime) -> dt.date:
    """A stored date, or a stored time as the date in the business time zone."""
    if isinstance(on, dt.datetime):
        aware = on if on.tzinfo else on.replace(tzinfo=dt.UTC)
        return aware.astimezone(clock.zone()).date()
    return on


@dataclass(frozen=True, slots=True)
class ClosePlan:
    """What closing a period posts: its key, last day and the legs of its entry (none if all zero)."""

    period: str
    key: str
    ends_on: dt.date
    postings: tuple[Posting, ...]


class _Books:
    """What every service shares: the ledger to export to and the repositories."""

    def __init__(self, settings: Settings) -> None:
        self.ledger = Ledger.of(settings)
        self.funds = FundRepository()
        self.grantees = GranteeRepository()
        self.calls = CallRepository()
        self.applications = ApplicationRepository()
        self.grants = GrantRepository()
        self.closes = PeriodCloseRepository()

    async def fund(self, fund_id: int) -> records.FundRecord:
        return _found(await self.funds.get(fund_id), FundNotFound, "fund", fund_id)

    async def grantee(self, grantee_id: int) -> records.GranteeRecord:
        return _found(await self.grantees.get(grantee_id), GranteeNotFound, "grantee", grantee_id)

    async def call(self, call_id: int) -> records.CallRecord:
        return _found(await self.calls.get(call_id), CallNotFound, "call", call_id)

    async def application(self, application_id: int) -> records.ApplicationRecord:
        return _found(
            await self.applications.get(application_id), ApplicationNotFound, "application", application_id
        )

    async def grant(self, grant_id: int) -> records.GrantRecord:
        return _found(await self.grants.get(grant_id), GrantNotFound, "grant", grant_id)

    async def position(self, fund_id: int) -> FundPosition:
        """The fund's position summed from its receipts and grants (read inside the fund's lock)."""
        committed = unsigned = paid = returned = 0
        for row in await self.funds.grant_money(fund_id):
            balance = grant_balance(row)
            committed += balance.unpaid
            if row.status == GrantStatus.AGREEMENT_PENDING:
                unsigned += balance.unpaid
            paid += balance.paid
            returned += balance.returned
        return FundPosition(
            received=await self.funds.received_fen(fund_id),
            committed_unpaid=committed,
            unsigned=unsigned,
            paid=paid,
            returned=returned,
        )

    async def conflicted_users(self, grantee_id: int) -> list[str]:
        return [row.username for row in await self.grantees.links(grantee_id)]


# --------------------------------------------------------------------------------------------------
# Funds, receipts, positions and period closes
# --------------------------------------------------------------------------------------------------


class FundService(_Books):
    """Funds, the money received into them, their position and the charity book's period close."""

    async def create_fund(
        self, *, code: str, name: str, purpose: str, restriction: Restriction, actor: Principal
    ) -> records.FundRecord:
        """Create a fund; refuse a taken code with ``DuplicateFund``."""
        async with write_transaction():
            if await self.funds.by_code(code):
                raise DuplicateFund(f"fund {code!r} exists already", field="code", rule="unique code")
            fund_id = await self.funds.add(
                code=code,
                name=name,
                purpose=purpose,
                restriction=restriction.value,
                created_by=actor.username,
                created_at=clock.now(),
            )
            fund = await self.fund(fund_id)
            await record_audit(actor, "fund.create", "fund", fund_id, None, fund)
        return fund

    async def record_receipt(
        self,
        fund_id: int,
        *,
        kind: ReceiptKind,
        amount_fen: Fen,
        donor: str,
        agreement: str,
        reference: str,
        received_on: dt.date,
        actor: Principal,
    ) -> records.ReceiptRecord:
        """Record money received (Dr 1002 / Cr the income account of its kind and the fund's restriction).

        Raises:
            DuplicateReceipt: a receipt with this bank reference exists already (``extra`` names it).
        """
        domain.check_receipt(
            kind,
            amount_fen,
            donor=donor,
            agreement=agreement,
            reference=reference,
            received_on=received_on,
            today=clock.today(),
        )
        async with write_transaction():
            fund = await self.fund(fund_id)
            await serialize(f"fund:{fund_id}")
            await serialize(f"receipt-reference:{reference.strip()}")
            await _booking_date(received_on, "received_on")
            await self._unique_reference(reference.strip())
            receipt_id = await self.funds.add_receipt(
                fund=fund_id,
                kind=kind.value,
                donor=donor.strip(),
                agreement_no=agreement.strip(),
                bank_reference=reference.strip(),
                received_on=received_on,
                fen=amount_fen,
                recorded_by=actor.username,
                created_at=clock.now(),
            )
            entry = await journal.post(
                date=received_on,
                book=BOOK,
                payee=donor.strip(),
                narration=f"{fund.name} 收款 {agreement.strip()}",
                postings=domain.receipt_postings(kind, Restriction(fund.restriction), amount_fen),
                cause=f"fund-receipt:{receipt_id}",
                actor=actor.username,
                links={"fund": fund.code, "agreement": agreement.strip()},
            )
            await self.funds.set_receipt_seq(receipt_id, entry.seq)
            receipt = _found(await self.funds.receipt(receipt_id), NotFound, "receipt", receipt_id)
            await record_audit(actor, "fund.receipt", "fund_receipt", receipt_id, None, receipt)
        await self.ledger.export_quietly()
        return receipt

    async def _unique_reference(self, reference: str) -> None:
        first = await self.funds.receipt_by_reference(reference)
        if first is not None:
            raise DuplicateReceipt(
                f"bank reference {reference} was already recorded on receipt {first.id} of "
                f"{first.received_on.isoformat()} ({first.donor}, {format_amount(first.fen)})",
                field="reference",
                rule="unique bank reference",
                extra={
                    "receipt_id": first.id,
                    "received_on": first.received_on.isoformat(),
                    "donor": first.donor,
                    "amount": format_amount(first.fen),
                },
            )

    async def fund_by_code(self, code: str) -> records.FundRecord | None:
        """The fund called ``code``, or ``None``."""
        return await self.funds.by_code(code)

    async def all_funds(self) -> list[records.FundRecord]:
        """Every fund, oldest first."""
        return await self.funds.all()

    async def receipts(self, fund_id: int, *, limit: int, offset: int) -> list[records.ReceiptRecord]:
        """An existing fund's receipts, oldest first."""
        await self.fund(fund_id)
        return await self.funds.receipts(fund_id, limit=limit, offset=offset)

    async def closed_periods(self) -> list[records.PeriodCloseRecord]:
        """Closed periods of the charity book, oldest first."""
        return await self.closes.all()

    async def fund_position(self, fund_id: int) -> FundPosition:
        """The fund's position now."""
        await self.fund(fund_id)
        return await self.position(fund_id)

    async def monthly_flows(self, fund_id: int) -> list[domain.MonthFlow]:
        """What was received, committed, paid and returned in each month (a grant is committed on its
        agreement's date, unsigned on its approval's date in the business time zone)."""
        await self.fund(fund_id)
        dated = await self.funds.dated_flows(fund_id)
        return domain.monthly_flows(
            {kind: [(_business_date(on), fen) for on, fen in rows] for kind, rows in dated.items()}
        )

    async def programme_totals(self, fund_id: int) -> list[domain.ProgrammeTotal]:
        """The fund's grants summed by programme area (the call they were made under)."""
        await self.fund(fund_id)
        rows = await self.funds.grants_by_call(fund_id)
        return domain.programme_totals((area, grant_balance(money)) for area, money in rows)

    async def close_preview(self, period: str) -> ClosePlan:
        """What closing ``period`` would post now, refused as ``close_period`` would refuse it."""
        return await self._close_plan(period)

    async def _close_plan(self, period: str) -> ClosePlan:
        """Check that ``period`` may be closed and compute its entry's legs (read the ledger as it is).

        Raises:
            PeriodNotOver: the period's last day is today or later.
            PeriodAlreadyClosed: it was closed before.
            PeriodOutOfOrder: a later period is closed already.
        """
        key = domain.period_close_key(period)
        ends_on = domain.period_end(period)
        if ends_on >= clock.today():
            raise PeriodNotOver(
                f"period {period} ends on {ends_on.isoformat()}; close it after that day",
                field="period",
                rule="period is over",
            )
        closed = await self.closes.all()
        domain.check_period_open(period, [row.period for row in closed])
        latest = domain.ClosedPeriod(closed[-1].period, closed[-1].ends_on) if closed else None
        if domain.closed_period_of(ends_on, latest) is not None:
            raise PeriodOutOfOrder(
                f"period {period} ends before {closed[-1].period}, which is closed already",
                field="period",
                rule="close periods in order",
            )
        legs = domain.period_close_postings(await journal.balances(BOOK, ends_on))
        return ClosePlan(period=period, key=key, ends_on=ends_on, postings=legs)

    async def close_period(self, period: str, *, actor: Principal) -> records.PeriodCloseRecord:
        """Close ``period`` (``2026-10`` or ``2026``) once: income and expense into net assets.

        Raises:
            PeriodNotOver: the period's last day is today or later.
            PeriodAlreadyClosed: it was closed before.
            PeriodOutOfOrder: a later period is closed already.
        """
        async with write_transaction():
            await serialize(CLOSE_LOCK)
            plan = await self._close_plan(period)
            key, ends_on, legs = plan.key, plan.ends_on, plan.postings
            seq = None
            if legs:
                entry = await journal.post(
                    date=ends_on,
                    book=BOOK,
                    narration=f"期末结转 {period}",
                    postings=legs,
                    cause=f"period-close:{period}",
                    actor=actor.username,
                    links={"period": period},
                )
                seq = entry.seq
            close_id = await self.closes.add(
                key=key,
                period=period,
                ends_on=ends_on,
                journal_seq=seq,
                closed_by=actor.username,
                created_at=clock.now(),
            )
            row = {"id": close_id, "period": period, "ends_on": ends_on, "journal_seq": seq}
            await record_audit(actor, "fund.period_close", "fund_period_close", close_id, None, row)
            close = _found(await self.closes.get(close_id), NotFound, "period close", close_id)
        await self.ledger.export_quietly()
        return close


# --------------------------------------------------------------------------------------------------
# Grantees, calls, applications, reviews and decisions
# --------------------------------------------------------------------------------------------------


class ApplicationService(_Books):
    """Organisations, calls for applications, applications, their review and the decision."""

    async def grantee_page(self, *, limit: int, offset: int) -> list[records.GranteeRecord]:
        """Organisations by id."""
        return await self.grantees.page(limit=limit, offset=offset)

    async def grantee_detail(
        self, grantee_id: int
    ) -> tuple[records.GranteeRecord, list[records.ConflictLinkRecord]]:
        """An organisation with its conflict-of-interest links."""
        return await self.grantee(grantee_id), await self.grantees.links(grantee_id)

    async def call_page(self, *, limit: int, offset: int) -> list[records.CallRecord]:
        """Calls by id."""
        return await self.calls.page(limit=limit, offset=offset)

    async def application_page(
        self, *, call_id: int | None, status: str | None, limit: int, offset: int
    ) -> list[records.ApplicationRecord]:
        """Applications by id, optionally of one call or in one status."""
        return await self.applications.page(call_id=call_id, status=status, limit=limit, offset=offset)

    async def reviews(self, application_id: int) -> list[records.ReviewRecord]:
        """An application's reviews, oldest first."""
        return await self.applications.reviews(application_id)

    async def add_grantee(
        self,
        *,
        credit_code: str,
        name: str,
        contact_person: str,
        contact_phone: str,
        bank_name: str,
        bank_account: str,
        actor: Principal,
    ) -> records.GranteeRecord:
        """Register a social organisation under its validated unified social credit code."""
        code = domain.validate_grantee_credit_code(
            credit_code, registration_authorities=fund_config().grantee_registration_authorities
        )
        async with write_transaction():
            if await self.grantees.by_credit_code(code):
                raise DuplicateGrantee(
                    f"an organisation with credit code {code} exists already",
                    field="credit_code",
                    rule="unique credit code",
                )
            grantee_id = await self.grantees.add(
                credit_code=code,
                name=name.strip(),
                contact_person=contact_person.strip(),
                contact_phone=contact_phone.strip(),
                bank_name=bank_name.strip(),
                bank_account=bank_account.strip(),
                created_by=actor.username,
                created_at=clock.now(),
            )
            grantee = await self.grantee(grantee_id)
            await record_audit(actor, "grantee.create", "fund_grantee", grantee_id, None, grantee)
        return grantee

    async def link_conflict(
        self, grantee_id: int, *, username: str, reason: str, actor: Principal
    ) -> records.ConflictLinkRecord:
        """Record that ``username`` is linked to the organisation (may not review or decide its cases)."""
        async with write_transaction():
            await self.grantee(grantee_id)
            if await UserRepository().by_username(username) is None:
                raise UserNotFound(f"user {username!r} does not exist", field="username")
            key = f"{grantee_id}|{username}"
            if await self.grantees.link_by_key(key):
                raise DuplicateConflictLink(
                    f"user {username!r} is already linked to organisation {grantee_id}",
                    field="username",
                    rule="one link per user and organisation",
                )
            link_id = await self.grantees.add_link(
                key=key,
                username=username,
                grantee=grantee_id,
                reason=reason.strip(),
                created_by=actor.username,
                created_at=clock.now(),
            )
            link = _found(await self.grantees.link_by_key(key), NotFound, "link", key)
            await record_audit(actor, "grantee.conflict_link", "fund_conflict_link", link_id, None, link)
        return link

    async def create_call(
        self,
        fund_id: int,
        *,
        title: str,
        budget_fen: Fen,
        opens_on: dt.date,
        closes_on: dt.date,
        rule: MatchingRule | None,
        tranche_percents: Sequence[int] | None,
        actor: Principal,
    ) -> records.CallRecord:
        """Open a call with a budget, a window, a matching rule and a tranche split (defaults: fund.toml)."""
        domain.check_call(budget_fen, opens_on, closes_on)
        rule = rule or fund_config().matching
        percents = domain.check_tranche_percents(tranche_percents or fund_config().tranche_percents)
        async with write_transaction():
            await self.fund(fund_id)
            call_id = await self.calls.add(
                fund=fund_id,
                title=title.strip(),
                budget_fen=budget_fen,
                opens_on=opens_on,
                closes_on=closes_on,
                max_fund_share_percent=str(rule.max_fund_share_percent),
                require_full_funding=rule.require_full_funding,
                max_grant_fen=rule.max_grant_fen,
                tranche_percents=",".join(str(p) for p in percents),
                created_by=actor.username,
                created_at=clock.now(),
            )
            call = await self.call(call_id)
            await record_audit(actor, "call.create", "fund_call", call_id, None, call)
        return call

    async def record_application(
        self,
        call_id: int,
        *,
        grantee_id: int,
        project: str,
        project_budget_fen: Fen,
        requested_fen: Fen,
        pledged_fen: Fen,
        submitted_on: dt.date,
        actor: Principal,
    ) -> records.ApplicationRecord:
        """Record an organisation's application, checked against the call's window and matching rule."""
        _not_future(submitted_on, "submitted_on")
        async with write_transaction():
            call = await self.call(call_id)
            await self.grantee(grantee_id)
            domain.check_in_window(call.opens_on, call.closes_on, submitted_on)
            domain.check_matching(matching_rule(call), project_budget_fen, requested_fen, pledged_fen)
            application_id = await self.applications.add(
                call=call_id,
                grantee=grantee_id,
                project=project.strip(),
                project_budget_fen=project_budget_fen,
                requested_fen=requested_fen,
                pledged_fen=pledged_fen,
                submitted_on=submitted_on,
                status=domain.next_application_status(ApplicationStatus.DRAFT, ApplicationAction.SUBMIT),
                recorded_by=actor.username,
                created_at=clock.now(),
            )
            application = await self.application(application_id)
            await record_audit(
                actor, "application.submit", "fund_application", application_id, None, application
            )
        return application

    async def review(
        self, application_id: int, *, score: int, notes: str, actor: Principal
    ) -> records.ApplicationRecord:
        """Record the signed-in user's review (not the recorder's, not a conflicted user's)."""
        domain.check_score(score, fund_config().score_scale)
        async with write_transaction():
            before = await self.application(application_id)
            status = domain.next_application_status(before.status, ApplicationAction.REVIEW)
            domain.check_reviewer(
                actor.username,
                await self.conflicted_users(before.grantee_id),
                recorded_by=before.recorded_by,
            )
            key = f"{application_id}|{actor.username}"
            if await self.applications.review_by_key(key):
                raise DuplicateReview(
                    f"{actor.username} has already reviewed application {application_id}",
                    field="reviewed_by",
                    rule="one review per reviewer",
                )
            review_id = await self.applications.add_review(
                key=key,
                application=application_id,
                reviewer=actor.username,
                score=score,
                notes=notes.strip(),
                created_at=clock.now(),
            )
            await self.applications.update(application_id, status=status)
            after = await self.application(application_id)
            await record_audit(
                actor,
                "application.review",
                "fund_application",
                application_id,
                before,
                {**snapshot(after), "review": {"id": review_id, "score": score, "notes": notes.strip()}},
            )
        return after

    async def _check_decider(self, application: records.ApplicationRecord, actor: Principal) -> None:
        reviewers = [row.reviewer for row in await self.applications.reviews(application.id)]
        domain.check_decider(
            actor.username,
            application.recorded_by,
            reviewers,
            await self.conflicted_users(application.grantee_id),
        )

    async def approve(
        self, application_id: int, *, approved_fen: Fen, actor: Principal
    ) -> records.GrantRecord:
        """Approve ``approved_fen`` (≤ requested) and commit it: a grant awaiting its agreement.

        Judged under the fund's lock on fresh sums, so concurrent approvals never commit more than
        the fund has available, nor more than the call's budget.

        Returns:
            The new grant.
        """
        async with write_transaction():
            call = await self.call((await self.application(application_id)).call_id)
            await serialize(f"fund:{call.fund_id}")
            before = await self.application(application_id)
            status = domain.next_application_status(before.status, ApplicationAction.APPROVE)
            await self._check_decider(before, actor)
            domain.check_matching(
                matching_rule(call),
                int(before.project_budget_fen),
                int(before.requested_fen),
                int(before.pledged_fen),
                approved_fen,
            )
            domain.check_call_budget(
                int(call.budget_fen), await self.calls.committed_fen(call.id), approved_fen
            )
            domain.after_commit(await self.position(call.fund_id), approved_fen, signed=False)
            percents = percents_of(call.tranche_percents)
            schedule = domain.tranche_schedule(approved_fen, percents)
            now = clock.now()
            await self.applications.update(
                application_id,
                status=status,
                approved_fen=approved_fen,
                decided_by=actor.username,
                decided_at=now,
            )
            grant_no = f"GR-{application_id:05d}"
            grant_id = await self.grants.add(
                grant_no=grant_no,
                application=application_id,
                fund=call.fund_id,
                grantee=before.grantee_id,
                amount_fen=approved_fen,
                status=GrantStatus.AGREEMENT_PENDING.value,
                tranche_percents=call.tranche_percents,
                created_at=now,
            )
            for n, fen in enumerate(schedule, start=1):
                await self.grants.add_tranche(
                    key=f"{grant_no}/{n}", grant=grant_id, n=n, amount_fen=fen, status=TRANCHE_SCHEDULED
                )
            after = await self.application(application_id)
            grant = await self.grant(grant_id)
            await record_audit(
                actor, "application.approve", "fund_application", application_id, before, after
            )
            await record_audit(actor, "grant.commit", "fund_grant", grant_id, None, grant)
        return grant

    async def reject(
        self, application_id: int, *, reason: str, actor: Principal
    ) -> records.ApplicationRecord:
        """Reject an application with a reason (by someone who neither recorded nor reviewed it)."""
        text = domain.check_rejection_reason(reason)
        async with write_transaction():
            before = await self.application(application_id)
            status = domain.next_application_status(before.status, ApplicationAction.REJECT)
            await self._check_decider(before, actor)
            await self.applications.update(
                application_id,
                status=status,
                decided_by=actor.username,
                decision_reason=text,
                decided_at=clock.now(),
            )
            after = await self.application(application_id)
            await record_audit(actor, "application.reject", "fund_application", application_id, before, after)
        return after


# --------------------------------------------------------------------------------------------------
# Grants: agreement, tranches, reports, returns, cancellation, closing
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GrantContext:
    """A grant read under its fund's lock, with what its entries need."""

    grant: records.GrantRecord
    fund: records.FundRecord
    grantee: records.GranteeRecord

    @property
    def restriction(self) -> Restriction:
        return Restriction(self.fund.restriction)

    def links(self, **more: str) -> dict[str, str]:
        return {"grant": self.grant.grant_no, "fund": self.fund.code, **more}


class GrantService(_Books):
    """A grant from its agreement to its closing."""

    async def _locked(self, grant_id: int) -> GrantContext:
        """Take the grant's fund lock and read the grant afresh (inside the transaction)."""
        fund_id = (await self.grant(grant_id)).fund_id
        await serialize(f"fund:{fund_id}")
        grant = await self.grant(grant_id)
        return GrantContext(
            grant=grant, fund=await self.fund(fund_id), grantee=await self.grantee(grant.grantee_id)
        )

    async def _post(
        self,
        ctx: GrantContext,
        *,
        on: dt.date,
        narration: str,
        legs: Sequence[Posting],
        cause: str,
        actor: Principal,
        **links: str,
    ) -> int:
        entry = await journal.post(
            date=on,
            book=BOOK,
            payee=ctx.grantee.name,
            narration=f"{narration} {ctx.grant.grant_no}",
            postings=legs,
            cause=cause,
            actor=actor.username,
            links=ctx.links(**links),
        )
        return entry.seq

    async def _release_unpaid(
        self, ctx: GrantContext, *, on: dt.date, field: str, why: str, actor: Principal
    ) -> dict[str, Any]:
        """Release the grant's unpaid commitment (posted if the agreement was signed); return the changes."""
        balance = grant_balance(ctx.grant)
        unpaid = balance.unpaid
        if unpaid == 0:
            return {}
        signed = ctx.grant.status != GrantStatus.AGREEMENT_PENDING
        domain.after_cancel(await self.position(ctx.fund.id), unpaid, signed=signed)
        changes: dict[str, Any] = {"released_fen": domain.grant_after_release(balance, unpaid).released}
        if signed:
            changes["release_seq"] = await self._post(
                ctx,
                on=await _booking_date(on, field),
                narration=f"{why} 释放未付资助款",
                legs=domain.cancellation_postings(unpaid, ctx.restriction),
                cause=f"grant-release:{ctx.grant.id}",
                actor=actor,
            )
        for tranche in await self.grants.tranches(ctx.grant.id):
            if tranche.status == TRANCHE_SCHEDULED:
                await self.grants.update_tranche(tranche.id, status=TRANCHE_RELEASED)
        return changes

    async def _finish(
        self, ctx: GrantContext, action: str, actor: Principal, **changes: Any
    ) -> records.GrantRecord:
        await self.grants.update(ctx.grant.id, **changes)
        after = await self.grant(ctx.grant.id)
        await record_audit(actor, action, "fund_grant", ctx.grant.id, ctx.grant, after)
        return after

    async def sign(
        self, grant_id: int, *, agreement: str, signed_on: dt.date, actor: Principal
    ) -> records.GrantRecord:
        """Sign the agreement: Dr 5101 / Cr 2209 and, for a restricted fund, Dr 3102 / Cr 3101."""
        number = _required(agreement, "agreement")
        async with write_transaction():
            ctx = await self._locked(grant_id)
            status = domain.next_grant_status(ctx.grant.status, GrantAction.SIGN)
            amount = int(ctx.grant.amount_fen)
            domain.after_signing(await self.position(ctx.fund.id), amount)
            seq = await self._post(
                ctx,
                on=await _booking_date(signed_on, "signed_on"),
                narration="签订资助协议",
                legs=domain.commitment_postings(amount, ctx.restriction),
                cause=f"grant-commitment:{grant_id}",
                actor=actor,
                agreement=number,
            )
            after = await self._finish(
                ctx,
                "grant.sign",
                actor,
                status=status,
                agreement_no=number,
                signed_on=signed_on,
                commitment_seq=seq,
            )
        await self.ledger.export_quietly()
        return after

    async def pay_tranche(
        self, grant_id: int, n: int, *, paid_on: dt.date, payment_ref: str, actor: Principal
    ) -> records.GrantRecord:
        """Pay tranche ``n``: Dr 2209 / Cr 1002; tranche ``n > 1`` needs the previous report accepted."""
        reference = _required(payment_ref, "payment_ref")
        async with write_transaction():
            ctx = await self._locked(grant_id)
            status = domain.next_grant_status(ctx.grant.status, GrantAction.PAY_TRANCHE)
            tranches = await self.grants.tranches(grant_id)
            domain.check_tranche_order(
                n,
                tranche_count=len(tranches),
                paid_tranches=sum(1 for t in tranches if t.status == TRANCHE_PAID),
                accepted_reports=int(ctx.grant.accepted_reports),
            )
            tranche = tranches[n - 1]
            amount = int(tranche.amount_fen)
            domain.after_tranche_paid(await self.position(ctx.fund.id), amount)
            balance = domain.grant_after_tranche_paid(grant_balance(ctx.grant), amount)
            seq = await self._post(
                ctx,
                on=await _booking_date(paid_on, "paid_on"),
                narration=f"拨付第{n}期资助款",
                legs=domain.tranche_payment_postings(amount),
                cause=f"grant-tranche:{tranche.id}",
                actor=actor,
                tranche=str(n),
                **{"payment-ref": reference},
            )
            await self.grants.update_tranche(
                tranche.id,
                status=TRANCHE_PAID,
                paid_on=paid_on,
                payment_ref=reference,
                paid_by=actor.username,
                journal_seq=seq,
            )
            after = await self._finish(ctx, "grant.pay_tranche", actor, status=status, paid_fen=balance.paid)
        await self.ledger.export_quietly()
        return after

    async def submit_report(
        self, grant_id: int, *, summary: str, submitted_on: dt.date, actor: Principal
    ) -> records.ReportRecord:
        """Record the grantee's report on the latest tranche (final once every tranche is paid)."""
        text = _required(summary, "summary")
        _not_future(submitted_on, "submitted_on")
        async with write_transaction():
            ctx = await self._locked(grant_id)
            status = domain.next_grant_status(ctx.grant.status, GrantAction.SUBMIT_REPORT)
            tranches = await self.grants.tranches(grant_id)
            paid = sum(1 for t in tranches if t.status == TRANCHE_PAID)
            kind = "final" if paid >= len(tranches) else "mid"
            report_id = await self.grants.add_report(
                grant=grant_id,
                kind=kind,
                summary=text,
                submitted_on=submitted_on,
                recorded_by=actor.username,
                status=REPORT_SUBMITTED,
            )
            await self._finish(ctx, "grant.report_submit", actor, status=status)
        return _found(await self.grants.report(report_id), ReportNotFound, "report", report_id)

    async def _pending_report(self, grant_id: int, report_id: int) -> records.ReportRecord:
        report = await self.grants.report(report_id)
        if report is None or report.grant_id != grant_id:
            raise ReportNotFound(f"grant {grant_id} has no report {report_id}", field="report_id")
        if report.status != REPORT_SUBMITTED:
            raise ReportNotPending(
                f"report {report_id} is {report.status}", field="status", rule="report submitted"
            )
        return report

    async def accept_report(
        self,
        grant_id: int,
        report_id: int,
        *,
        final: bool,
        notes: str,
        accepted_on: dt.date,
        actor: Principal,
    ) -> records.GrantRecord:
        """Accept a report (not by its recorder or a conflicted user).

        The report is final once every tranche is paid, or when ``final`` says the project ended
        early; final acceptance releases any unpaid commitment (Dr 2209 / Cr 5101, Dr 3101 / Cr 3102)
        dated ``accepted_on``.
        """
        _not_future(accepted_on, "accepted_on")
        async with write_transaction():
            ctx = await self._locked(grant_id)
            report = await self._pending_report(grant_id, report_id)
            domain.check_decider(
                actor.username,
                report.recorded_by,
                (),
                await self.conflicted_users(ctx.grant.grantee_id),
                field="accepted_by",
            )
            tranches = await self.grants.tranches(grant_id)
            paid = sum(1 for t in tranches if t.status == TRANCHE_PAID)
            action = domain.report_acceptance_action(paid, len(tranches))
            if final:
                action = GrantAction.ACCEPT_FINAL_REPORT
            status = domain.next_grant_status(ctx.grant.status, action)
            changes: dict[str, Any] = {}
            if action is GrantAction.ACCEPT_FINAL_REPORT:
                changes = await self._release_unpaid(
                    ctx, on=accepted_on, field="accepted_on", why="结项", actor=actor
                )
            await self.grants.update_report(
                report_id,
                status=REPORT_ACCEPTED,
                kind="final" if action is GrantAction.ACCEPT_FINAL_REPORT else report.kind,
                decided_by=actor.username,
                decision_notes=notes.strip(),
                decided_at=clock.now(),
            )
            after = await self._finish(
                ctx,
                "grant.report_accept",
                actor,
                status=status,
                accepted_reports=int(ctx.grant.accepted_reports) + 1,
                **changes,
            )
        await self.ledger.export_quietly()
        return after

    async def send_back_report(
        self, grant_id: int, report_id: int, *, notes: str, actor: Principal
    ) -> records.GrantRecord:
        """Send a report back to the grantee with notes on what to fix."""
        text = _required(notes, "notes")
        async with write_transaction():
            ctx = await self._locked(grant_id)
            await self._pending_report(grant_id, report_id)
            status = domain.next_grant_status(ctx.grant.status, GrantAction.SEND_BACK_REPORT)
            await self.grants.update_report(
                report_id,
                status=REPORT_SENT_BACK,
                decided_by=actor.username,
                decision_notes=text,
                decided_at=clock.now(),
            )
            return await self._finish(ctx, "grant.report_send_back", actor, status=status)

    async def record_return(
        self, grant_id: int, *, amount_fen: Fen, returned_on: dt.date, reference: str, actor: Principal
    ) -> records.GrantRecord:
        """Record unspent money paid back: Dr 1002 / Cr 5101 and Dr 3101 / Cr 3102; available again."""
        async with write_transaction():
            ctx = await self._locked(grant_id)
            status = domain.next_grant_status(ctx.grant.status, GrantAction.RECORD_RETURN)
            domain.after_return(await self.position(ctx.fund.id), amount_fen)
            balance = domain.grant_after_return(grant_balance(ctx.grant), amount_fen)
            on = await _booking_date(returned_on, "returned_on")
            return_id = await self.grants.add_return(
                grant=grant_id,
                fen=amount_fen,
                returned_on=returned_on,
                reference=reference.strip(),
                recorded_by=actor.username,
                created_at=clock.now(),
            )
            seq = await self._post(
                ctx,
                on=on,
                narration="退回结余资助款",
                legs=domain.return_postings(amount_fen, ctx.restriction),
                cause=f"grant-return:{return_id}",
                actor=actor,
            )
            await self.grants.set_return_seq(return_id, seq)
            after = await self._finish(
                ctx, "grant.return", actor, status=status, returned_fen=balance.returned
            )
        await self.ledger.export_quietly()
        return after

    async def cancel(
        self, grant_id: int, *, reason: str, cancelled_on: dt.date, actor: Principal
    ) -> records.GrantRecord:
        """Cancel a grant: its unpaid commitment is released (posted, dated ``cancelled_on``, if the
        agreement was signed)."""
        text = domain.check_rejection_reason(reason)
        _not_future(cancelled_on, "cancelled_on")
        async with write_transaction():
            ctx = await self._locked(grant_id)
            status = domain.next_grant_status(ctx.grant.status, GrantAction.CANCEL)
            changes = await self._release_unpaid(
                ctx, on=cancelled_on, field="cancelled_on", why="取消资助", actor=actor
            )
            after = await self._finish(
                ctx, "grant.cancel", actor, status=status, status_reason=text, **changes
            )
        await self.ledger.export_quietly()
        return after

    async def close(self, grant_id: int, *, actor: Principal) -> records.GrantRecord:
        """Close a grant whose final report is accepted (its unpaid rest was released then)."""
        async with write_transaction():
            ctx = await self._locked(grant_id)
            status = domain.next_grant_status(ctx.grant.status, GrantAction.CLOSE)
            return await self._finish(ctx, "grant.close", actor, status=status)

    async def grant_page(self, *, status: str | None, limit: int, offset: int) -> list[records.GrantRecord]:
        """Grants by id, optionally in one status."""
        return await self.grants.page(status=status, limit=limit, offset=offset)

    async def detail(
        self, grant_id: int
    ) -> tuple[
        records.GrantRecord,
        list[records.TrancheRecord],
        list[records.ReportRecord],
        list[records.ReturnRecord],
    ]:
        """A grant with its tranches, reports and returns."""
        grant = await self.grant(grant_id)
        return (
            grant,
            await self.grants.tranches(grant_id),
            await self.grants.reports(grant_id),
            await self.grants.returns(grant_id),
        )


# --------------------------------------------------------------------------------------------------
# Reads for statements (the reports package asks these, never the funds tables)
# --------------------------------------------------------------------------------------------------


async def grants_made_by(end: dt.date) -> list[records.GrantOfPeriod]:
    """Every grant signed on or before ``end`` (or, unsigned, made by the end of that business day),
    in grant-number order."""
    made_before = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.zone())
    return await GrantRepository().made_by(end, made_before)


async def grant_approvals(grant_nos: Sequence[str]) -> list[records.GrantApprovals]:
    """Who decided each of the grants ``grant_nos`` and their agreement numbers."""
    return await GrantRepository().approvals(grant_nos)
