"""A page form sent twice acts once (its one-time form key): above all, a payment posts one entry."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

import httpx

from ledger.journal.tables import JournalEntryRow
from tests.api.claims.conftest import Claims
from tests.web.test_pages import hidden, sign_in


def flash_of(answer: httpx.Response) -> str:
    """The one-time message a redirect leaves for the next page."""
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("rl_flash="))
    value = unquote(cookie.split(";")[0].removeprefix("rl_flash=").strip('"'))
    payload = value.rpartition(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(payload.encode()).decode())["message"])


async def test_a_payment_confirmed_twice_pays_once_and_posts_one_entry(
    client: httpx.AsyncClient, api: Claims
) -> None:
    event = await api.event()
    claim = await api.approved_claim(event, [{"head": "medical", "claimed": "1234.56"}])
    claim_no = claim["claim_no"]
    assert claim["approved"] == "1111.10"  # 90 % of the medical costs claimed
    await sign_in(client, "accountant")
    page = await client.get(f"/payments/{claim_no}")
    preview = await client.post(
        f"/payments/{claim_no}/preview",
        data={**hidden(page.text, f"/payments/{claim_no}/preview"), "kind": "final", "reference": "QD-0001"},
    )
    assert preview.status_code == 200, preview.text
    confirmed = hidden(preview.text, f"/payments/{claim_no}/pay")
    assert confirmed["amount"] == "1111.10"
    entries_before = await JournalEntryRow.count()

    # a double click: the second waits for the first, then lands on its result
    first, second = await asyncio.gather(
        client.post(f"/payments/{claim_no}/pay", data=confirmed),
        client.post(f"/payments/{claim_no}/pay", data=confirmed),
    )
    if "此表单已提交过" in flash_of(first):
        first, second = second, first
    third = await client.post(f"/payments/{claim_no}/pay", data=confirmed)  # back, and send again

    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"] == "/payments"
    assert "1,111.10" in flash_of(first)
    assert flash_of(second).startswith("此表单已提交过，本次未再次办理。")
    assert "1,111.10" in flash_of(second)  # it lands on the first one's result
    assert third.headers["location"] == "/payments"
    assert flash_of(third) == flash_of(second)
    payments = (await client.get(f"/api/claims/{claim_no}/payments", headers=api.headers["auditor"])).json()
    assert [(p["kind"], p["amount"], p["reference"]) for p in payments] == [("final", "1111.10", "QD-0001")]
    assert await JournalEntryRow.count() == entries_before + 1
    assert (await api.get(claim_no))["paid"] == "1111.10"


async def test_each_form_acts_once_but_a_refused_form_keeps_no_key(
    client: httpx.AsyncClient, make_user: Callable[..., Awaitable[int]]
) -> None:
    await make_user("approver", "approver")
    await sign_in(client, "approver")
    page = await client.get("/account/password")
    fields = hidden(page.text, "/account/password")
    wrong = {**fields, "current_password": "wrong", "new_password": "pw-new-1", "repeat_password": "pw-new-1"}
    assert (await client.post("/account/password", data=wrong)).status_code == 422
    right = {**wrong, "current_password": "correct-horse-battery"}
    changed = await client.post("/account/password", data=right)  # the refused try kept no key
    assert changed.status_code == 303
    again = await client.post("/account/password", data=right)
    assert again.status_code == 303
    assert flash_of(again).startswith("此表单已提交过")  # not "wrong current password": it did nothing
    no_key = {k: v for k, v in right.items() if k != "form_key"}
    refused = await client.post("/account/password", data=no_key)
    assert refused.status_code == 400
    assert "不是来自当前页面" in refused.text
