"""Signing in and out, changing one's password, choosing the language; ``/`` leads to the user's desk."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery

from ledger.core import clock
from ledger.core.errors import InvalidInput, LedgerError
from ledger.platform.domain import Role, read_token
from ledger.platform.service import AuthPolicy, UserService
from ledger.web.i18n import current_locale, gettext_, parse_locale
from ledger.web.pages.base import HOME, desk, error_context, form_of, principal_of, redirect, render
from ledger.web.pages.session import (
    end_session,
    safe_next,
    set_language,
    sign_in_state,
    start_session,
    state_of,
)


def _policy(request: Request[Any, Any, Any]) -> AuthPolicy:
    settings = request.app.state.settings
    return AuthPolicy(
        secret=settings.secret_key,
        ttl_seconds=settings.token_ttl_seconds,
        lockout_threshold=settings.lockout_threshold,
        lockout_minutes=settings.lockout_minutes,
    )


class SignInPages(Controller):
    """The sign-in page, signing out, the password and the language."""

    @get("/", name="home")
    async def home(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The user's desk, or the sign-in page."""
        principal = state_of(request).principal
        return redirect(request, HOME[principal.role] if principal else "/login")

    @get("/login", name="login")
    async def login_form(
        self,
        request: Request[Any, Any, Any],
        reason: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """The sign-in form; says why when a session expired or a page needed signing in."""
        notes = {
            "expired": gettext_("Your session has expired; please sign in again."),
            "signin": gettext_("Please sign in to open that page."),
            "signedout": gettext_("You have signed out."),
        }
        return render(
            request,
            "auth/login.html",
            note=notes.get(reason or ""),
            next=safe_next(request.query_params.get("next"), ""),
        )

    @post("/login", name="login-submit")
    async def login(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Check the password with the same lockout as the API and open a session."""
        form = await form_of(request)
        username = str(form.get("username", "")).strip()
        target = safe_next(str(form.get("next", "")), "")
        try:
            issued = await UserService().sign_in(username, str(form.get("password", "")), _policy(request))
        except LedgerError as exc:
            return render(
                request,
                "auth/login.html",
                status_code=401 if exc.rule == "valid credentials" else 423,
                username=username,
                next=target,
                **error_context(exc),
            )
        secret = request.app.state.settings.secret_key
        principal = read_token(issued.access_token, secret=secret, now=clock.now())
        sign_in_state(request, await UserService().page_session(principal, None))
        response = redirect(request, target or HOME[principal.role])
        start_session(request, response, principal)
        return response

    @post("/logout", name="logout", **desk(*Role))
    async def logout(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """End the session, on the server too."""
        await end_session(request)
        return redirect(request, "/login", reason="signedout")

    @get("/account/password", name="password", **desk(*Role))
    async def password_form(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """The password form."""
        return render(request, "auth/password.html")

    @post("/account/password", name="password-submit", **desk(*Role, once=True))
    async def change_password(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Change the signed-in user's password."""
        form = await form_of(request)
        new = str(form.get("new_password", ""))
        try:
            if new != str(form.get("repeat_password", "")):
                raise InvalidInput(
                    gettext_("The two new passwords differ."), field="repeat_password", rule="same twice"
                )
            await UserService().change_password(
                principal_of(request), str(form.get("current_password", "")), new
            )
            # the new password ended every session; this one goes on under the new version
            sign_in_state(request, await UserService().page_session(principal_of(request), None))
        except LedgerError as exc:
            if exc.field == "password":
                exc.field = "new_password"
            return render(request, "auth/password.html", status_code=422, **error_context(exc))
        return redirect(request, "/account/password", message=gettext_("Your password has been changed."))

    @post("/language", name="language")
    async def language(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Switch the page language and go back to the page: kept with the signed-in user (for any
        browser they sign in on) and in a cookie (for the sign-in page)."""
        form = await form_of(request)
        locale = parse_locale(str(form.get("locale", "")))
        state = state_of(request)
        if state.principal is not None:
            await UserService().set_locale(state.principal, locale)
        state.locale = locale
        current_locale.set(locale)
        response = redirect(request, safe_next(str(form.get("next", "")), "/"))
        set_language(request, response, locale)
        return response
