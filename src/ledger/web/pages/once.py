"""One-time form keys: a page form sent twice acts once.

Every form of a page carries a fresh random ``form_key`` (the ``csrf()`` macro writes it beside the CSRF
token). A POST to a page that changes something (``desk(..., once=True)``) runs through the same
machinery as the API's ``Idempotency-Key`` (``ledger.web.middleware.run_once``: one unit of work, the
answer stored in the platform's idempotency table in the transaction of the effect, see
``docs/decisions/0004-idempotency-and-leases.md``). A page's answer to a successful form is a redirect,
so what is kept is where it went and the message it left. A second submit of the same rendered form
(a double click, the browser's back button and send again, a retry after a dropped connection) waits
for the first to finish and lands on that result, saying that the form had already been sent; it
does not act again. A refused form (4xx, shown again with its errors) is rolled back and keeps no key:
the corrected form, rendered anew, has a new one.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Receive, Scope, Send

from ledger.web.i18n import gettext_
from ledger.web.middleware import KeptAnswer, StoredAnswer, run_once, scope_key_of
from ledger.web.pages import messages
from ledger.web.pages.base import redirect
from ledger.web.pages.session import FORM_KEY_FIELD, MAX_FORM_KEY_LENGTH, is_once, load_state, state_of

REDIRECT_ANSWER = "application/vnd.relief-ledger.page-redirect+json"


class FormOnceMiddleware:
    """Runs each page form once per key; a second submit lands on the first one's result."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass anything else on; the pages' hook refuses a form without a key or a signed-in user."""
        if scope["type"] != "http" or not is_once(scope):
            await self.app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope, receive)
        key = str((await request.form()).get(FORM_KEY_FIELD, "")).strip()  # kept in the scope for the page
        state = await load_state(request)
        if not key or len(key) > MAX_FORM_KEY_LENGTH or state.principal is None:
            await self.app(scope, receive, send)
            return

        async def run(answer: KeptAnswer) -> None:
            await self.app(scope, receive, answer)

        def keep(answer: KeptAnswer) -> StoredAnswer | None:
            if answer.status != 303:
                return None
            location = answer.headers.get(b"location", b"/").decode("latin-1")
            sent = {"location": location, "flash": state_of(request).sent_flash}
            return StoredAnswer(answer.status, json.dumps(sent, ensure_ascii=False).encode(), REDIRECT_ANSWER)

        scope_key = scope_key_of(scope, key, state.principal.username)
        existing, answer = await run_once(scope_key, "", run, keep, wait=True)
        if existing is None:
            await answer.deliver(send)
            return
        await _land_on_first(request, json.loads(existing["response_body"]))(scope, receive, send)


def _land_on_first(request: Request[Any, Any, Any], first: dict[str, Any]) -> ASGIResponse:
    """The redirect of the first submit, with its message and a note that this one did nothing."""
    note = gettext_("This form had already been sent, so it was not acted on again.")
    flash = first.get("flash") or {}
    message = messages.sentences(note, str(flash.get("message", "")))
    response = redirect(request, str(first["location"]), message=message, links=flash.get("links") or {})
    return response.to_asgi_response(app=None, request=request)
