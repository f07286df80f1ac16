"""What every page shares: who may open it, the request hooks, rendering, navigation and error pages.

A page handler names its roles with ``desk(...)`` (``opt={"page_roles": ...}``); the pages' hook signs
the user in from the session cookie, sends a stranger to the sign-in page, refuses another role with a
403 page and checks the CSRF token of every POST before the handler runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.template import TemplateConfig

from ledger.claims.controllers import EVERYONE as CLAIM_READERS
from ledger.claims.service import FULL_ID_ROLES
from ledger.core import clock
from ledger.core.errors import LedgerError, PermissionDenied
from ledger.core.ids import mask_resident_id
from ledger.core.money import Fen, capital_numerals, format_cny, from_decimal
from ledger.platform.domain import Principal, Role
from ledger.web.errors import status_of
from ledger.web.i18n import LOCALES, gettext_, is_chinese, ngettext_
from ledger.web.pages import messages
from ledger.web.pages.session import (
    CSRF_FIELD,
    FORM_KEY_FIELD,
    ONCE,
    check_csrf,
    csrf_token,
    finish,
    flash,
    form_key,
    has_state,
    is_once,
    load_state,
    new_form_key,
    state_of,
)

log = logging.getLogger("ledger.web.pages")

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
STATIC = Path(__file__).resolve().parents[1] / "static"
PAGE_ROLES = "page_roles"


def desk(*roles: Role, once: bool = False) -> dict[str, Any]:
    """Route keyword arguments of a page open to ``roles`` (signed in).

    Args:
        roles: who may open it.
        once: whether a POST to it changes something, so that each rendered form acts only once
            (its one-time form key, ``ledger.web.pages.once``).
    """
    return {"opt": {PAGE_ROLES: roles, ONCE: once}}


@dataclass(frozen=True, slots=True)
class NavItem:
    """A navigation link.

    Args:
        href: where it goes.
        label: its English message id.
        roles: who sees it.
    """

    href: str
    label: str
    roles: tuple[Role, ...]


NAV = (
    NavItem("/claims/inbox", messages.N_("Claims intake"), (Role.ADJUSTER,)),
    NavItem("/claims/new", messages.N_("Register"), (Role.ADJUSTER, Role.APPROVER)),
    NavItem("/approvals", messages.N_("Approvals"), (Role.APPROVER,)),
    NavItem("/payments", messages.N_("Payments"), (Role.ACCOUNTANT,)),
    NavItem("/payments/daily", messages.N_("Daily payments"), (Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN)),
    NavItem("/fund", messages.N_("Fund desk"), (Role.ACCOUNTANT,)),
    NavItem("/claims/search", messages.N_("Search claims"), CLAIM_READERS),
    NavItem("/audit", messages.N_("Ledger integrity"), (Role.AUDITOR, Role.ACCOUNTANT, Role.ADMIN)),
    NavItem("/audit/statements", messages.N_("Statements"), (Role.AUDITOR, Role.ACCOUNTANT, Role.ADMIN)),
    NavItem("/audit/trail", messages.N_("Audit trail"), (Role.AUDITOR, Role.ADMIN)),
    NavItem("/relief/households", messages.N_("Relief households"), (Role.CASEWORKER, Role.RELIEF_OFFICER)),
    NavItem("/relief/applications", messages.N_("Relief applications"), (Role.RELIEF_OFFICER,)),
    NavItem("/relief/cycles", messages.N_("Payroll cycles"), (Role.CASEWORKER, Role.RELIEF_OFFICER)),
    NavItem("/relief/bank", messages.N_("Relief bank files"), (Role.ACCOUNTANT, Role.AUDITOR, Role.ADMIN)),
)
HOME = {
    Role.ADJUSTER: "/claims/inbox",
    Role.APPROVER: "/approvals",
    Role.ACCOUNTANT: "/payments",
    Role.AUDITOR: "/audit",
    Role.ADMIN: "/claims/search",
    Role.CASEWORKER: "/relief/households",
    Role.RELIEF_OFFICER: "/relief/applications",
}
"""Each role's desk: where it lands after signing in."""


def nav_for(principal: Principal | None) -> list[NavItem]:
    """The links ``principal`` may open."""
    if principal is None:
        return []
    return [item for item in NAV if principal.role in item.roles]


# -- formatting (the same on every page) ------------------------------------------------------------


def amount(fen: Fen | None) -> str:
    """``12,345.67``: thousands separators, two decimals, a minus for negatives; never rounded."""
    return "" if fen is None else format_cny(int(fen))


def grouped(decimal_text: str) -> str:
    """``8650.40`` as stored in an assessment trail, shown as ``8,650.40``."""
    return format_cny(from_decimal(Decimal(decimal_text)))


def capital(fen: Fen) -> str:
    """The amount in Chinese capital numerals (大写) for money-moving confirmations."""
    return capital_numerals(int(fen))


