"""The workbench: server-rendered pages for the people at each desk.

Page controllers are thin: they read the form, call the same services as the JSON API and render a
template; the rules stay in the domains. The pages sign users in with a cookie session (the API keeps
its bearer tokens), so their routes are public to the bearer middleware and checked by
``base.before_page`` instead.
"""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.static_files import create_static_files_router

from ledger.web.auth import PUBLIC
from ledger.web.errors import EXCEPTION_HANDLERS
from ledger.web.pages import (
    adjuster,
    approver,
    audit,
    auth,
    claims,
    fund,
    fund_grants,
    payments,
    relief,
    relief_bank,
    relief_cycles,
)
from ledger.web.pages.base import STATIC, before_page, page_error, template_config
from ledger.web.pages.once import FormOnceMiddleware

__all__ = ["routes", "template_config"]


def routes() -> list[Any]:
    """The pages and their static files, for ``create_app``."""
    pages = Router(
        path="/",
        route_handlers=[
            auth.SignInPages,
            adjuster.AdjusterPages,
            approver.ApproverPages,
            payments.PaymentPages,
            fund.FundPages,
            fund_grants.FundGrantPages,
            claims.ClaimPages,
            audit.AuditPages,
            relief.ReliefPages,
            relief_cycles.CyclePages,
            relief_bank.BankPages,
        ],
        opt={PUBLIC: True},
        before_request=before_page,
        middleware=[FormOnceMiddleware],
        exception_handlers=dict.fromkeys(EXCEPTION_HANDLERS, page_error),
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static", directories=[STATIC], opt={PUBLIC: True}, include_in_schema=False, name="static"
    )
    return [pages, static]
