"""The charity guidance fund's pure rules (慈善引导资金, 《民间非营利组织会计制度》).

Nothing here touches a database, the web or Beancount: the service layer loads state, calls these
functions, and writes what they return. Every amount is integer fen (``ledger.core.money.Fen``). A
posting builder returns the legs of **one** balanced journal entry as ``ledger.core.entries.Posting``
values with Beancount's sign convention: debits positive, credits negative (so an income account's
balance is negative). The accounting choices are recorded in ``docs/decisions/0002-grant-accounting.md``.

The pieces, in the order money moves:

1. **Receipts** (``ReceiptKind``, ``check_receipt``, ``receipt_postings``): the district's guidance grant
   (Dr 1002 / Cr 440102) and enterprises' matching donations (Dr 1002 / Cr 410102).
2. **The fund's position** (``FundPosition`` and the ``after_*`` transitions): received, committed but
   unpaid, paid, returned; ``available`` never goes below zero.
3. **Calls and applications** (``check_call``, ``check_in_window``, ``check_call_budget``,
   ``MatchingRule``, ``check_matching``, ``ApplicationStatus``, ``next_application_status``), reviews
   (``ScoreScale``, ``check_score``), the decision (``check_decider``, ``check_reviewer``,
   ``check_rejection_reason``), grantees (``validate_grantee_credit_code``).
4. **Grants** (``GrantStatus``, ``next_grant_status``, ``GrantBalance``, ``tranche_schedule``,
   ``check_tranche_order``) and their entries (``commitment_postings``, ``tranche_payment_postings``,
   ``cancellation_postings``, ``return_postings``).
5. **Period close** (``period_close_postings``, ``check_period_open``, ``period_close_key``,
   ``period_end``) and the closed-period rule for bookings (``ClosedPeriod``, ``closed_period_of``).

Errors (in ``funds.errors``; the two shared with claims in ``core.errors``) name the API input at fault
in ``field``: ``amount``, ``project_budget``, ``requested_amount``, ``pledged_amount``,
``approved_amount``, ``decided_by``, ``reviewed_by``, ``status``, ``tranche``, ``tranche_percents``,
``score``, ``reason``, ``credit_code``, ``donor``, ``agreement``, ``received_on``, ``submitted_on``,
``budget``, ``closes_on``, ``period``, ``balances``, ``expense_account``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from ledger.core.entries import Posting
from ledger.core.errors import FourEyesViolation, IllegalTransition, InvalidInput
from ledger.core.ids import validate_credit_code
from ledger.core.money import Fen, format_amount
from ledger.funds.errors import (
    CallBudgetExceeded,
    ConflictOfInterest,
    ExceedsCommitment,
    ExceedsPaid,
    InsufficientFunds,
    MatchingRuleBroken,
    OutsideCallWindow,
    PeriodAlreadyClosed,
    ReportNotAccepted,
    TrancheOutOfOrder,
)

# --------------------------------------------------------------------------------------------------
# Accounts (names from src/ledger/config/accounts.toml; the statutory codes live there as data)
# --------------------------------------------------------------------------------------------------

BANK = "Assets:Charity:Bank"
"""1002 银行存款: the fund's bank account."""
GRANTS_PAYABLE = "Liabilities:Charity:GrantsPayable"
"""2209 其他应付款—应付资助款: grants under a signed agreement, not yet paid."""
NET_ASSETS_UNRESTRICTED = "Equity:Charity:NetAssets:Unrestricted"
"""3101 非限定性净资产."""
NET_ASSETS_RESTRICTED = "Equity:Charity:NetAssets:Restricted"
"""3102 限定性净资产."""
DONATIONS_UNRESTRICTED = "Income:Charity:Donations:Unrestricted"
"""410101 捐赠收入—非限定性."""
DONATIONS_RESTRICTED = "Income:Charity:Donations:Restricted"
"""410102 捐赠收入—限定性: enterprises' matching donations."""
GOVERNMENT_GRANT_UNRESTRICTED = "Income:Charity:GovernmentGrant:Unrestricted"
"""440101 政府补助收入—非限定性."""
GOVERNMENT_GRANT_RESTRICTED = "Income:Charity:GovernmentGrant:Restricted"
"""440102 政府补助收入—限定性: the district's guidance grant."""
PROGRAM_COSTS = "Expenses:Charity:Programs"
"""5101 业务活动成本: grants to projects."""
ADMIN_COSTS = "Expenses:Charity:Admin"
"""5201 管理费用: the federation's own costs."""

INCOME_PREFIX = "Income:Charity:"
EXPENSES_PREFIX = "Expenses:Charity:"

CHARITY_ACCOUNTS: frozenset[str] = frozenset(
    {
        BANK,
        GRANTS_PAYABLE,
        NET_ASSETS_UNRESTRICTED,
        NET_ASSETS_RESTRICTED,
        DONATIONS_UNRESTRICTED,
        DONATIONS_RESTRICTED,
        GOVERNMENT_GRANT_UNRESTRICTED,
        GOVERNMENT_GRANT_RESTRICTED,
        PROGRAM_COSTS,
        ADMIN_COSTS,
    }
)
"""Every account this module names; each must be opened by ``accounts.toml``."""


# --------------------------------------------------------------------------------------------------
# Small validators
# --------------------------------------------------------------------------------------------------


def _fen(amount: Fen, field: str, *, allow_zero: bool = False) -> Fen:
    """Return ``amount`` if it is a whole number of fen above zero (or zero when allowed)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(f"{field} must be a whole number of fen", field=field, rule="integer fen")
    if amount < 0 or (amount == 0 and not allow_zero):
        rule = "not negative" if allow_zero else "greater than 0"
        raise InvalidInput(f"{field} must be {rule}: got {format_amount(amount)}", field=field, rule=rule)
    return amount


def _text(value: str, field: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"{field} must not be empty", field=field, rule="required")
    return text


# --------------------------------------------------------------------------------------------------
# Restriction and receipts
# --------------------------------------------------------------------------------------------------


class Restriction(StrEnum):
    """Whether donors or the grantor limited how the money may be used (限定性 / 非限定性)."""

    RESTRICTED = "restricted"
    UNRESTRICTED = "unrestricted"


class ReceiptKind(StrEnum):
    """Where money coming into the fund is from."""

    GOVERNMENT_GRANT = "government_grant"
    """The district finance's guidance grant (政府补助收入, 4401xx)."""
    DONATION = "donation"
    """An enterprise's or person's donation, e.g. matching money (捐赠收入, 4101xx)."""