def iso_date(value: dt.date | dt.datetime | None) -> str:
    """``2026-12-01``; a time as ``2026-12-01 14:05`` in the business time zone."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def shown_id(number: str, principal: Principal | None) -> str:
    """A resident ID as ``principal`` may see it: in full for the roles the API shows it to, else masked."""
    if principal is not None and principal.role in FULL_ID_ROLES:
        return number
    return mask_resident_id(number)


def _configure(engine: JinjaTemplateEngine) -> None:
    env: Environment = engine.engine
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext_, ngettext_, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(amount=amount, grouped=grouped, capital=capital, iso=iso_date)
    env.globals.update(
        is_chinese=is_chinese,
        LOCALES=LOCALES,
        CSRF_FIELD=CSRF_FIELD,
        FORM_KEY_FIELD=FORM_KEY_FIELD,
        new_form_key=new_form_key,
    )
    env.trim_blocks = True
    env.lstrip_blocks = True


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """The Jinja2 templates of the pages (``ledger/web/templates/<domain>/``), with gettext."""
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=_configure)


def render(request: Request[Any, Any, Any], name: str, *, status_code: int = 200, **context: Any) -> Template:
    """A page from template ``name`` with what every page needs in its context.

    Args:
        request: the current request.
        name: the template, e.g. ``claims/inbox.html``.
        status_code: 200, or 4xx for a form sent back with its errors.
        context: the page's own values.
    """
    state = state_of(request)
    base = {
        "principal": state.principal,
        "nav": nav_for(state.principal),
        "form_token": csrf_token(request),
        "flash": state.flash,
        "locale": state.locale,
        "path": request.url.path,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "today": clock.today(),
    }
    response = Template(template_name=name, context={**base, **context}, status_code=status_code)
    finish(request, response)
    return response


def redirect(
    request: Request[Any, Any, Any],
    path: str,
    *,
    message: str | None = None,
    links: Mapping[str, str] | None = None,
    **query: Any,
) -> Redirect:
    """A 303 redirect (POST, then redirect, then GET) carrying the page cookies.

    Args:
        request: the current request.
        path: where to go.
        message: what the action did, shown once on the next page (already translated).
        links: label -> URL of what the action created, shown with the message.
        query: query parameters (empty ones are left out).
    """
    wanted = {k: v for k, v in query.items() if v not in (None, "")}
    response = Redirect(path + (f"?{urlencode(wanted)}" if wanted else ""), status_code=HTTP_303_SEE_OTHER)
    if message:
        flash(request, response, message, **dict(links or {}))
    finish(request, response)
    return response


def principal_of(request: Request[Any, Any, Any]) -> Principal:
    """The signed-in user of a page that requires one."""
    principal = state_of(request).principal
    assert principal is not None  # the hook refuses pages with roles to strangers
    return principal


async def form_of(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The submitted form: single values as strings, repeated names as lists."""
    data = await request.form()
    found: dict[str, Any] = {}
    for key in data:
        values = data.getall(key)
        found[key] = values if len(values) > 1 else values[0]
    return found


# -- hooks ------------------------------------------------------------------------------------------


async def before_page(request: Request[Any, Any, Any]) -> Response[Any] | None:
    """Sign in from the cookie, keep strangers and other roles out, check the CSRF token of a POST
    and the one-time key of a form that changes something."""
    state = await load_state(request)
    roles: Sequence[Role] | None = request.route_handler.opt.get(PAGE_ROLES)
    if roles is not None:
        if state.principal is None:
            reason = "expired" if state.expired else "signin"
            return redirect(request, "/login", next=request.url.path, reason=reason)
        if state.principal.role not in roles:
            names = ", ".join(gettext_(messages.ROLE_NAMES[r]) for r in roles)
            raise PermissionDenied(
                gettext_("Your role may not open this page; it is for: {roles}.").format(roles=names),
                rule="role",
            )
    if request.method == "POST":
        form = await form_of(request)
        check_csrf(request, form)
        if is_once(request.scope):
            form_key(form)
    return None


def page_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Any error on a page answered as a page in the user's language (never a JSON problem)."""
    if isinstance(exc, LedgerError):
        status = status_of(exc)
        text = messages.error_text(exc)
    elif isinstance(exc, NotAuthorizedException):
        status, text = 401, gettext_("Please sign in.")
    elif isinstance(exc, ValidationException):
        status, text = 400, gettext_("The request is not valid: {detail}").format(detail=exc.detail)
    elif isinstance(exc, HTTPException):
        status, text = exc.status_code, messages.http_text(exc.status_code)
    else:
        log.error("unhandled error on page %s %s", request.method, request.url.path, exc_info=exc)
        status, text = 500, gettext_("Something went wrong on our side; please try again or tell support.")
    if not has_state(request):  # the hook itself failed before it could read the cookies
        return Response(text, status_code=status, media_type="text/plain; charset=utf-8")
    return render(request, "errors/error.html", status_code=status, status=status, message=text)


def error_context(exc: LedgerError) -> dict[str, Any]:
    """The form errors of a refused submission: the field at fault and the message in the user's language."""
    return {"errors": {messages.form_field(exc.field): messages.error_text(exc)}, "error": exc}


def as_mapping(value: Any) -> Mapping[str, Any]:
    """A row or struct as a mapping for templates."""
    return value if isinstance(value, Mapping) else {k: getattr(value, k) for k in value.__struct_fields__}
