"""The fund desk: the position to the fen with its charts, receipts with a unique bank reference, grantees
with the credit code's check character, decisions refused by four eyes, tranches and the period close."""

from __future__ import annotations

import re

import httpx
from stdnum.cn import uscc

from ledger.funds.tables import FundReceipt, PeriodClose
from tests.api.funds.conftest import PAST, PERIOD, Funds, credit_code
from tests.web.test_forms_once import flash_of
from tests.web.test_pages import hidden, sign_in


def _cells(html: str, heading: str) -> list[str]:
    """The cells of the first body row of the table after ``heading``."""
    table = html[html.index(heading) :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    row = body[: body.index("</tr>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]


async def _post(client: httpx.AsyncClient, page: str, action: str, **fields: str) -> httpx.Response:
    form = await client.get(page)
    assert form.status_code == 200, form.text[:500]
    return await client.post(action, data={**hidden(form.text, action), **fields})


def _receipt(**change: str) -> dict[str, str]:
    return {
        "kind": "donation",
        "amount": "12,345.67",
        "donor": "青岛海川食品有限公司",
        "agreement": "配捐协议-2026-009",
        "reference": "BK20261110-0001",
        "received_on": PAST.isoformat(),
        **change,
    }


async def test_the_dashboard_shows_the_position_to_the_fen_and_both_charts(
    client: httpx.AsyncClient, funds: Funds
) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "1000000.00")
    await funds.receive(fund, "80000.55", kind="donation")
    call = await funds.call(fund, title="2026年公益创投：助老服务")
    await funds.approved(call, "30000.00")  # committed, agreement pending
    signed = await funds.signed(call, "50000.00")
    assert (await funds.pay(signed["id"], 1)).status_code == 201  # 60 %: 30,000.00
    await sign_in(client, "accountant")
    page = await client.get("/fund")
    assert page.status_code == 200
    assert _cells(page.text, "资金状况（元）") == [
        "1,080,000.55",  # received
        "50,000.00",  # committed, unpaid: 30,000.00 unsigned + 20,000.00 still to pay
        "30,000.00",  # paid
        "0.00",  # returned
        "1,000,000.55",  # available
    ]
    assert (await funds.position(fund))["available"] == "1000000.55"
    assert _cells(page.text, "资金按月收支（元）</caption>") == [
        PERIOD,
        "1,080,000.55",
        "50,000.00",  # signed in this month; the unsigned 30,000.00 counts in the month approved
        "30,000.00",
        "0.00",
    ]
    assert _cells(page.text, "按项目领域的资助（元）</caption>") == [
        "2026年公益创投：助老服务",
        "80,000.00",
        "30,000.00",
    ]
    svgs = re.findall(r"<svg.*?</svg>", page.text, flags=re.DOTALL)
    assert len(svgs) == 2
    assert all(word in svgs[0] for word in ("已收", "承诺", "已拨付", "退回", PERIOD))
    assert "2026年公益创投：助老服务" in svgs[1]  # the Chinese label intact in the SVG text
    assert "<script" not in page.text  # readable without JavaScript
    assert 'href="/fund"' in page.text  # the accountant's navigation has the fund desk


async def test_a_receipt_is_recorded_once_and_a_second_with_its_bank_reference_is_refused(
    client: httpx.AsyncClient, funds: Funds
) -> None:
    await funds.fund()
    await sign_in(client, "accountant")
    form = await client.get("/fund/receipts")
    fields = {**hidden(form.text, "/fund/receipts"), **_receipt()}
    first = await client.post("/fund/receipts", data=fields)
    again = await client.post("/fund/receipts", data=fields)  # the same form sent twice
    assert (first.status_code, again.status_code) == (303, 303)
    recorded = (
        "收款单 1 已登记：青岛海川食品有限公司 12,345.67 元（银行流水号 BK20261110-0001），记账分录 1 号。"
    )
    assert flash_of(first) == recorded
    assert flash_of(again) == "此表单已提交过，本次未再次办理。" + recorded
    assert await FundReceipt.count() == 1
    listed = await client.get("/fund/receipts")
    assert _cells(listed.text, "已登记收款")[-2] == "12,345.67"
    duplicate = await _post(
        client, "/fund/receipts", "/fund/receipts", **_receipt(amount="500.00", agreement="配捐协议-2026-010")
    )
    assert duplicate.status_code == 409
    assert 'aria-describedby="err-reference"' in duplicate.text  # beside the field
    assert (
        '<p class="field-error" id="err-reference">该银行流水号已登记：收款单 1，'
        f"{PAST.isoformat()}，青岛海川食品有限公司 12,345.67 元。</p>" in duplicate.text
    )
    assert 'value="500.00"' in duplicate.text  # what was typed is kept
    assert await FundReceipt.count() == 1


async def test_a_receipt_without_a_bank_reference_is_refused_naming_the_field(
    client: httpx.AsyncClient, funds: Funds
) -> None:
    await funds.fund()
    await sign_in(client, "accountant")
    answer = await _post(
        client, "/fund/receipts", "/fund/receipts", **_receipt(reference=" ", amount="1.005")
    )
    assert answer.status_code == 422
    assert '<p class="field-error" id="err-reference">必填。</p>' in answer.text
    assert await FundReceipt.count() == 0


async def test_a_grantee_with_a_wrong_check_character_is_refused_with_the_expected_one(
    client: httpx.AsyncClient, funds: Funds
) -> None:
    await sign_in(client, "accountant")
    good = credit_code(4711)
    expected = uscc.calc_check_digit(good[:17])
    wrong = good[:17] + ("0" if expected != "0" else "1")
    refused = await _post(
        client, "/fund/grantees", "/fund/grantees", credit_code=wrong, name="城阳区阳光社工"
    )
    assert refused.status_code == 422
    assert f'<p class="field-error" id="err-credit_code">校验位错误：应为 {expected}。</p>' in refused.text
    added = await _post(client, "/fund/grantees", "/fund/grantees", credit_code=good, name="城阳区阳光社工")
    assert added.status_code == 303
    assert flash_of(added) == f"已新增社会组织 城阳区阳光社工（统一社会信用代码 {good}）。"
    assert good in (await client.get("/fund/grantees")).text


async def test_a_decision_by_the_recorder_is_refused_and_explained_on_the_page(
    client: httpx.AsyncClient, funds: Funds
) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "100000.00")
    application = await funds.reviewed(await funds.call(fund), "20000.00")  # recorded by accountant
    await sign_in(client, "accountant")
    page = f"/fund/applications/{application}"
    refused = await _post(client, page, f"{page}/approve", approved_amount="20,000.00")
    assert refused.status_code == 403
    assert (
        "此申报由您录入。四眼原则：录入或评审资助申报的人不能再对其作出决定，须由另一位会计或管理员办理。"
        in refused.text
    )
    assert (await funds.position(fund))["committed_unpaid"] == "0.00"


async def test_a_tranche_is_paid_from_the_grant_page_once(client: httpx.AsyncClient, funds: Funds) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "100000.00")
    grant = await funds.signed(await funds.call(fund), "50000.00")
    await sign_in(client, "accountant")
    page = f"/fund/grants/{grant['id']}"
    shown = await client.get(page)
    assert "第 1 期报告验收后" in shown.text  # tranche 2's condition
    action = f"{page}/tranches/1/pay"
    fields = {**hidden(shown.text, action), "paid_on": PAST.isoformat(), "payment_ref": "BK-T1"}
    first = await client.post(action, data=fields)
    again = await client.post(action, data=fields)
    assert (first.status_code, again.status_code) == (303, 303)
    assert flash_of(first) == f"资助 {grant['grant_no']} 第 1 期已拨付；累计已拨付 30,000.00 元。"
    assert (await funds.position(fund))["paid"] == "30000.00"