_INCOME_ACCOUNTS: Mapping[tuple[ReceiptKind, Restriction], str] = MappingProxyType(
    {
        (ReceiptKind.GOVERNMENT_GRANT, Restriction.RESTRICTED): GOVERNMENT_GRANT_RESTRICTED,
        (ReceiptKind.GOVERNMENT_GRANT, Restriction.UNRESTRICTED): GOVERNMENT_GRANT_UNRESTRICTED,
        (ReceiptKind.DONATION, Restriction.RESTRICTED): DONATIONS_RESTRICTED,
        (ReceiptKind.DONATION, Restriction.UNRESTRICTED): DONATIONS_UNRESTRICTED,
    }
)


def income_account(kind: ReceiptKind, restriction: Restriction) -> str:
    """Return the income account a receipt of ``kind`` with ``restriction`` is credited to."""
    return _INCOME_ACCOUNTS[ReceiptKind(kind), Restriction(restriction)]


def check_receipt(
    kind: ReceiptKind,
    amount_fen: Fen,
    *,
    donor: str,
    agreement: str,
    received_on: dt.date,
    today: dt.date,
) -> None:
    """Check a receipt before it is recorded.

    Args:
        kind: government grant or donation.
        amount_fen: the money received; above zero.
        donor: who gave it (the district finance bureau, the enterprise); required.
        agreement: the grant document or donation agreement number; required.
        received_on: the value date on the bank statement; not after ``today``.
        today: the current date (injected, so the rule is testable).

    Raises:
        InvalidInput: naming ``amount``, ``donor``, ``agreement`` or ``received_on``.
    """
    ReceiptKind(kind)
    _fen(amount_fen, "amount")
    _text(donor, "donor")
    _text(agreement, "agreement")
    if received_on > today:
        raise InvalidInput(
            f"received_on is in the future: {received_on.isoformat()}",
            field="received_on",
            rule="not in the future",
        )


def receipt_postings(kind: ReceiptKind, restriction: Restriction, amount_fen: Fen) -> tuple[Posting, Posting]:
    """Return the entry for money received: Dr 1002 bank / Cr the income account.

    The guidance grant is ``(GOVERNMENT_GRANT, RESTRICTED)``: Dr 1002 / Cr 440102; a matching donation is
    ``(DONATION, RESTRICTED)``: Dr 1002 / Cr 410102.

    Raises:
        InvalidInput: ``amount`` is not above zero.
    """
    _fen(amount_fen, "amount")
    return (Posting(BANK, amount_fen), Posting(income_account(kind, restriction), -amount_fen))


# --------------------------------------------------------------------------------------------------
# The fund's position
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FundPosition:
    """How much of a fund's money is where. All fields are fen, none negative.

    The identity ``received == available + committed_unpaid + paid - returned`` holds by construction,
    and ``available >= 0`` is an invariant every transition keeps.

    Args:
        received: all money received into the fund (guidance grant and donations).
        committed_unpaid: approved grants not yet paid out (the issue's "committed but unpaid"),
            whether or not their agreement is signed yet.
        unsigned: the part of ``committed_unpaid`` whose grant agreement is not signed yet. It has no
            journal entry (an off-book earmark); the rest, ``payable``, equals the balance of 2209.
        paid: all tranches paid to grantees.
        returned: unspent money grantees paid back into the fund; it is available again.
    """

    received: Fen = 0
    committed_unpaid: Fen = 0
    unsigned: Fen = 0
    paid: Fen = 0
    returned: Fen = 0

    def __post_init__(self) -> None:
        """Refuse a position that no sequence of transitions can reach (corrupt stored data)."""
        parts = (self.received, self.committed_unpaid, self.unsigned, self.paid, self.returned)
        if any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for p in parts):
            msg = f"every part of a fund position is a non-negative int: {self!r}"
            raise ValueError(msg)
        if self.unsigned > self.committed_unpaid or self.returned > self.paid or self.available < 0:
            msg = f"inconsistent fund position: {self!r}"
            raise ValueError(msg)

    @property
    def paid_net(self) -> Fen:
        """Paid out and not returned: ``paid - returned``."""
        return self.paid - self.returned

    @property
    def payable(self) -> Fen:
        """Committed under a signed agreement and unpaid; equals the fund's share of 2209's balance."""
        return self.committed_unpaid - self.unsigned

    @property
    def available(self) -> Fen:
        """Free to commit: ``received - committed_unpaid - paid + returned``; never below zero."""
        return self.received - self.committed_unpaid - self.paid + self.returned

    @property
    def cash(self) -> Fen:
        """Money the fund still holds in the bank: ``received - paid + returned``."""
        return self.received - self.paid + self.returned


def after_receipt(position: FundPosition, amount_fen: Fen) -> FundPosition:
    """Return ``position`` after ``amount_fen`` was received (available grows by it)."""
    _fen(amount_fen, "amount")
    return replace(position, received=position.received + amount_fen)


def check_available(position: FundPosition, amount_fen: Fen) -> None:
    """Raise ``InsufficientFunds`` (field ``amount``) unless ``amount_fen <= position.available``."""
    if amount_fen > position.available:
        raise InsufficientFunds(
            f"the fund has {format_amount(position.available)} available, {format_amount(amount_fen)} asked",
            field="amount",
            rule="amount ≤ available",
            extra={"available": format_amount(position.available), "asked": format_amount(amount_fen)},
        )


def after_commit(position: FundPosition, amount_fen: Fen, *, signed: bool = True) -> FundPosition:
    """Return ``position`` after an approval committed ``amount_fen`` to a grant.

    Args:
        position: the fund before.
        amount_fen: the approved amount.
        signed: whether the grant agreement is signed in the same step. If not, the amount is also
            counted in ``unsigned`` until ``after_signing``; either way it stops being available now.

    Raises:
        InsufficientFunds: ``amount_fen`` is more than ``available``.
    """
    _fen(amount_fen, "amount")
    check_available(position, amount_fen)
    return replace(
        position,
        committed_unpaid=position.committed_unpaid + amount_fen,
        unsigned=position.unsigned + (0 if signed else amount_fen),
    )


