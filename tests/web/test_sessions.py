"""Page sessions end on the server, and each user's language follows them to any browser."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from ledger.platform.tables import AppUser
from tests.conftest import PASSWORD
from tests.web.test_pages import hidden, sign_in, token


@pytest.fixture
async def other_browser(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser on the same app: its own cookies."""
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as browser:
        yield browser


async def test_a_copied_session_cookie_stops_working_after_sign_out(
    client: httpx.AsyncClient, other_browser: httpx.AsyncClient, make_user: Callable[..., Awaitable[int]]
) -> None:
    await make_user("adjuster", "adjuster")
    await sign_in(client, "adjuster")
    page = await client.get("/claims/inbox")
    assert page.status_code == 200
    other_browser.cookies.set("rl_session", client.cookies["rl_session"])
    assert (await other_browser.get("/claims/inbox")).status_code == 200  # a copy works while signed in
    out = await client.post("/logout", data={"csrf_token": token(page.text)})
    assert out.headers["location"] == "/login?reason=signedout"
    copied = await other_browser.get("/claims/inbox")
    assert copied.status_code == 303
    assert copied.headers["location"] == "/login?next=%2Fclaims%2Finbox&reason=expired"
    await sign_in(client, "adjuster")  # signing in again opens a new session
    assert (await client.get("/claims/inbox")).status_code == 200


async def test_a_new_password_ends_the_other_sessions_but_not_this_one(
    client: httpx.AsyncClient, other_browser: httpx.AsyncClient, make_user: Callable[..., Awaitable[int]]
) -> None:
    await make_user("approver", "approver")
    await sign_in(client, "approver")
    await sign_in(other_browser, "approver")
    assert (await other_browser.get("/approvals")).status_code == 200
    form = await client.get("/account/password")
    changed = await client.post(
        "/account/password",
        data={
            **hidden(form.text, "/account/password"),
            "current_password": PASSWORD,
            "new_password": "new-password-1",
            "repeat_password": "new-password-1",
        },
    )
    assert changed.status_code == 303
    assert (await client.get("/approvals")).status_code == 200
    ended = await other_browser.get("/approvals")
    assert ended.status_code == 303
    assert "reason=expired" in ended.headers["location"]


async def test_the_language_is_the_users_after_sign_in_and_the_cookies_before(
    client: httpx.AsyncClient, other_browser: httpx.AsyncClient, make_user: Callable[..., Awaitable[int]]
) -> None:
    await make_user("accountant", "accountant")
    await sign_in(client, "accountant")
    page = await client.get("/payments")
    assert 'lang="zh-CN"' in page.text
    await client.post("/language", data={"csrf_token": token(page.text), "locale": "en", "next": "/payments"})
    assert await AppUser.select(AppUser.locale).where(AppUser.username == "accountant").first() == {
        "locale": "en"
    }

    # another browser whose language cookie says Chinese: Chinese until the user signs in, then English
    other_browser.cookies.set("rl_lang", "zh_CN")
    login = await other_browser.get("/login")
    assert 'lang="zh-CN"' in login.text
    await sign_in(other_browser, "accountant")
    desk = await other_browser.get("/payments")
    assert 'lang="en"' in desk.text
    assert "<h1>Payments" in desk.text
