"""Statement builders: pure functions from ledger figures (fen) to ``documents.Statement`` values.

No database, no Beancount, no clock: the service gathers the figures (from the loaded ledger, cross-checked
with the journal) and passes them here with the period, the check findings and the generation time.

Signs: figures arrive as Beancount sums (debits positive); each builder turns them into the way a Chinese
statement prints them (a liability or income as a positive amount).

One module per statement family; this package re-exports them all (``from ledger.reports import domain``):

- ``context``: ``Period``, ``Context``, the date limits, ``BadDate``, the statement frame and
  ``check_findings``.
- ``accounting``: ``trial_balance``, ``balance_sheet``, ``statement_of_activities``, ``chart_of_accounts``.
- ``insurance``: ``insurance_programme``, ``claims_register`` and their inputs (``ClaimRecord``,
  ``Programme``, ``Limit``).
- ``grants``: ``grant_register`` (of the funds service's ``GrantOfPeriod`` records).
- ``integrity``: ``integrity_certificate``.
- ``vouchers``: ``voucher``, ``voucher_tables`` and ``Backing``.
"""

from __future__ import annotations

from ledger.reports.domain.accounting import (
    Activities,
    activities_of,
    balance_sheet,
    chart_of_accounts,
    debit_credit,
    net_assets,
    statement_of_activities,
    trial_balance,
)
from ledger.reports.domain.context import (
    ALL_BOOKS,
    CLOSE_CAUSE,
    CURRENCY_PARAM,
    EARLIEST_DAY,
    LATEST_DAY,
    BadDate,
    Context,
    Period,
    check_findings,
    cn_date,
    new_statement,
    year_earlier,
)
from ledger.reports.domain.grants import (
    GRANT_STATUS_CN,
    grant_register,
    mask_credit_code,
)
from ledger.reports.domain.insurance import (
    ClaimRecord,
    Limit,
    Programme,
    claims_register,
    insurance_programme,
    mask_name,
    percent,
    reconcile_paid,
)
from ledger.reports.domain.integrity import (
    integrity_certificate,
)
from ledger.reports.domain.vouchers import (
    Backing,
    voucher,
    voucher_tables,
)

__all__ = [
    "ALL_BOOKS",
    "CLOSE_CAUSE",
    "CURRENCY_PARAM",
    "EARLIEST_DAY",
    "GRANT_STATUS_CN",
    "LATEST_DAY",
    "Activities",
    "Backing",
    "BadDate",
    "ClaimRecord",
    "Context",
    "Limit",
    "Period",
    "Programme",
    "activities_of",
    "balance_sheet",
    "chart_of_accounts",
    "check_findings",
    "claims_register",
    "cn_date",
    "debit_credit",
    "grant_register",
    "insurance_programme",
    "integrity_certificate",
    "mask_credit_code",
    "mask_name",
    "net_assets",
    "new_statement",
    "percent",
    "reconcile_paid",
    "statement_of_activities",
    "trial_balance",
    "voucher",
    "voucher_tables",
    "year_earlier",
]