def _exceeds_commitment(open_fen: Fen, amount_fen: Fen, what: str) -> ExceedsCommitment:
    return ExceedsCommitment(
        f"{what} is {format_amount(open_fen)}, {format_amount(amount_fen)} asked",
        field="amount",
        rule=f"amount ≤ {what}",
        extra={"open": format_amount(open_fen), "asked": format_amount(amount_fen)},
    )


def after_signing(position: FundPosition, amount_fen: Fen) -> FundPosition:
    """Return ``position`` after the agreement of an approved, unsigned grant was signed.

    Available does not change; the amount moves from ``unsigned`` into ``payable`` (2209).

    Raises:
        ExceedsCommitment: ``amount_fen`` is more than ``unsigned``.
    """
    _fen(amount_fen, "amount")
    if amount_fen > position.unsigned:
        raise _exceeds_commitment(position.unsigned, amount_fen, "the unsigned commitment")
    return replace(position, unsigned=position.unsigned - amount_fen)


def after_tranche_paid(position: FundPosition, amount_fen: Fen) -> FundPosition:
    """Return ``position`` after a tranche of ``amount_fen`` was paid under a signed agreement.

    Available does not change: the money was already committed.

    Raises:
        ExceedsCommitment: ``amount_fen`` is more than ``payable`` (signed and unpaid).
    """
    _fen(amount_fen, "amount")
    if amount_fen > position.payable:
        raise _exceeds_commitment(position.payable, amount_fen, "the signed, unpaid commitment")
    return replace(
        position, committed_unpaid=position.committed_unpaid - amount_fen, paid=position.paid + amount_fen
    )


def after_return(position: FundPosition, amount_fen: Fen) -> FundPosition:
    """Return ``position`` after a grantee paid ``amount_fen`` of unspent money back (available grows).

    Raises:
        ExceedsPaid: ``amount_fen`` is more than ``paid_net``.
    """
    _fen(amount_fen, "amount")
    if amount_fen > position.paid_net:
        raise ExceedsPaid(
            f"{format_amount(position.paid_net)} was paid out and not returned, "
            f"{format_amount(amount_fen)} asked",
            field="amount",
            rule="amount ≤ paid - returned",
            extra={"paid_net": format_amount(position.paid_net), "asked": format_amount(amount_fen)},
        )
    return replace(position, returned=position.returned + amount_fen)


def after_cancel(position: FundPosition, amount_fen: Fen, *, signed: bool = True) -> FundPosition:
    """Return ``position`` after ``amount_fen`` of unpaid commitment was released (available grows).

    Used when a grant is cancelled, and when a grant closes below its amount (the unpaid rest).

    Args:
        position: the fund before.
        amount_fen: the unpaid commitment released.
        signed: whether the grant's agreement was signed (released from ``payable``, with a journal
            entry) or not (released from ``unsigned``, no entry).

    Raises:
        ExceedsCommitment: ``amount_fen`` is more than the open commitment of that kind.
    """
    _fen(amount_fen, "amount")
    open_fen = position.payable if signed else position.unsigned
    if amount_fen > open_fen:
        what = "the signed, unpaid commitment" if signed else "the unsigned commitment"
        raise _exceeds_commitment(open_fen, amount_fen, what)
    return replace(
        position,
        committed_unpaid=position.committed_unpaid - amount_fen,
        unsigned=position.unsigned - (0 if signed else amount_fen),
    )


# --------------------------------------------------------------------------------------------------
# One grant's money
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GrantBalance:
    """One grant's money. All fields are fen, none negative.

    Args:
        amount: the approved (agreed) grant.
        paid: tranches paid so far.
        returned: unspent money the grantee paid back.
        released: commitment released without payment (cancellation, or closing below ``amount``).
    """

    amount: Fen
    paid: Fen = 0
    returned: Fen = 0
    released: Fen = 0

    def __post_init__(self) -> None:
        """Refuse a balance no sequence of transitions can reach (corrupt stored data)."""
        parts = (self.amount, self.paid, self.returned, self.released)
        if any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for p in parts):
            msg = f"every part of a grant balance is a non-negative int: {self!r}"
            raise ValueError(msg)
        if self.unpaid < 0 or self.returned > self.paid:
            msg = f"inconsistent grant balance: {self!r}"
            raise ValueError(msg)

    @property
    def unpaid(self) -> Fen:
        """Still committed and unpaid: ``amount - paid - released``."""
        return self.amount - self.paid - self.released

    @property
    def paid_net(self) -> Fen:
        """Paid and not returned (what the grantee spent, once the grant is closed)."""
        return self.paid - self.returned


def grant_after_tranche_paid(grant: GrantBalance, amount_fen: Fen) -> GrantBalance:
    """Return ``grant`` after a tranche of ``amount_fen`` was paid.

    Raises:
        ExceedsCommitment: ``amount_fen`` is more than ``grant.unpaid``.
    """
    _fen(amount_fen, "amount")
    if amount_fen > grant.unpaid:
        raise _exceeds_commitment(grant.unpaid, amount_fen, "the grant's unpaid amount")
    return replace(grant, paid=grant.paid + amount_fen)


def grant_after_return(grant: GrantBalance, amount_fen: Fen) -> GrantBalance:
    """Return ``grant`` after the grantee paid back ``amount_fen``.

    Raises:
        ExceedsPaid: ``amount_fen`` is more than ``grant.paid_net``.
    """
    _fen(amount_fen, "amount")
    if amount_fen > grant.paid_net:
        raise ExceedsPaid(
            f"{format_amount(grant.paid_net)} was paid on this grant and not returned, "
            f"{format_amount(amount_fen)} asked",
            field="amount",
            rule="amount ≤ paid - returned",
        )
    return replace(grant, returned=grant.returned + amount_fen)


def grant_after_release(grant: GrantBalance, amount_fen: Fen) -> GrantBalance:
    """Return ``grant`` after ``amount_fen`` of its unpaid commitment was released.

    Cancelling releases ``grant.unpaid``; closing releases whatever is left unpaid.

    Raises:
        ExceedsCommitment: ``amount_fen`` is more than ``grant.unpaid``.
    """
    _fen(amount_fen, "amount")
    if amount_fen > grant.unpaid:
        raise _exceeds_commitment(grant.unpaid, amount_fen, "the grant's unpaid amount")
    return replace(grant, released=grant.released + amount_fen)


