"""Signing in to the pages: a cookie session, CSRF tokens, the language and one-time messages.

The session cookie holds the same signed token the API hands out (``platform.domain.issue_token``), so
the pages check a user exactly as the API does (active, same role) and the API keeps its bearer tokens.
Every page response renews it: the session ends after ``Settings.session_idle_seconds`` without a page.
Sessions end on the server too: the token carries, signed, the user's ``session_version`` it began
under; signing out or a new password bumps it, so a copied cookie stops working on every browser.
The language is the user's (``app_user.locale``) once signed in; the cookie only counts before.

One-time form keys: every form also carries a fresh random ``form_key``; a page that changes something
acts once per key (``ledger.web.pages.once``).

CSRF: a random ``rl_csrf`` cookie and, in every form, its HMAC under the secret key (a signed double
submit). A POST whose form does not carry the HMAC of its cookie is refused before the page runs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.types import Scope

from ledger.core import clock
from ledger.core.errors import BadRequest, PermissionDenied, Unauthenticated
from ledger.platform.domain import PageSession, Principal, issue_token, read_session_token
from ledger.platform.service import UserService
from ledger.web.i18n import current_locale, parse_locale

SESSION_COOKIE = "rl_session"
CSRF_COOKIE = "rl_csrf"
LANG_COOKIE = "rl_lang"
FLASH_COOKIE = "rl_flash"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 30 * 60
"""A page session ends after half an hour without a page (every page renews it)."""
LANG_SECONDS = 365 * 24 * 3600

_STATE = "workbench"
MAX_FORM_KEY_LENGTH = 200


class CsrfRefused(PermissionDenied):
    """The form did not come from this site's page (its security token is missing or wrong): reload the
    page and send it again."""


FORM_KEY_FIELD = "form_key"
ONCE = "form_once"


class FormKeyMissing(BadRequest):
    """The form carries no one-time key (it did not come from a current page): reload the page and
    send it again."""


def new_form_key() -> str:
    """A fresh key for one rendered form."""
    return secrets.token_urlsafe(18)


def is_once(scope: Scope) -> bool:
    """Whether ``scope`` is a POST to a page that acts only once per form."""
    handler = scope.get("route_handler")
    return scope.get("method") == "POST" and handler is not None and bool(handler.opt.get(ONCE))


def form_key(form: dict[str, Any]) -> str:
    """The one-time key of a submitted form; refuses a form without one."""
    key = str(form.get(FORM_KEY_FIELD, "")).strip()
    if not key or len(key) > MAX_FORM_KEY_LENGTH:
        raise FormKeyMissing(field=FORM_KEY_FIELD, rule="a one-time key from the page's form")
    return key


@dataclass(slots=True)
class PageState:
    """What the pages' hook learnt about a request.

    Args:
        principal: the signed-in user, or ``None``.
        expired: whether a session cookie was present but no longer valid.
        csrf_seed: the value of the CSRF cookie (new if the browser had none).
        new_csrf: whether ``csrf_seed`` must be set as a cookie on the response.
        locale: the page language.
        flash: the one-time message left by the previous action, if any.
        signed_out: whether this request signed the user out.
        sent_flash: the one-time message this request leaves for the next page, if any.
        session_version: the signed-in user's session version, carried by a renewed session cookie.
    """

    principal: Principal | None
    expired: bool
    csrf_seed: str
    new_csrf: bool
    locale: str
    flash: dict[str, Any] | None
    signed_out: bool = False
    sent_flash: dict[str, Any] | None = None
    session_version: int = 0


def state_of(request: Request[Any, Any, Any]) -> PageState:
    """The page state of ``request`` (set by ``load_state``)."""
    found: PageState = request.scope["state"][_STATE]
    return found


def has_state(request: Request[Any, Any, Any]) -> bool:
    """Whether the pages' hook has read this request's cookies."""
    return _STATE in request.scope.get("state", {})


def _secret(request: Request[Any, Any, Any]) -> str:
    secret: str = request.app.state.settings.secret_key
    return secret


def csrf_token(request: Request[Any, Any, Any]) -> str:
    """The token every form of this page must send back in ``csrf_token``."""
    seed = state_of(request).csrf_seed
    return hmac.new(_secret(request).encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def _sign(request: Request[Any, Any, Any], payload: str) -> str:
    mac = hmac.new(_secret(request).encode(), f"flash:{payload}".encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{mac[:32]}"


def _unsign(request: Request[Any, Any, Any], value: str) -> str | None:
    payload = value.rpartition(".")[0]
    return payload if payload and hmac.compare_digest(_sign(request, payload), value) else None


async def load_state(request: Request[Any, Any, Any]) -> PageState:
    """Read the session, CSRF, language and flash cookies into the request's page state."""
    cookies = request.cookies
    session: PageSession | None = None
    expired = False
    token = cookies.get(SESSION_COOKIE, "")
    if token:
        try:
            principal, version = read_session_token(token, secret=_secret(request), now=clock.now())
            session = await UserService().page_session(principal, version)
        except Unauthenticated:
            session, expired = None, True
    seed = cookies.get(CSRF_COOKIE, "")
    new_csrf = len(seed) < 32
    if new_csrf:
        seed = secrets.token_urlsafe(32)
    flash = None
    raw = cookies.get(FLASH_COOKIE, "")
    payload = _unsign(request, raw) if raw else None
    if payload:
        try:
            flash = json.loads(base64.urlsafe_b64decode(payload.encode()).decode())
        except ValueError:
            flash = None
    state = PageState(
        principal=None,
        expired=expired,
        csrf_seed=seed,
        new_csrf=new_csrf,
        locale=parse_locale(cookies.get(LANG_COOKIE)),
        flash=flash,
    )
    request.scope["state"][_STATE] = state
    if session is not None:
        sign_in_state(request, session)
    current_locale.set(state.locale)
    return state


