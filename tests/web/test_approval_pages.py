"""The approver's decisions on the case file page: reduce with a reason, and a four-eyes refusal explained."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import httpx

from ledger.platform.tables import AuditEvent
from tests.api.claims.conftest import Claims, resident_id
from tests.pinned_clock import PinnedClock
from tests.web.test_forms_once import flash_of
from tests.web.test_pages import hidden, sign_in


async def _assessed(api: Claims, amount: str) -> str:
    claim = await api.register(await api.event(), [{"head": "death", "claimed": amount}])
    assert (await api.assess(claim["claim_no"])).status_code == 200
    return str(claim["claim_no"])


async def _approve(client: httpx.AsyncClient, claim_no: str, **fields: str) -> httpx.Response:
    page = await client.get(f"/claims/{claim_no}")
    action = f"/claims/{claim_no}/approve"
    return await client.post(action, data={**hidden(page.text, action), **fields})


async def test_an_approver_reduces_a_claim_with_a_reason_on_its_page(
    client: httpx.AsyncClient, api: Claims
) -> None:
    claim_no = await _assessed(api, "20000.00")
    await sign_in(client, "approver")
    above = await _approve(client, claim_no, approved_amount="20,000.01", reduction_reason="x")
    assert above.status_code == 422
    assert "批准金额须大于 0，且不超过核定金额 20000.00 元。" in above.text
    assert 'aria-describedby="err-approved_amount"' in above.text  # beside the field
    no_reason = await _approve(client, claim_no, approved_amount="15000.50")
    assert no_reason.status_code == 422
    assert "批准金额低于核定金额时，须填写核减理由。" in no_reason.text
    assert 'value="15000.50"' in no_reason.text  # what was typed is kept
    done = await _approve(client, claim_no, approved_amount="15,000.50", reduction_reason="丧葬费票据不足")
    assert done.status_code == 303
    assert flash_of(done) == (
        f"理赔申请 {claim_no} 已批准：15,000.50 元，等待支付。"
        "已按低于核定金额 20,000.00 元批准：丧葬费票据不足"
    )
    claim = await api.get(claim_no)
    assert (claim["approved"], claim["reduced_to"], claim["reduction_reason"]) == (
        "15000.50",
        "15000.50",
        "丧葬费票据不足",
    )
    case = await client.get(f"/claims/{claim_no}")
    assert "核减批准" in case.text
    assert "15,000.50" in case.text


async def test_a_four_eyes_refusal_is_explained_on_the_page(client: httpx.AsyncClient, api: Claims) -> None:
    claim_no = await _assessed(api, "80000.00")  # above 50,000.00: two approvers
    await sign_in(client, "approver")
    first = await _approve(client, claim_no)
    assert first.status_code == 303
    assert flash_of(first) == f"理赔申请 {claim_no} 的第一审批已记录；还需另一位审批人批准。"
    again = await _approve(client, claim_no)
    assert again.status_code == 403
    assert "按四眼原则（经办与审批分离）不予办理" in again.text
    assert (
        "您已对此案作出第一审批。四眼原则：受理、核定或已审批该案的人不能再对其作出决定，"
        "须由另一位审批人办理。" in again.text
    )
    assert (await api.get(claim_no))["status"] == "assessed"


async def test_an_approver_registers_a_time_barred_claim_with_a_reason(
    client: httpx.AsyncClient, api: Claims, pinned_clock: PinnedClock
) -> None:
    event_no = await api.event()  # 2026-06-01: the two years to claim end on 2028-06-01
    pinned_clock.set(dt.datetime(2028, 6, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    victim = resident_id(7)
    await sign_in(client, "approver")
    page = await client.get("/claims/new")
    assert 'name="limitation_override_reason"' in page.text
    form = {
        **hidden(page.text, "/claims/new"),
        "event_no": event_no,
        "victim_name": "王五",
        "victim_id": victim,
        "claimant_name": "王五",
        "claimant_relation": "self",
        "claimant_id": victim,
        "bank_name": "青岛银行",
        "bank_account": "6228480000000000009",
        "lines[0].head": "medical",
        "lines[0].claimed": "100.00",
    }
    barred = await client.post("/claims/new", data=form)
    assert barred.status_code == 422
    assert 'id="err-incident_date"' in barred.text
    again = {**form, **hidden(barred.text, "/claims/new"), "limitation_override_reason": "报案人长期住院"}
    registered = await client.post("/claims/new", data=again)
    assert registered.status_code == 303, registered.text
    claim_no = registered.headers["location"].split("/")[2]
    assert "王五" in (await client.get(f"/claims/{claim_no}")).text
    audit = await AuditEvent.select().where(AuditEvent.action == "claim.limitation_override").first()
    assert audit is not None
    assert (audit["actor"], audit["object_id"]) == ("approver", claim_no)
    assert json.loads(audit["after"]) == {"limitation_override_reason": "报案人长期住院"}


async def test_an_approver_overrides_a_duplicate_found_on_the_queue(
    client: httpx.AsyncClient, api: Claims
) -> None:
    claim_no, other = await api.duplicate_found()
    await sign_in(client, "approver")
    queue = await client.get("/approvals")
    action = f"/claims/{claim_no}/override-duplicate"
    assert f'action="{action}"' in queue.text
    assert f'发现重复救助</strong> <a class="no" href="/claims/{other}">{other}</a>' in queue.text
    refused = await _approve(client, claim_no)
    assert refused.status_code == 409
    assert f"受害人另有理赔申请 {other}，疑似重复救助。须由审批人填写理由认定后方可批准。" in refused.text
    blank = await client.post(action, data={**hidden(queue.text, action), "override_reason": " "})
    assert blank.status_code == 422
    assert "须填写理由。" in blank.text
    assert 'aria-describedby="err-override_reason"' in blank.text  # beside the field
    queue = await client.get("/approvals")
    done = await client.post(action, data={**hidden(queue.text, action), "override_reason": "财产损失另案"})
    assert done.status_code == 303
    assert flash_of(done) == f"理赔申请 {claim_no} 的疑似重复（{other}）已认定处理：财产损失另案；现可审批。"
    again = await client.post(action, data={**hidden(queue.text, action), "override_reason": "财产损失另案"})
    assert again.status_code == 303  # the same form sent twice acts once
    assert flash_of(again).startswith("此表单已提交过")
    audits = await AuditEvent.select().where(AuditEvent.action == "claim.duplicate_override")
    assert [(a["actor"], a["object_id"]) for a in audits] == [("approver", claim_no)]
    queue = await client.get("/approvals")
    assert f'action="{action}"' not in queue.text
    assert f'href="/claims/{other}">{other}</a><br><small>受理理由: 财产损失另案</small>' in queue.text
    case = await client.get(f"/claims/{claim_no}")
    assert "疑似重复已认定" in case.text  # the history names the override
    approved = await _approve(client, claim_no)
    assert approved.status_code == 303
    assert (await api.get(claim_no))["status"] == "approved"