# --------------------------------------------------------------------------------------------------
# Calls, the matching rule, reviews, grantees
# --------------------------------------------------------------------------------------------------


def check_call(budget_fen: Fen, opens_on: dt.date, closes_on: dt.date) -> None:
    """Check a call for applications: a budget above zero and a window that closes on or after it opens.

    Raises:
        InvalidInput: naming ``budget`` or ``closes_on``.
    """
    _fen(budget_fen, "budget")
    if closes_on < opens_on:
        raise InvalidInput(
            f"closes_on {closes_on.isoformat()} is before opens_on {opens_on.isoformat()}",
            field="closes_on",
            rule="closes_on ≥ opens_on",
        )


def check_in_window(
    opens_on: dt.date, closes_on: dt.date, on: dt.date, *, field: str = "submitted_on"
) -> None:
    """Raise ``OutsideCallWindow`` unless ``opens_on <= on <= closes_on`` (both ends included)."""
    if not opens_on <= on <= closes_on:
        raise OutsideCallWindow(
            f"the call is open from {opens_on.isoformat()} to {closes_on.isoformat()}, "
            f"not on {on.isoformat()}",
            field=field,
            rule="within the call window",
        )


def check_call_budget(budget_fen: Fen, approved_so_far_fen: Fen, approving_fen: Fen) -> None:
    """Raise ``CallBudgetExceeded`` (field ``approved_amount``) if the call's approvals would pass its budget.

    Args:
        budget_fen: the call's budget.
        approved_so_far_fen: the sum approved in this call so far, less cancelled grants' releases.
        approving_fen: the amount about to be approved.
    """
    _fen(budget_fen, "budget")
    _fen(approved_so_far_fen, "approved_so_far", allow_zero=True)
    _fen(approving_fen, "approved_amount")
    left = budget_fen - approved_so_far_fen
    if approving_fen > left:
        raise CallBudgetExceeded(
            f"the call has {format_amount(left)} of its {format_amount(budget_fen)} budget left, "
            f"{format_amount(approving_fen)} asked",
            field="approved_amount",
            rule="approvals ≤ call budget",
            extra={"left": format_amount(left), "asked": format_amount(approving_fen)},
        )


@dataclass(frozen=True, slots=True)
class MatchingRule:
    """How much of a project the fund pays; the rest is pledged by the applicant or donors (配套资金).

    Args:
        max_fund_share_percent: the fund pays at most this percent of the project budget (0 < p ≤ 100).
        require_full_funding: the requested amount and the pledged matching money together must cover
            the whole project budget.
        max_grant_fen: an absolute cap per project, or ``None`` for none.
    """

    max_fund_share_percent: Decimal = Decimal(50)
    require_full_funding: bool = True
    max_grant_fen: Fen | None = None

    def __post_init__(self) -> None:
        """Refuse a rule that makes no sense."""
        share = self.max_fund_share_percent
        if not isinstance(share, Decimal) or not share.is_finite() or not Decimal(0) < share <= Decimal(100):
            raise InvalidInput(
                f"max_fund_share_percent must be a Decimal above 0 and at most 100: got {share!r}",
                field="max_fund_share_percent",
                rule="0 < percent ≤ 100",
            )
        if self.max_grant_fen is not None:
            _fen(self.max_grant_fen, "max_grant")


def max_fund_share_fen(rule: MatchingRule, project_budget_fen: Fen) -> Fen:
    """Return the most the fund may pay towards a project: the share of its budget, rounded *down*.

    Rounding down keeps the share strictly within the percent: a budget of 333,333.33 at 50% allows
    166,666.66, not 166,666.67. The per-project cap applies too.
    """
    exact = Decimal(project_budget_fen) * rule.max_fund_share_percent / Decimal(100)
    most = int(exact.quantize(Decimal(1), rounding=ROUND_FLOOR))
    if rule.max_grant_fen is not None:
        most = min(most, rule.max_grant_fen)
    return most


def check_matching(
    rule: MatchingRule,
    project_budget_fen: Fen,
    requested_fen: Fen,
    pledged_fen: Fen,
    approved_fen: Fen | None = None,
) -> None:
    """Check an application (and, when given, the approved amount) against the call's matching rule.

    Rules, in order:

    1. ``requested <= max_fund_share_fen(rule, budget)`` (the percent, and ``max_grant_fen`` if set);
    2. with ``require_full_funding``: ``requested + pledged >= budget``;
    3. ``0 < approved <= requested``. A lower approval only lowers the fund's share, so rule 1 still
       holds; rule 2 is judged on the application as submitted.

    Args:
        rule: the call's matching rule.
        project_budget_fen: the project's whole budget.
        requested_fen: what the applicant asks from the fund.
        pledged_fen: the matching money pledged by the applicant or donors (may be 0).
        approved_fen: the amount the decider approves, if deciding now.

    Raises:
        InvalidInput: an amount is zero or negative (``project_budget``, ``requested_amount``,
            ``pledged_amount``, ``approved_amount``).
        MatchingRuleBroken: naming ``requested_amount``, ``pledged_amount`` or ``approved_amount``.
    """
    _fen(project_budget_fen, "project_budget")
    _fen(requested_fen, "requested_amount")
    _fen(pledged_fen, "pledged_amount", allow_zero=True)
    most = max_fund_share_fen(rule, project_budget_fen)
    if requested_fen > most:
        capped = rule.max_grant_fen is not None and most == rule.max_grant_fen
        limit = (
            f"the per-project cap of {format_amount(most)}"
            if capped
            else f"{rule.max_fund_share_percent}% of the project budget {format_amount(project_budget_fen)}"
            f" = {format_amount(most)}"
        )
        raise MatchingRuleBroken(
            f"requested_amount {format_amount(requested_fen)} is more than {limit}",
            field="requested_amount",
            rule="per-project cap" if capped else f"fund share ≤ {rule.max_fund_share_percent}% of budget",
            extra={"max_requested": format_amount(most)},
        )
    if rule.require_full_funding and requested_fen + pledged_fen < project_budget_fen:
        gap = project_budget_fen - requested_fen - pledged_fen
        raise MatchingRuleBroken(
            f"requested {format_amount(requested_fen)} + pledged {format_amount(pledged_fen)} leave "
            f"{format_amount(gap)} of the project budget {format_amount(project_budget_fen)} unfunded",
            field="pledged_amount",
            rule="requested + pledged ≥ project budget",
            extra={"shortfall": format_amount(gap)},
        )
    if approved_fen is not None:
        _fen(approved_fen, "approved_amount")
        if approved_fen > requested_fen:
            raise MatchingRuleBroken(
                f"approved_amount {format_amount(approved_fen)} is more than the "
                f"{format_amount(requested_fen)} requested",
                field="approved_amount",
                rule="approved ≤ requested",
            )


