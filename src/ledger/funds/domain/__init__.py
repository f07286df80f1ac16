"""The charity guidance fund's pure rules (慈善引导资金, 《民间非营利组织会计制度》), one module per concern.

Nothing here touches a database, the web or Beancount: the service layer loads state, calls these
functions, and writes what they return. Every amount is integer fen (``ledger.core.money.Fen``). A
posting builder returns the legs of **one** balanced journal entry as ``ledger.core.entries.Posting``
values with Beancount's sign convention: debits positive, credits negative (so an income account's
balance is negative). The accounting choices are recorded in ``docs/decisions/0002-grant-accounting.md``.
Import from this package (``from ledger.funds import domain``); it re-exports every module's names.

The modules, in the order money moves:

- ``accounts``: the charity accounts the entries use (``BANK``, ``GRANTS_PAYABLE`` ...).
- ``receipts``: the district's guidance grant (Dr 1002 / Cr 440102) and enterprises' matching
  donations (Dr 1002 / Cr 410102): ``ReceiptKind``, ``check_receipt``, ``receipt_postings``.
- ``position``: the fund's position (``FundPosition`` and the ``after_*`` transitions: received,
  committed but unpaid, paid, returned; ``available`` never goes below zero) and one grant's money
  (``GrantBalance``, ``grant_after_*``).
- ``applications``: calls (``check_call``, ``check_in_window``, ``check_call_budget``), the matching
  rule (``MatchingRule``, ``check_matching``), reviews (``ScoreScale``, ``check_score``), grantees
  (``validate_grantee_credit_code``) and the decision (``check_decider``, ``check_reviewer``,
  ``check_rejection_reason``: four eyes and conflicts of interest).
- ``status``: the status machines (``ApplicationStatus``, ``next_application_status``, ``GrantStatus``,
  ``next_grant_status``).
- ``grants``: tranches (``tranche_schedule``, ``check_tranche_order``) and the grant's entries
  (``commitment_postings``, ``tranche_payment_postings``, ``cancellation_postings``, ``return_postings``).
- ``periods``: period close (``period_close_postings``, ``check_period_open``, ``period_close_key``,
  ``period_end``) and the closed-period rule for bookings (``ClosedPeriod``, ``closed_period_of``).
- ``inputs``: checks of plain inputs the others share (whole fen, required text).

Errors (in ``funds.errors``; the two shared with claims in ``core.errors``) name the API input at fault
in ``field``: ``amount``, ``project_budget``, ``requested_amount``, ``pledged_amount``,
``approved_amount``, ``decided_by``, ``reviewed_by``, ``status``, ``tranche``, ``tranche_percents``,
``score``, ``reason``, ``credit_code``, ``donor``, ``agreement``, ``received_on``, ``submitted_on``,
``budget``, ``closes_on``, ``period``, ``balances``, ``expense_account``.
"""

from __future__ import annotations

from ledger.funds.domain.accounts import (
    ADMIN_COSTS,
    BANK,
    CHARITY_ACCOUNTS,
    DONATIONS_RESTRICTED,
    DONATIONS_UNRESTRICTED,
    EXPENSES_PREFIX,
    GOVERNMENT_GRANT_RESTRICTED,
    GOVERNMENT_GRANT_UNRESTRICTED,
    GRANTS_PAYABLE,
    INCOME_PREFIX,
    NET_ASSETS_RESTRICTED,
    NET_ASSETS_UNRESTRICTED,
    PROGRAM_COSTS,
)
from ledger.funds.domain.applications import (
    MatchingRule,
    ScoreScale,
    UserT,
    check_call,
    check_call_budget,
    check_decider,
    check_in_window,
    check_matching,
    check_rejection_reason,
    check_reviewer,
    check_score,
    max_fund_share_fen,
    mean_score,
    validate_grantee_credit_code,
)
from ledger.funds.domain.grants import (
    cancellation_postings,
    check_tranche_order,
    check_tranche_percents,
    commitment_postings,
    report_acceptance_action,
    restriction_reinstatement_postings,
    restriction_release_postings,
    return_postings,
    tranche_payment_postings,
    tranche_schedule,
)
from ledger.funds.domain.periods import (
    ClosedPeriod,
    check_period_open,
    closed_period_of,
    period_close_key,
    period_close_postings,
    period_end,
)
from ledger.funds.domain.position import (
    FLOW_KINDS,
    FundPosition,
    GrantBalance,
    MonthFlow,
    ProgrammeTotal,
    after_cancel,
    after_commit,
    after_receipt,
    after_return,
    after_signing,
    after_tranche_paid,
    check_available,
    grant_after_release,
    grant_after_return,
    grant_after_tranche_paid,
    monthly_flows,
    programme_totals,
)
from ledger.funds.domain.receipts import (
    ReceiptKind,
    Restriction,
    check_receipt,
    income_account,
    receipt_postings,
)
from ledger.funds.domain.status import (
    APPLICATION_TRANSITIONS,
    GRANT_TRANSITIONS,
    ApplicationAction,
    ApplicationStatus,
    GrantAction,
    GrantStatus,
    application_actions,
    grant_actions,
    next_application_status,
    next_grant_status,
)

__all__ = [
    "ADMIN_COSTS",
    "APPLICATION_TRANSITIONS",
    "BANK",
    "CHARITY_ACCOUNTS",
    "DONATIONS_RESTRICTED",
    "DONATIONS_UNRESTRICTED",
    "EXPENSES_PREFIX",
    "FLOW_KINDS",
    "GOVERNMENT_GRANT_RESTRICTED",
    "GOVERNMENT_GRANT_UNRESTRICTED",
    "GRANTS_PAYABLE",
    "GRANT_TRANSITIONS",
    "INCOME_PREFIX",
    "NET_ASSETS_RESTRICTED",
    "NET_ASSETS_UNRESTRICTED",
    "PROGRAM_COSTS",
    "ApplicationAction",
    "ApplicationStatus",
    "ClosedPeriod",
    "FundPosition",
    "GrantAction",
    "GrantBalance",
    "GrantStatus",
    "MatchingRule",
    "MonthFlow",
    "ProgrammeTotal",
    "ReceiptKind",
    "Restriction",
    "ScoreScale",
    "UserT",
    "after_cancel",
    "after_commit",
    "after_receipt",
    "after_return",
    "after_signing",
    "after_tranche_paid",
    "application_actions",
    "cancellation_postings",
    "check_available",
    "check_call",
    "check_call_budget",
    "check_decider",
    "check_in_window",
    "check_matching",
    "check_period_open",
    "check_receipt",
    "check_rejection_reason",
    "check_reviewer",
    "check_score",
    "check_tranche_order",
    "check_tranche_percents",
    "closed_period_of",
    "commitment_postings",
    "grant_actions",
    "grant_after_release",
    "grant_after_return",
    "grant_after_tranche_paid",
    "income_account",
    "max_fund_share_fen",
    "mean_score",
    "monthly_flows",
    "next_application_status",
    "next_grant_status",
    "period_close_key",
    "period_close_postings",
    "period_end",
    "programme_totals",
    "receipt_postings",
    "report_acceptance_action",
    "restriction_reinstatement_postings",
    "restriction_release_postings",
    "return_postings",
    "tranche_payment_postings",
    "tranche_schedule",
    "validate_grantee_credit_code",
]
