"""The charity book's accounts the fund's entries use (names from ``config/accounts.toml``, where
the statutory codes live as data)."""

from __future__ import annotations

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
