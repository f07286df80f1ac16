"""The workbench pages over HTTP (no browser): sessions, lockout, expiry, roles, language, masking.

The browser tests in ``tests/browser`` drive the same pages in Chromium; these check the rules the
pages keep in a few milliseconds each.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.messages.extract import extract_from_dir
from stdnum.cn import ric

from ledger.core import clock
from ledger.web.i18n import po_path, translations
from tests.conftest import PASSWORD

PAGES = Path(__file__).resolve().parents[2] / "src" / "ledger" / "web"


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert found, html[:2000]
    return found.group(1)


def hidden(html: str, action: str) -> dict[str, str]:
    """The hidden fields (CSRF token, one-time form key) of the form posting to ``action``."""
    start = html.index(f'action="{action}"')
    form = html[start : html.index("</form>", start)]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/login")
    return await client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token(page.text)}
    )


@pytest.fixture
def users(make_user: Callable[..., Awaitable[int]]) -> Callable[..., Awaitable[None]]:
    async def make(*names: str) -> None:
        for name in names:
            await make_user(name, name.rstrip("0123456789"))

    return make


async def test_each_role_lands_on_its_desk_with_only_its_navigation(
    client: httpx.AsyncClient, users: Callable[..., Awaitable[None]]
) -> None:
    await users("adjuster", "approver", "accountant", "auditor")
    expected = {
        "adjuster": "/claims/inbox",
        "approver": "/approvals",
        "accountant": "/payments",
        "auditor": "/audit",
    }
    for username, desk in expected.items():
        client.cookies.clear()
        answer = await sign_in(client, username)
        assert answer.status_code == 303
        assert answer.headers["location"] == desk
        cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("rl_session="))
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Secure" not in cookie
        page = await client.get(desk)
        assert page.status_code == 200
    # the accountant's navigation has no registration, and the adjuster's inbox is refused to it
    client.cookies.clear()
    await sign_in(client, "accountant")
    page = await client.get("/payments")
    assert 'href="/claims/new"' not in page.text
    assert 'href="/payments/daily"' in page.text
    refused = await client.get("/claims/inbox")
    assert refused.status_code == 403
    assert "理赔员" in refused.text  # the page says which role it is for


async def test_a_stranger_is_sent_to_sign_in_and_the_api_keeps_its_bearer_tokens(
    client: httpx.AsyncClient, login: Callable[..., Awaitable[dict[str, str]]]
) -> None:
    answer = await client.get("/claims/inbox")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fclaims%2Finbox&reason=signin"
    headers = await login("adjuster")
    api = await client.get("/api/claims", headers=headers)
    assert api.status_code == 200
    assert api.headers["content-type"].startswith("application/json")


async def test_the_pages_lock_an_account_like_the_api(
    client: httpx.AsyncClient, users: Callable[..., Awaitable[None]]
) -> None:
    await users("adjuster")
    for _ in range(5):
        wrong = await sign_in(client, "adjuster", "not-the-password")
        assert wrong.status_code == 401
        assert "用户名或密码错误" in wrong.text
    locked = await sign_in(client, "adjuster")
    assert locked.status_code == 423
    assert "账户已锁定" in locked.text
    api = await client.post("/api/auth/token", json={"username": "adjuster", "password": PASSWORD})
    assert api.status_code == 423


async def test_a_session_expires_after_half_an_hour_without_a_page(
    client: httpx.AsyncClient, users: Callable[..., Awaitable[None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    await users("adjuster")
    await sign_in(client, "adjuster")
    assert (await client.get("/claims/inbox")).status_code == 200
    later = clock.now() + dt.timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    answer = await client.get("/claims/inbox")
    assert answer.status_code == 303
    assert "reason=expired" in answer.headers["location"]
    assert 'rl_session=""' in answer.headers.get("set-cookie", "")


async def test_signing_out_and_changing_the_password(
    client: httpx.AsyncClient, users: Callable[..., Awaitable[None]]
) -> None:
    await users("approver")
    await sign_in(client, "approver")
    form = await client.get("/account/password")
    bad = await client.post(
        "/account/password",
        data={
            **hidden(form.text, "/account/password"),
            "current_password": PASSWORD,
            "new_password": "new-password-1",
            "repeat_password": "new-password-2",
        },
    )
    assert bad.status_code == 422
    assert "两次输入的新密码不一致" in bad.text
    good = await client.post(
        "/account/password",
        data={
            **hidden(bad.text, "/account/password"),
            "current_password": PASSWORD,
            "new_password": "new-password-1",
            "repeat_password": "new-password-1",
        },
    )
    assert good.status_code == 303
    page = await client.get("/approvals")
    out = await client.post("/logout", data={"csrf_token": token(page.text)})
    assert out.headers["location"] == "/login?reason=signedout"
    assert (await client.get("/approvals")).status_code == 303
    assert (await sign_in(client, "approver")).status_code == 401
    assert (await sign_in(client, "approver", "new-password-1")).status_code == 303


async def test_the_language_switch_changes_the_words_not_the_data(
    client: httpx.AsyncClient, users: Callable[..., Awaitable[None]]
) -> None:
    await users("adjuster")
    await sign_in(client, "adjuster")
    chinese = await client.get("/claims/inbox")
    assert "<h1>理赔受理" in chinese.text
    assert 'lang="zh-CN"' in chinese.text
    switched = await client.post(
        "/language", data={"csrf_token": token(chinese.text), "locale": "en", "next": "/claims/inbox"}
    )
    assert switched.headers["location"] == "/claims/inbox"
    english = await client.get("/claims/inbox")
    assert "<h1>Claims intake" in english.text
    assert 'lang="en"' in english.text


async def test_search_finds_a_full_id_and_masks_it_per_role(
    client: httpx.AsyncClient, login: Callable[..., Awaitable[dict[str, str]]]
) -> None:
    adjuster = await login("adjuster")
    await login("accountant")
    event = await client.post(
        "/api/events",
        headers=adjuster,
        json={
            "incident_date": "2026-06-01",
            "street": "城阳街道",
            "place": "正阳路 1 号",
            "peril": "fire_explosion",
            "authority": "消防",
            "certificate_no": "C-1",
        },
    )
    body = "370214196001010001"
    victim = body[:17] + ric.calc_check_digit(body[:17] + "0")
    claim = await client.post(
        "/api/claims",
        headers=adjuster,
        json={
            "event_no": event.json()["event_no"],
            "claimant_name": "张三",
            "claimant_relation": "self",
            "claimant_id": victim,
            "victim_name": "张三",
            "victim_id": victim,
            "bank_name": "青岛银行",
            "bank_account": "6228480000000000001",
            "lines": [{"head": "medical", "claimed": "100.00"}],
        },
    )
    assert claim.status_code == 201, claim.text
    masked = victim[:6] + "********" + victim[14:]
    for username, shown in (("adjuster", victim), ("accountant", masked)):
        client.cookies.clear()
        await sign_in(client, username)
        found = await client.get("/claims/search", params={"q": victim})
        assert found.status_code == 200
        rows = found.text.split("<tbody>")[1].split("</tbody>")[0]
        assert claim.json()["claim_no"] in rows
        assert shown in rows
        if shown == masked:
            assert victim not in rows
    wrong = await client.get(
        "/claims/search", params={"q": victim[:17] + ("1" if victim[17] != "1" else "2")}
    )
    assert f"校验位错误：应为 {victim[17]}" in wrong.text


def test_every_message_of_the_pages_has_its_chinese_translation() -> None:
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext_": None, "N_": None, "ngettext_": (1, 2), "th": None}
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            PAGES,
            method_map=[("pages/**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")],
            options_map=options,
            keywords=keywords,
        )
    }
    assert len(found) > 200
    zh = translations("zh_CN")
    untranslated = sorted(m for m in found if zh.gettext(m) == m)
    assert untranslated == []
    assert po_path("zh_CN").exists()


def test_placeholders_survive_translation() -> None:
    zh = translations("zh_CN")
    catalogue = po_path("zh_CN").read_text(encoding="utf-8")
    for msgid in re.findall(r'^msgid (".*")$', catalogue, flags=re.MULTILINE):
        text: Any = ast.literal_eval(msgid)
        if text:
            assert set(re.findall(r"{\w+}", text)) == set(re.findall(r"{\w+}", zh.gettext(text))), text


def test_each_message_is_translated_once() -> None:
    """Two entries for one English text would leave one desk's word silently replaced by another's."""
    catalogue = po_path("zh_CN").read_text(encoding="utf-8")
    msgids = re.findall(r'^msgid (".*")$', catalogue, flags=re.MULTILINE)
    repeated = sorted({m for m in msgids if m != '""' and msgids.count(m) > 1})
    assert repeated == []


async def test_the_daily_payments_list_downloads_as_csv_and_xlsx(
    client: httpx.AsyncClient, users: Callable[..., Awaitable[None]]
) -> None:
    await users("accountant")
    await sign_in(client, "accountant")
    today = clock.today().isoformat()
    page = await client.get("/payments/daily", params={"day": today})
    assert page.status_code == 200
    csv = await client.get("/payments/daily/csv", params={"day": today})
    assert csv.status_code == 200
    assert csv.headers["content-disposition"] == f'attachment; filename="payments-{today}.csv"'
    assert csv.content.decode("utf-8-sig").startswith("理赔案号,支付日期,支付类型")
    xlsx = await client.get("/payments/daily/xlsx", params={"day": today})
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")
    wrong = await client.get("/payments/daily", params={"day": "2026-13-01"})
    assert "2026-12-01" in wrong.text  # the field error says what a date looks like
