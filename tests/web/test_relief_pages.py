"""The relief desk over HTTP: every role's landing page, households, applications and decisions."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Awaitable, Callable

import httpx
from pypdf import PdfReader

from ledger.core.ids import mask_resident_id
from ledger.platform.domain import Role
from tests.api.claims.conftest import resident_id
from tests.api.relief.conftest import ACCOUNT, Relief, relief
from tests.web.test_pages import hidden, sign_in

__all__ = ["relief"]


def nav_links(html: str) -> list[str]:
    start = html.index("<nav aria-label=")
    return re.findall(r'href="([^"]+)"', html[start : html.index("</nav>", start)])


async def test_every_role_signs_in_to_a_page_and_may_open_each_link_it_is_shown(
    client: httpx.AsyncClient, make_user: Callable[..., Awaitable[int]]
) -> None:
    for role in Role:  # a new role without a desk fails here
        await make_user(role.value, role.value)
        client.cookies.clear()
        answer = await sign_in(client, role.value)
        assert answer.status_code == 303, role
        landing = await client.get(answer.headers["location"])
        assert landing.status_code == 200, (role, landing.text[-2000:])
        links = nav_links(landing.text)
        assert answer.headers["location"] in links, role
        for href in links:
            opened = await client.get(href)
            assert opened.status_code == 200, (role, href)


async def test_a_caseworker_files_an_application_and_sees_why(
    client: httpx.AsyncClient, relief: Relief
) -> None:
    await relief.household(1, [{}, {}, {}], monthly_income="1234.56")
    await relief.household(10, [{"name": "李四"}, {}])
    await sign_in(client, "caseworker")
    by_name = await client.get("/relief/households", params={"q": "李四"})
    assert "HH000002" in by_name.text
    assert "HH000001" not in by_name.text
    assert "李四、成员11" in by_name.text.split("<tbody>")[1]
    assert "李四" in by_name.text.split("<tbody>")[1]
    by_id = await client.get("/relief/households", params={"q": resident_id(1)})
    assert "HH000001" in by_id.text
    assert "HH000002" not in by_id.text
    assert ">1,234.56<" in by_id.text

    page = await client.get("/relief/households/HH000001")
    assert resident_id(1) in page.text
    assert ACCOUNT in page.text
    form = hidden(page.text, "/relief/households/HH000001/apply")
    unknown = await client.post("/relief/households/HH000001/apply", data={**form, "programme": "nope"})
    assert unknown.status_code == 422
    assert 'id="err-programme"' in unknown.text
    assert "unknown programme" in unknown.text
    form = hidden(unknown.text, "/relief/households/HH000001/apply")
    filed = await client.post(
        "/relief/households/HH000001/apply", data={**form, "programme": "dibao"}, follow_redirects=True
    )
    assert "EN000001" in filed.text
    reasons = filed.text.split('<ul class="reasons">')[1].split("</ul>")[0]
    assert "✓ 符合: 收入核查 (monthly income 1234.56 &lt; 660.00 x 3 = 1980.00)" in reasons
    assert "HH000001" in filed.text


async def test_an_officer_decides_with_four_eyes_and_the_payment_shows_to_the_fen(
    client: httpx.AsyncClient, relief: Relief
) -> None:
    await relief.household(1, [{}, {}, {}], monthly_income="1234.56")
    await relief.household(10, [{}])
    for number in ("HH000001", "HH000002"):
        await relief.call(
            "caseworker", "POST", "/enrolments", 201, json={"household_no": number, "programme": "dibao"}
        )
    await sign_in(client, "officer")
    queue = await client.get("/relief/applications")
    assert queue.status_code == 200
    assert "EN000001" in queue.text
    assert "EN000002" in queue.text
    form = hidden(queue.text, "/relief/applications/EN000002/reject")
    blank = await client.post("/relief/applications/EN000002/reject", data={**form, "reason": ""})
    assert blank.status_code == 422
    assert "必填" in blank.text
    form = hidden(blank.text, "/relief/applications/EN000002/reject")
    rejected = await client.post(
        "/relief/applications/EN000002/reject", data={**form, "reason": "收入超标"}, follow_redirects=True
    )
    assert "EN000002" in rejected.text.split("<tbody>")[0]  # the message, not the queue
    form = hidden(rejected.text, "/relief/applications/EN000001/approve")
    approved = await client.post(
        "/relief/applications/EN000001/approve",
        data={**form, "effective_month": "2026-12"},
        follow_redirects=True,
    )
    assert "2026-12" in approved.text
    assert "EN000001" not in approved.text.split("</h1>")[1].split("<tbody>")[-1]
    await relief.approved_cycle("dibao", "2026-12")
    household = await client.get("/relief/households/HH000001")
    payments = household.text.split("<tbody>")[-1]
    assert "2026-12" in payments
    assert ">745.44<" in payments


async def test_a_cycle_drafted_by_one_officer_is_approved_by_another_with_totals_in_words(
    client: httpx.AsyncClient, relief: Relief
) -> None:
    await relief.household(1, [{}, {}, {}], monthly_income="1234.56")
    await relief.household(10, [{}])
    for number in ("HH000001", "HH000002"):
        await relief.enrolled(number, "dibao", "2026-12")
    await sign_in(client, "officer")
    listing = await client.get("/relief/cycles")
    form = hidden(listing.text, "/relief/cycles")
    early = await client.post("/relief/cycles", data={**form, "programme": "dibao", "month": "2027-01"})
    assert early.status_code == 422
    assert 'id="err-month"' in early.text
    form = hidden(early.text, "/relief/cycles")
    drafted = await client.post(
        "/relief/cycles", data={**form, "programme": "dibao", "month": "2026-12"}, follow_redirects=True
    )
    assert "发放批次已编制：2 户，1,405.44 元。" in drafted.text
    assert "1,405.44" in drafted.text
    assert "壹仟肆佰零伍元肆角肆分" in drafted.text
    rows = drafted.text.split("<tbody>")[1].split("</tbody>")[0]
    assert ">745.44<" in rows
    assert ">660.00<" in rows
    form = hidden(drafted.text, "/relief/cycles/dibao/2026-12/approve")
    own = await client.post("/relief/cycles/dibao/2026-12/approve", data=form)
    assert own.status_code == 403
    assert "四眼原则" in own.text
    client.cookies.clear()
    await sign_in(client, "officer2")
    page = await client.get("/relief/cycles/dibao/2026-12")
    form = hidden(page.text, "/relief/cycles/dibao/2026-12/approve")
    approved = await client.post("/relief/cycles/dibao/2026-12/approve", data=form, follow_redirects=True)
    assert approved.status_code == 200
    assert "officer2" in approved.text
    assert 'action="/relief/cycles/dibao/2026-12/approve"' not in approved.text
    cycles = await client.get("/relief/cycles")
    assert ">1,405.44<" in cycles.text.split("<tbody>")[1]


async def test_the_accountant_issues_a_bank_file_and_reads_a_return_with_one_failed_row(
    client: httpx.AsyncClient, relief: Relief
) -> None:
    await relief.household(1, [{}, {}, {}], monthly_income="1234.56")
    await relief.household(10, [{}])
    for number in ("HH000001", "HH000002"):
        await relief.enrolled(number, "dibao", "2026-12")
    await relief.approved_cycle("dibao", "2026-12")
    await relief.call(
        "accountant",
        "POST",
        "/bank/appropriations",
        201,
        json={"amount": "10000.00", "received_on": "2026-12-01", "reference": "财拨2026-12"},
    )
    await sign_in(client, "accountant")
    files = await client.get("/relief/bank")
    form = hidden(files.text, "/relief/bank")
    issued = await client.post("/relief/bank", data={**form, "bank": "qdrcb"}, follow_redirects=True)
    file_no = re.search(r"BF202612-\d{4}", issued.text)
    assert file_no is not None
    number = file_no.group(0)
    assert "1,405.44" in issued.text
    assert "壹仟肆佰零伍元肆角肆分" in issued.text
    csv = await client.get(f"/relief/bank/{number}/download/csv")
    assert csv.text.splitlines()[-1] == "合计 2,,1405.44,"
    assert hashlib.sha256(csv.content).hexdigest() in issued.text
    xlsx = await client.get(f"/relief/bank/{number}/download/xlsx")
    assert xlsx.content[:2] == b"PK"
    form = hidden(issued.text, f"/relief/bank/{number}/returns")
    empty = await client.post(f"/relief/bank/{number}/returns", data=form, files={"returns": ("r.csv", b"")})
    assert empty.status_code == 422
    assert 'id="err-returns"' in empty.text
    form = hidden(empty.text, f"/relief/bank/{number}/returns")
    returned = await client.post(
        f"/relief/bank/{number}/returns",
        data=form,
        files={"returns": ("r.csv", "row_no,result,reason\n1,paid,\n2,failed,账户已销户\n".encode())},
        follow_redirects=True,
    )
    assert returned.status_code == 200
    rows = returned.text.split("<tbody>")[1].split("</tbody>")[0]
    assert "账户已销户" in rows
    assert ">745.44<" in rows
    reconciled = await client.get(
        "/relief/reconciliation", params={"date_from": "2026-12-01", "date_to": "2026-12-31"}
    )
    ledger_only = reconciled.text.split("<tbody>")[-1]
    assert ">-745.44<" in ledger_only
    assert ">10,000.00<" in ledger_only
    backwards = await client.get(
        "/relief/reconciliation", params={"date_from": "2026-12-31", "date_to": "2026-12-01"}
    )
    assert backwards.status_code == 422
    assert 'id="err-to"' in backwards.text


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_the_roster_of_a_street_prints_masked_ids_amounts_to_the_fen_and_the_total_in_words(
    client: httpx.AsyncClient, relief: Relief
) -> None:
    await relief.household(1, [{"name": "王小明"}, {}, {}], monthly_income="1234.56")
    await relief.household(10, [{}])
    await relief.household(20, [{}], street="李村街道")
    for number in ("HH000001", "HH000002", "HH000003"):
        await relief.enrolled(number, "dibao", "2026-12")
    await relief.approved_cycle("dibao", "2026-12")
    await sign_in(client, "caseworker")
    page = await client.get("/relief/cycles/dibao/2026-12")
    assert "roster.pdf?street=%E5%9F%8E%E9%98%B3%E8%A1%97%E9%81%93" in page.text
    answer = await client.get("/relief/cycles/dibao/2026-12/roster.pdf", params={"street": "城阳街道"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    text = _pdf_text(answer.content)
    assert "社会救助资金发放花名册" in text
    assert "王小明" in text
    assert mask_resident_id(resident_id(1)) in text
    assert resident_id(1) not in text
    assert "745.44" in text
    assert "660.00" in text
    assert "1,405.44" in text
    assert "壹仟肆佰零伍元肆角肆分" in text
    assert "HH000003" not in text  # another street's household
    assert "领款人签字" in text
    assert "caseworker" in text
    unknown = await client.get("/relief/cycles/dibao/2026-12/roster.pdf", params={"street": "无此街道"})
    assert unknown.status_code == 422
    assert "李村街道" in unknown.text


async def test_an_ineligible_application_is_refused_with_the_rule_in_words(
    client: httpx.AsyncClient, relief: Relief
) -> None:
    await relief.household(1, [{}, {}], monthly_income="1400.00")
    await relief.call(
        "caseworker", "POST", "/enrolments", 201, json={"household_no": "HH000001", "programme": "dibao"}
    )
    await sign_in(client, "officer")
    queue = await client.get("/relief/applications")
    form = hidden(queue.text, "/relief/applications/EN000001/approve")
    refused = await client.post(
        "/relief/applications/EN000001/approve", data={**form, "effective_month": "2026-12"}
    )
    assert refused.status_code == 422
    alert = refused.text.split('<div class="error" role="alert">')[1].split("</div>")[0]
    assert "expenditure_test" in alert
    form = hidden(refused.text, "/relief/applications/EN000001/approve")
    early = await client.post(
        "/relief/applications/EN000001/approve", data={**form, "effective_month": "2026-11"}
    )
    assert early.status_code == 422
    assert '<p class="field-error">' in early.text
    assert "2026-11" in early.text.split('<p class="field-error">')[1].split("</p>")[0]