def check_rejection_reason(reason: str) -> str:
    """Return the stripped rejection reason; a rejection without one is refused (field ``reason``)."""
    return _text(reason, "reason")


@dataclass(frozen=True, slots=True)
class ScoreScale:
    """The expert review's score scale (whole points, both ends included) and its pass mark."""

    minimum: int = 0
    maximum: int = 100
    pass_mark: int = 60

    def __post_init__(self) -> None:
        """Refuse a scale whose pass mark lies outside it."""
        if not self.minimum <= self.pass_mark <= self.maximum or self.minimum >= self.maximum:
            raise InvalidInput(
                f"score scale must have minimum ≤ pass_mark ≤ maximum and minimum < maximum: {self!r}",
                field="score_scale",
                rule="minimum ≤ pass_mark ≤ maximum",
            )


def check_score(score: int, scale: ScoreScale) -> int:
    """Return ``score`` if it is a whole number on ``scale``; otherwise raise ``InvalidInput`` (``score``)."""
    if isinstance(score, bool) or not isinstance(score, int) or not scale.minimum <= score <= scale.maximum:
        raise InvalidInput(
            f"score must be a whole number from {scale.minimum} to {scale.maximum}: got {score!r}",
            field="score",
            rule=f"{scale.minimum} ≤ score ≤ {scale.maximum}",
        )
    return score


def mean_score(scores: Iterable[int]) -> Decimal | None:
    """Return the reviewers' mean score to two places (half up), or ``None`` without reviews."""
    values = list(scores)
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def validate_grantee_credit_code(
    value: str, *, registration_authorities: Collection[str] = ("5",), field: str = "credit_code"
) -> str:
    """Return a grantee's canonical unified social credit code (GB 32100-2015).

    Grantees are social organisations: their code's first character, the registration authority, is
    ``5`` (民政, civil affairs: 社会团体, 民办非企业单位/社会服务机构, 基金会) unless configured otherwise.

    Raises:
        InvalidInput: the code is invalid, or registered with another authority (``field``).
    """
    code = validate_credit_code(value, field=field)
    if code[0] not in registration_authorities:
        allowed = ", ".join(sorted(registration_authorities))
        raise InvalidInput(
            f"{field} {code} is not a social organisation's code: its registration authority is {code[0]}, "
            f"expected {allowed}",
            field=field,
            rule="social organisation (registration authority " + allowed + ")",
        )
    return code


# --------------------------------------------------------------------------------------------------
# Four eyes and conflicts of interest
# --------------------------------------------------------------------------------------------------

UserT = TypeVar("UserT", bound=Hashable)
"""A user reference: a user id or a user name; use the same kind in every argument of one call."""


def _user(user: Hashable) -> Hashable:
    """User names compare without case or surrounding blanks (as in claims); ids compare as they are."""
    return user.strip().casefold() if isinstance(user, str) else user


def _users(users: Iterable[Hashable]) -> set[Hashable]:
    return {_user(u) for u in users}


def check_reviewer(
    reviewer: UserT, conflicted_users: Iterable[UserT], *, recorded_by: UserT | None = None
) -> None:
    """Check that ``reviewer`` may review an organisation's application.

    Args:
        reviewer: the user recording a review (an id or a user name; names compare without case
            or surrounding blanks).
        conflicted_users: users linked to the applicant organisation (conflict-of-interest links).
        recorded_by: who recorded the application, if that user may not review it too.

    Raises:
        ConflictOfInterest: ``reviewer`` is linked to the organisation (field ``reviewed_by``).
        FourEyesViolation: ``reviewer`` recorded the application (field ``reviewed_by``).
    """
    if _user(reviewer) in _users(conflicted_users):
        raise ConflictOfInterest(
            f"user {reviewer} is linked to the applicant organisation and may not review its applications",
            field="reviewed_by",
            rule="no conflict of interest",
        )
    if recorded_by is not None and _user(reviewer) == _user(recorded_by):
        raise FourEyesViolation(
            f"user {reviewer} recorded this application and may not review it",
            field="reviewed_by",
            rule="four-eyes: the recorder may not review",
        )


def check_decider(
    decider: UserT,
    recorded_by: UserT,
    reviewers: Iterable[UserT],
    conflicted_users: Iterable[UserT],
    *,
    field: str = "decided_by",
) -> None:
    """Check that ``decider`` may approve or reject (or accept a grant report).

    Args:
        decider: the user deciding.
        recorded_by: who recorded the application (or report).
        reviewers: everyone who recorded a review of it.
        conflicted_users: users linked to the applicant organisation.
        field: the input to name in the error.

    Raises:
        ConflictOfInterest: ``decider`` is linked to the organisation (checked first).
        FourEyesViolation: ``decider`` recorded or reviewed it.
    """
    if _user(decider) in _users(conflicted_users):
        raise ConflictOfInterest(
            f"user {decider} is linked to the applicant organisation and may not decide its applications",
            field=field,
            rule="no conflict of interest",
        )
    if _user(decider) == _user(recorded_by):
        raise FourEyesViolation(
            f"user {decider} recorded this and may not also decide it",
            field=field,
            rule="four-eyes: the recorder may not decide",
        )
    if _user(decider) in _users(reviewers):
        raise FourEyesViolation(
            f"user {decider} reviewed this and may not also decide it",
            field=field,
            rule="four-eyes: a reviewer may not decide",
        )


# --------------------------------------------------------------------------------------------------
# Status machines
# --------------------------------------------------------------------------------------------------