def sign_in_state(request: Request[Any, Any, Any], session: PageSession) -> None:
    """Make ``session`` the request's signed-in user: their session version and, if they chose one,
    their language (the language cookie only counts before signing in)."""
    state = state_of(request)
    state.principal = session.principal
    state.session_version = session.session_version
    if session.locale:
        state.locale = parse_locale(session.locale)
        current_locale.set(state.locale)
    request.scope["user"] = session.principal


def check_csrf(request: Request[Any, Any, Any], form: dict[str, Any]) -> None:
    """Refuse a form whose CSRF token is not the HMAC of the browser's CSRF cookie."""
    state = state_of(request)
    sent = str(form.get(CSRF_FIELD, ""))
    if state.new_csrf or not hmac.compare_digest(sent, csrf_token(request)):
        raise CsrfRefused(field=CSRF_FIELD, rule="the form's token matches this browser's CSRF cookie")


def _secure(request: Request[Any, Any, Any]) -> bool:
    return request.url.scheme == "https"


def _cookie(request: Request[Any, Any, Any], key: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def finish(request: Request[Any, Any, Any], response: Response[Any]) -> Response[Any]:
    """Set the cookies a page response needs: the CSRF seed, the renewed session, the spent flash."""
    if not has_state(request):
        return response
    state = state_of(request)
    if state.new_csrf:
        response.set_cookie(_cookie(request, CSRF_COOKIE, state.csrf_seed, SESSION_SECONDS * 48))
    if state.principal is not None and not state.signed_out:
        start_session(request, response, state.principal)
    elif state.expired or state.signed_out:
        response.delete_cookie(SESSION_COOKIE, path="/")
    if state.flash is not None and FLASH_COOKIE in request.cookies and not _flash_set(response):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _flash_set(response: Response[Any]) -> bool:
    return any(cookie.key == FLASH_COOKIE and cookie.value for cookie in response.cookies)


def start_session(request: Request[Any, Any, Any], response: Response[Any], principal: Principal) -> None:
    """Put a fresh session token for ``principal`` on ``response``, under the current session version."""
    token = issue_token(
        principal,
        secret=_secret(request),
        ttl_seconds=SESSION_SECONDS,
        now=clock.now(),
        session_version=state_of(request).session_version,
    )
    response.set_cookie(_cookie(request, SESSION_COOKIE, token.access_token, SESSION_SECONDS))


async def end_session(request: Request[Any, Any, Any]) -> None:
    """Sign out: end the user's sessions on the server (a copied cookie stops working) and drop the
    session cookie on the response of this request."""
    state = state_of(request)
    if state.principal is not None:
        await UserService().end_sessions(state.principal)
    state.signed_out = True
    state.principal = None


def set_language(request: Request[Any, Any, Any], response: Response[Any], locale: str) -> None:
    """Remember the user's language in a year-long cookie."""
    response.set_cookie(_cookie(request, LANG_COOKIE, parse_locale(locale), LANG_SECONDS))


def flash(request: Request[Any, Any, Any], response: Response[Any], message: str, **links: Any) -> None:
    """Leave a one-time message (already translated) and links for the next page.

    Args:
        request: the current request.
        response: the redirect that carries the message.
        message: the text to show.
        links: label -> URL of what the action created (a payment, its voucher, its ledger entry).
    """
    sent = {"message": message, "links": links}
    if has_state(request):
        state_of(request).sent_flash = sent
    payload = base64.urlsafe_b64encode(json.dumps(sent, ensure_ascii=False).encode()).decode()
    response.set_cookie(_cookie(request, FLASH_COOKIE, _sign(request, payload), 300))


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