async def test_the_period_close_shows_its_entry_before_it_is_confirmed(
    client: httpx.AsyncClient, funds: Funds
) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "1234.56", kind="donation")
    await sign_in(client, "accountant")
    preview = await _post(client, "/fund/close", "/fund/close/preview", period=PERIOD)
    assert preview.status_code == 200
    assert "1,234.56" in preview.text
    assert await PeriodClose.count() == 0  # nothing written by the preview
    action = "/fund/close"
    done = await client.post(action, data={**hidden(preview.text, action), "period": PERIOD})
    assert done.status_code == 303
    assert flash_of(done).startswith(f"期间 {PERIOD} 已结账至")
    assert await PeriodClose.count() == 1
    again = await _post(client, "/fund/close", "/fund/close/preview", period=PERIOD)
    assert again.status_code == 409
    assert 'id="err-period"' in again.text


async def test_a_decision_by_a_user_linked_to_the_organisation_is_refused_and_explained(
    client: httpx.AsyncClient, funds: Funds
) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "100000.00")
    grantee = await funds.grantee()
    application = await funds.reviewed(await funds.call(fund), "20000.00", grantee_id=grantee)
    await funds.ok(f"/api/grantees/{grantee}/conflicts", {"username": "admin", "reason": "理事"})
    await sign_in(client, "admin")
    page = f"/fund/applications/{application}"
    refused = await _post(client, page, f"{page}/reject", reason="预算不实")
    assert refused.status_code == 422  # a rule's refusal, as the API answers it
    assert (
        "利益冲突回避规则：您与申报组织存在关联，不能评审或决定其申报，须由无关联的同事办理。" in refused.text
    )
    assert (await funds.get(f"/api/applications/{application}"))["status"] == "under_review"


async def test_an_agreement_is_signed_from_the_grant_page_and_commits_the_grant(
    client: httpx.AsyncClient, funds: Funds
) -> None:
    fund = await funds.fund()
    await funds.receive(fund, "100000.00")
    grant = await funds.approved(await funds.call(fund), "40000.00")
    await sign_in(client, "accountant")
    page = f"/fund/grants/{grant['id']}"
    missing = await _post(client, page, f"{page}/sign", agreement=" ", signed_on=PAST.isoformat())
    assert missing.status_code == 422
    assert '<p class="field-error" id="err-agreement">必填。</p>' in missing.text
    done = await _post(
        client, page, f"{page}/sign", agreement="城慈资字〔2026〕009号", signed_on=PAST.isoformat()
    )
    assert done.status_code == 303
    assert (
        flash_of(done)
        == f"资助 {grant['grant_no']} 的协议 城慈资字〔2026〕009号 已签订：已承诺 40,000.00 元。"
    )
    position = await funds.position(fund)
    assert (position["committed_unpaid"], position["available"]) == ("40000.00", "60000.00")
    assert "拨付第 1 期" in (await client.get(page)).text  # the first tranche may be paid now