class ApplicationStatus(StrEnum):
    """Where an application is: draft → submitted → under review → approved | rejected; or withdrawn."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ApplicationAction(StrEnum):
    """What can happen to an application."""

    SUBMIT = "submit"
    REVIEW = "review"
    """Record an expert review (notes and score); the first one moves it under review."""
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


_A = ApplicationStatus
_AA = ApplicationAction
APPLICATION_TRANSITIONS: Mapping[tuple[ApplicationStatus, ApplicationAction], ApplicationStatus] = (
    MappingProxyType(
        {
            (_A.DRAFT, _AA.SUBMIT): _A.SUBMITTED,
            (_A.DRAFT, _AA.WITHDRAW): _A.WITHDRAWN,
            (_A.SUBMITTED, _AA.REVIEW): _A.UNDER_REVIEW,
            (_A.SUBMITTED, _AA.REJECT): _A.REJECTED,  # screened out before review (形式审查)
            (_A.SUBMITTED, _AA.WITHDRAW): _A.WITHDRAWN,
            (_A.UNDER_REVIEW, _AA.REVIEW): _A.UNDER_REVIEW,
            (_A.UNDER_REVIEW, _AA.APPROVE): _A.APPROVED,
            (_A.UNDER_REVIEW, _AA.REJECT): _A.REJECTED,
            (_A.UNDER_REVIEW, _AA.WITHDRAW): _A.WITHDRAWN,
        }
    )
)
"""(status, action) → next status. Approved, rejected and withdrawn are final."""


class GrantStatus(StrEnum):
    """Where a grant is, from approval to closing."""

    AGREEMENT_PENDING = "agreement_pending"
    """Approved (money committed, off-book) and the agreement not signed yet."""
    COMMITTED = "committed"
    """Agreement signed: Dr 5101 / Cr 2209 posted; no tranche paid yet."""
    IN_PROGRESS = "in_progress"
    """A tranche was paid; its report is due."""
    REPORT_SUBMITTED = "report_submitted"
    REPORT_ACCEPTED = "report_accepted"
    """The report on the latest tranche is accepted; the next tranche may be paid."""
    FINAL_ACCEPTED = "final_accepted"
    """The final report is accepted; unspent money may be returned, then the grant is closed."""
    CLOSED = "closed"
    CANCELLED = "cancelled"
    """Cancelled: the unpaid commitment is released; money paid may still be returned."""


class GrantAction(StrEnum):
    """What can happen to a grant."""

    SIGN = "sign"
    PAY_TRANCHE = "pay_tranche"
    SUBMIT_REPORT = "submit_report"
    ACCEPT_REPORT = "accept_report"
    ACCEPT_FINAL_REPORT = "accept_final_report"
    SEND_BACK_REPORT = "send_back_report"
    RECORD_RETURN = "record_return"
    CLOSE = "close"
    CANCEL = "cancel"


_G = GrantStatus
_GA = GrantAction
GRANT_TRANSITIONS: Mapping[tuple[GrantStatus, GrantAction], GrantStatus] = MappingProxyType(
    {
        (_G.AGREEMENT_PENDING, _GA.SIGN): _G.COMMITTED,
        (_G.AGREEMENT_PENDING, _GA.CANCEL): _G.CANCELLED,
        (_G.COMMITTED, _GA.PAY_TRANCHE): _G.IN_PROGRESS,
        (_G.COMMITTED, _GA.CANCEL): _G.CANCELLED,
        (_G.IN_PROGRESS, _GA.SUBMIT_REPORT): _G.REPORT_SUBMITTED,
        (_G.IN_PROGRESS, _GA.CANCEL): _G.CANCELLED,
        (_G.REPORT_SUBMITTED, _GA.ACCEPT_REPORT): _G.REPORT_ACCEPTED,
        (_G.REPORT_SUBMITTED, _GA.ACCEPT_FINAL_REPORT): _G.FINAL_ACCEPTED,
        (_G.REPORT_SUBMITTED, _GA.SEND_BACK_REPORT): _G.IN_PROGRESS,
        (_G.REPORT_SUBMITTED, _GA.CANCEL): _G.CANCELLED,
        (_G.REPORT_ACCEPTED, _GA.PAY_TRANCHE): _G.IN_PROGRESS,
        (_G.REPORT_ACCEPTED, _GA.CANCEL): _G.CANCELLED,
        (_G.FINAL_ACCEPTED, _GA.RECORD_RETURN): _G.FINAL_ACCEPTED,
        (_G.FINAL_ACCEPTED, _GA.CLOSE): _G.CLOSED,
        (_G.CANCELLED, _GA.RECORD_RETURN): _G.CANCELLED,
    }
)
"""(status, action) → next status. Closed is final; cancelled only accepts returns."""


_EnumT = TypeVar("_EnumT", bound=StrEnum)
_ActionT = TypeVar("_ActionT", bound=StrEnum)


def _member(enum: type[_EnumT], value: _EnumT | str, field: str) -> _EnumT:
    try:
        return enum(value)
    except ValueError:
        raise InvalidInput(
            f"unknown {field} {value!r}", field=field, rule="one of " + ", ".join(m.value for m in enum)
        ) from None


def _next(
    table: Mapping[tuple[_EnumT, _ActionT], _EnumT], what: str, current: _EnumT, action: _ActionT
) -> _EnumT:
    try:
        return table[current, action]
    except KeyError:
        allowed = sorted(a.value for (s, a) in table if s == current)
        allowed_from = sorted(s.value for (s, a) in table if a == action)
        raise IllegalTransition(
            f"cannot {action} {what} that is {current}"
            + (f" (possible: {', '.join(allowed)})" if allowed else f" ({current} is final)"),
            field="status",
            rule=f"{action} is allowed only from " + (", ".join(allowed_from) or "no status"),
            extra={
                "status": current.value,
                "action": action.value,
                "allowed_from": allowed_from,
                "allowed_actions": allowed,
            },
        ) from None


def next_application_status(
    current: ApplicationStatus | str, action: ApplicationAction | str
) -> ApplicationStatus:
    """Return the status ``action`` leads to from ``current``.

    Raises:
        IllegalTransition: (a ``Conflict``) ``field="status"``; the message names the status and the
            action; ``extra`` has ``status``, ``action``, ``allowed_from``, ``allowed_actions``.
        InvalidInput: an unknown status or action (``field`` ``status`` / ``action``).
    """
    status = _member(ApplicationStatus, current, "status")
    return _next(
        APPLICATION_TRANSITIONS, "an application", status, _member(ApplicationAction, action, "action")
    )


def application_actions(current: ApplicationStatus | str) -> frozenset[ApplicationAction]:
    """Return the actions possible on an application in ``current`` status (for buttons and hints)."""
    status = _member(ApplicationStatus, current, "status")
    return frozenset(a for (s, a) in APPLICATION_TRANSITIONS if s == status)


def next_grant_status(current: GrantStatus | str, action: GrantAction | str) -> GrantStatus:
    """Return the status ``action`` leads to from ``current``.

    Raises:
        IllegalTransition: (a ``Conflict``) ``field="status"``; the message names the status and the
            action; ``extra`` has ``status``, ``action``, ``allowed_from``, ``allowed_actions``.
        InvalidInput: an unknown status or action (``field`` ``status`` / ``action``).
    """
    status = _member(GrantStatus, current, "status")
    return _next(GRANT_TRANSITIONS, "a grant", status, _member(GrantAction, action, "action"))


def grant_actions(current: GrantStatus | str) -> frozenset[GrantAction]:
    """Return the actions possible on a grant in ``current`` status (for buttons and hints)."""
    status = _member(GrantStatus, current, "status")
    return frozenset(a for (s, a) in GRANT_TRANSITIONS if s == status)


# --------------------------------------------------------------------------------------------------
# Tranches
# --------------------------------------------------------------------------------------------------


def check_tranche_percents(percents: Sequence[int], *, field: str = "tranche_percents") -> tuple[int, ...]:
    """Return ``percents`` as a tuple if each is a whole number above 0 and they sum to exactly 100."""
    values = tuple(percents)
    if (
        not values
        or any(isinstance(p, bool) or not isinstance(p, int) or p <= 0 for p in values)
        or sum(values) != 100
    ):
        raise InvalidInput(
            f"{field} must be whole percents above 0 that sum to 100: got {list(values)}",
            field=field,
            rule="whole percents > 0, sum 100",
        )
    return values


def tranche_schedule(amount_fen: Fen, percents: Sequence[int]) -> tuple[Fen, ...]:
    """Split a grant into tranches, exactly to the fen.

    Every tranche but the last is its percent of ``amount_fen`` rounded **down** to the fen; the last
    takes the remainder, so the tranches sum to ``amount_fen`` and the grantee never gets ahead of the
    schedule. 333,333.33 at 60/40 → 199,999.99 + 133,333.34.

    Raises:
        InvalidInput: bad percents (``tranche_percents``), or ``amount`` not above 0 or too small for
            every tranche to get at least one fen.
    """
    _fen(amount_fen, "amount")
    values = check_tranche_percents(percents)
    head = [amount_fen * p // 100 for p in values[:-1]]
    schedule = (*head, amount_fen - sum(head))
    if min(schedule) <= 0:
        raise InvalidInput(
            f"amount {format_amount(amount_fen)} is too small to split {list(values)}",
            field="amount",
            rule="each tranche at least 0.01",
        )
    return schedule


def check_tranche_order(
    tranche_number: int, *, tranche_count: int, paid_tranches: int, accepted_reports: int
) -> None:
    """Check that tranche ``tranche_number`` (1-based) may be paid now.

    Args:
        tranche_number: the tranche about to be paid.
        tranche_count: how many tranches the grant's schedule has.
        paid_tranches: how many are already paid.
        accepted_reports: how many tranche reports are accepted.

    Raises:
        TrancheOutOfOrder: it is not the next unpaid tranche of the schedule (field ``tranche``).
        ReportNotAccepted: the report on the previous tranche is not accepted (field ``tranche``).
    """
    if not 1 <= tranche_number <= tranche_count:
        raise TrancheOutOfOrder(
            f"tranche {tranche_number} is not in a schedule of {tranche_count}",
            field="tranche",
            rule=f"1 ≤ tranche ≤ {tranche_count}",
        )
    if tranche_number != paid_tranches + 1:
        state = "already paid" if tranche_number <= paid_tranches else "not next"
        raise TrancheOutOfOrder(
            f"tranche {tranche_number} is {state}: tranche {paid_tranches + 1} is next",
            field="tranche",
            rule="tranches in order, each once",
            extra={"next": paid_tranches + 1},
        )
    if accepted_reports < tranche_number - 1:
        raise ReportNotAccepted(
            f"tranche {tranche_number} needs the report on tranche {tranche_number - 1} accepted first",
            field="tranche",
            rule="previous report accepted",
        )


def report_acceptance_action(paid_tranches: int, tranche_count: int) -> GrantAction:
    """Return the action accepting the current report: final once every tranche is paid."""
    return GrantAction.ACCEPT_FINAL_REPORT if paid_tranches >= tranche_count else GrantAction.ACCEPT_REPORT


# --------------------------------------------------------------------------------------------------
# Grant entries (see docs/decisions/0002-grant-accounting.md)
# --------------------------------------------------------------------------------------------------


def _expense_account(account: str) -> str:
    if not account.startswith(EXPENSES_PREFIX):
        raise InvalidInput(
            f"expense_account must be a charity expense account ({EXPENSES_PREFIX}...): got {account}",
            field="expense_account",
            rule="charity expense account",
        )
    return account


def restriction_release_postings(amount_fen: Fen) -> tuple[Posting, Posting]:
    """Return the release of restricted net assets spent on their purpose: Dr 3102 / Cr 3101."""
    _fen(amount_fen, "amount")
    return (Posting(NET_ASSETS_RESTRICTED, amount_fen), Posting(NET_ASSETS_UNRESTRICTED, -amount_fen))


def restriction_reinstatement_postings(amount_fen: Fen) -> tuple[Posting, Posting]:
    """Return the reverse of a release, for restricted money not spent after all: Dr 3101 / Cr 3102."""
    _fen(amount_fen, "amount")
    return (Posting(NET_ASSETS_UNRESTRICTED, amount_fen), Posting(NET_ASSETS_RESTRICTED, -amount_fen))


def commitment_postings(
    amount_fen: Fen, restriction: Restriction, *, expense_account: str = PROGRAM_COSTS
) -> tuple[Posting, ...]:
    """Return the entry for a signed grant agreement.

    Dr 5101 programme cost / Cr 2209 grants payable; for a restricted fund also Dr 3102 / Cr 3101,
    because the restriction is met when the expense for its purpose is recognised (ADR 0002).
    """
    _fen(amount_fen, "amount")
    legs: tuple[Posting, ...] = (
        Posting(_expense_account(expense_account), amount_fen),
        Posting(GRANTS_PAYABLE, -amount_fen),
    )
    if Restriction(restriction) is Restriction.RESTRICTED:
        legs += restriction_release_postings(amount_fen)
    return legs


def tranche_payment_postings(amount_fen: Fen) -> tuple[Posting, Posting]:
    """Return the entry for a tranche paid to the grantee: Dr 2209 / Cr 1002."""
    _fen(amount_fen, "amount")
    return (Posting(GRANTS_PAYABLE, amount_fen), Posting(BANK, -amount_fen))


def cancellation_postings(
    amount_fen: Fen, restriction: Restriction, *, expense_account: str = PROGRAM_COSTS
) -> tuple[Posting, ...]:
    """Return the entry releasing a signed grant's unpaid commitment (cancellation, or closing below it).

    Dr 2209 / Cr 5101; for a restricted fund also Dr 3101 / Cr 3102 (the money is restricted again).
    Nothing is posted for an unsigned (``AGREEMENT_PENDING``) grant: it never had an entry.
    """
    _fen(amount_fen, "amount")
    legs: tuple[Posting, ...] = (
        Posting(GRANTS_PAYABLE, amount_fen),
        Posting(_expense_account(expense_account), -amount_fen),
    )
    if Restriction(restriction) is Restriction.RESTRICTED:
        legs += restriction_reinstatement_postings(amount_fen)
    return legs


def return_postings(
    amount_fen: Fen, restriction: Restriction, *, expense_account: str = PROGRAM_COSTS
) -> tuple[Posting, ...]:
    """Return the entry for unspent money a grantee paid back.

    Dr 1002 / Cr 5101; for a restricted fund also Dr 3101 / Cr 3102 (the money is restricted again).
    """
    _fen(amount_fen, "amount")
    legs: tuple[Posting, ...] = (
        Posting(BANK, amount_fen),
        Posting(_expense_account(expense_account), -amount_fen),
    )
    if Restriction(restriction) is Restriction.RESTRICTED:
        legs += restriction_reinstatement_postings(amount_fen)
    return legs


# --------------------------------------------------------------------------------------------------
# Period close (期末结转: 业务活动表 accounts into 净资产)
# --------------------------------------------------------------------------------------------------

# ASCII digits only and the whole string: ``\d`` would let "٢٠٢٥" through as another spelling of 2025,
# and ``$`` a trailing newline; year 0000 is no calendar year.
_PERIOD = re.compile(r"(?!0000)[0-9]{4}(-(0[1-9]|1[0-2]))?")


def _check_period(period: str) -> str:
    if not isinstance(period, str) or not _PERIOD.fullmatch(period):
        raise InvalidInput(
            f"period must be a year (2025) or a month (2025-12): got {period!r}",
            field="period",
            rule="YYYY or YYYY-MM",
        )
    return period


def period_close_key(period: str) -> str:
    """Return the unique key a close of ``period`` claims first (``charity-close:2025``), so it runs once."""
    return f"charity-close:{_check_period(period)}"


def period_end(period: str) -> dt.date:
    """The last day of ``2026-10`` or ``2026`` (``InvalidInput`` naming ``period`` for anything else)."""
    year = int(_check_period(period)[:4])
    if len(period) == 4:
        return dt.date(year, 12, 31)
    month = int(period[5:])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    """The latest closed period of the charity book.

    Args:
        period: ``2026-10`` or ``2026``.
        ends_on: its last day.
    """

    period: str
    ends_on: dt.date


def closed_period_of(on: dt.date, latest: ClosedPeriod | None) -> ClosedPeriod | None:
    """The closed period a date falls in, or ``None`` when the date is still open.

    Periods are closed in order, so every day up to the latest closed period's last day is closed: a
    booking dated then is refused, and a period ending then cannot be closed any more.

    Args:
        on: the date of a booking (or the last day of a period to close).
        latest: the latest closed period, ``None`` when none is closed.
    """
    if latest is not None and on <= latest.ends_on:
        return latest
    return None


def check_period_open(period: str, closed_periods: Collection[str]) -> None:
    """Raise ``PeriodAlreadyClosed`` (field ``period``) if ``period`` is among ``closed_periods``."""
    if _check_period(period) in closed_periods:
        raise PeriodAlreadyClosed(
            f"period {period} is already closed", field="period", rule="close once per period"
        )


def _close_target(account: str) -> str | None:
    if account.startswith(EXPENSES_PREFIX):
        return NET_ASSETS_UNRESTRICTED
    if not account.startswith(INCOME_PREFIX):
        return None
    segments = account.split(":")
    if "Restricted" in segments:
        return NET_ASSETS_RESTRICTED
    if "Unrestricted" in segments:
        return NET_ASSETS_UNRESTRICTED
    raise InvalidInput(
        f"income account {account} does not say whether it is Restricted or Unrestricted",
        field="balances",
        rule="income account names its restriction",
    )


def period_close_postings(balances: Mapping[str, Fen]) -> tuple[Posting, ...]:
    """Return the period-end closing entry of the charity book.

    As 《民间非营利组织会计制度》 prescribes, restricted income (``Income:Charity:...:Restricted``,
    4xxx02) closes into 3102 限定性净资产; unrestricted income (``...:Unrestricted``, 4xxx01) and every
    expense (``Expenses:Charity:...``, 5xxx) close into 3101 非限定性净资产.

    Args:
        balances: each account's balance at the end of the period, Beancount sign (income negative,
            expenses positive). Accounts other than charity income and expenses are ignored, as are
            zero balances.

    Returns:
        One leg per non-zero income or expense account that zeroes it (sorted by account), then one
        net leg per net-asset account that receives something; ``()`` when there is nothing to close.
        The legs sum to zero.

    Raises:
        InvalidInput: an income account's name does not say Restricted or Unrestricted; a balance is
            not an int (field ``balances``).
    """
    closing: list[Posting] = []
    into: dict[str, Fen] = {}
    for account in sorted(balances):
        fen = balances[account]
        if isinstance(fen, bool) or not isinstance(fen, int):
            raise InvalidInput(f"balance of {account} must be int fen", field="balances", rule="integer fen")
        target = _close_target(account)
        if target is None or fen == 0:
            continue
        closing.append(Posting(account, -fen))
        into[target] = into.get(target, 0) + fen
    closing.extend(
        Posting(target, into[target])
        for target in (NET_ASSETS_UNRESTRICTED, NET_ASSETS_RESTRICTED)
        if into.get(target, 0) != 0
    )
    return tuple(closing)
