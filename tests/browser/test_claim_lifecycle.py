"""Three users take a claim from report to final payment entirely through the pages; the ledger has it.

Also what a user sees when something is refused: a wrong ID check character, a missing document, the
four-eyes rule, a form without its CSRF token. Every page visited is checked with axe-core and for
unlabelled inputs, and the main pages are saved as screenshots.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import beanquery
import pytest
from pypdf import PdfReader
from stdnum.cn import ric
from tests.browser.conftest import Live, axe_violations, unlabelled_inputs

pytestmark = pytest.mark.slow

INCIDENT = "2026-06-01"
PAPER = ("claim_form", "claimant_id", "bank_card", "authority_certificate")
MEDICAL = ("medical_invoices", "itemised_costs", "medical_insurance_settlement")
APPROVE = "main form[action$='/approve'] button[type=submit]"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND"
    b"\xaeB`\x82"
)


def resident_id(n: int) -> str:
    """A valid Chengyang resident ID, different for each ``n``."""
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=97 * n)
    body = f"370214{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def wrong_check(number: str) -> str:
    """``number`` with a wrong check character."""
    return number[:17] + ("1" if number[17] != "1" else "2")


def accessible(page: Any) -> None:
    """No serious or critical axe-core violation and no input without a label on this page."""
    assert axe_violations(page) == []
    assert unlabelled_inputs(page) == []


def fill_registration(page: Any, victim_id: str, *, paper: tuple[str, ...] = PAPER) -> None:
    page.fill("#incident_date", INCIDENT)
    page.select_option("#street", "城阳街道")
    page.fill("#place", "正阳路 100 号")
    page.select_option("#peril", "fire_explosion")
    page.fill("#authority", "城阳区消防救援大队")
    page.fill("#certificate_no", "CY-2026-0601")
    page.fill("#victim_name", "张三")
    page.fill("#victim_id", victim_id)
    page.fill("#claimant_name", "张三")
    page.select_option("#claimant_relation", "self")
    page.fill("#claimant_id", victim_id)
    page.fill("#bank_name", "青岛农商银行")
    page.fill("#bank_account", "6228480000000000001")
    page.select_option("[id='lines[0].head']", "medical")
    page.fill("[id='lines[0].claimed']", "8,650.40")
    for code in paper:
        page.check(f"input[name=documents][value={code}]")


def flash(page: Any) -> str:
    """The one-time message the last action left (the page's main text if there is none)."""
    assert page.locator(".flash").count() == 1, page.inner_text("main")
    return str(page.inner_text(".flash"))


def claim_no_in(text: str) -> str:
    found = re.search(r"CL-\d{4}-\d{6}", text)
    assert found, text
    return found.group(0)


def register_with_missing_documents(adjuster: Any, live: Live) -> str:
    """The adjuster meets a wrong ID, registers, sends and prints the one-time notice; the claim's no."""
    page = adjuster.page
    assert page.url.endswith("/claims/inbox")
    assert page.inner_text("h1").startswith("理赔受理")
    accessible(page)

    # A wrong check character is named beside the field, with the expected one.
    victim = resident_id(1)
    adjuster.go("/claims/new")
    accessible(page)
    fill_registration(page, wrong_check(victim))
    adjuster.shot("adjuster-registration")
    adjuster.submit("main button[type=submit]")
    error = page.inner_text("[id='err-victim_id']")
    assert f"校验位错误：应为 {victim[17]}" in error
    assert page.get_attribute("#victim_id", "aria-invalid") == "true"
    assert page.input_value("#victim_name") == "张三"  # the form keeps what was typed
    accessible(page)

    # Registered with four paper originals; the three medical documents are missing.
    page.fill("#victim_id", victim)
    page.fill("#claimant_id", victim)
    adjuster.submit("main button[type=submit]")
    claim_no = claim_no_in(flash(page))
    assert page.url.endswith(f"/claims/{claim_no}/documents")
    accessible(page)

    # "Documents complete" too early: the missing documents are named.
    adjuster.submit("text=材料齐全，开始审核")
    assert "medical_invoices" in page.inner_text("[role=alert]")

    # The one-time notice of missing documents, printed as a PDF with every missing item.
    adjuster.submit("text=发送一次性告知")
    assert "一次性告知" in flash(page)
    notice = page.request.get(f"{live.url}/claims/{claim_no}/notice.pdf")
    assert notice.status == 200
    assert notice.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(notice.body())).pages)
    assert claim_no in text
    for missing in ("医疗费用发票", "费用明细清单", "医保结算单"):
        assert missing in text
    assert victim not in text
    assert victim[:6] + "********" + victim[14:] in text
    adjuster.shot("adjuster-documents")

    # The inbox shows the claim waiting for its documents, with the days left.
    adjuster.go("/claims/inbox")
    assert claim_no in page.inner_text("main table")
    adjuster.shot("adjuster-inbox")
    return claim_no


def complete_and_assess(adjuster: Any, claim_no: str) -> None:
    """Three files at once against the checklist, verified one by one, then the assessment."""
    page = adjuster.page
    adjuster.go(f"/claims/{claim_no}/documents")
    for code in MEDICAL:
        upload = {"name": f"{code}.png", "mimeType": "image/png", "buffer": PNG}
        page.set_input_files(f"[id='file.{code}']", upload)
    adjuster.submit("text=上传所选文件")
    assert "3" in flash(page)
    for _ in MEDICAL:
        adjuster.submit("main form[action$='/verify'] button >> nth=0")
    assert page.locator("main form[action$='/verify']").count() == 0
    adjuster.submit("text=材料齐全，开始审核")
    assert page.url.endswith(f"/claims/{claim_no}/assess")
    accessible(page)

    # Assessment: medical pays 90 % of the claimed 8,650.40.
    adjuster.submit("main button[type=submit]")
    assert claim_no in flash(page)
    assert "7,785.36" in page.inner_text("tfoot")
    adjuster.shot("adjuster-assessment")


def approve(approver: Any, claim_no: str) -> None:
    """The approver finds the claim in the queue and approves it on its case file."""
    assert approver.page.url.endswith("/approvals")
    assert claim_no in approver.page.inner_text("main table")
    accessible(approver.page)
    approver.shot("approver-queue")
    approver.go(f"/claims/{claim_no}")
    accessible(approver.page)
    approver.shot("approver-case-file")
    approver.submit(APPROVE)
    assert "7,785.36" in flash(approver.page)


def pay_final(accountant: Any, live: Live, claim_no: str) -> int:
    """The accountant pays the rest after seeing what it posts; the journal entry's number."""
    page = accountant.page
    assert page.url.endswith("/payments")
    accessible(page)
    accountant.shot("accountant-payments")
    accountant.submit(f"a[href='/payments/{claim_no}']")
    accessible(page)
    page.select_option("#kind", "final")
    page.fill("#reference", "BANK-20261201-0001")
    accountant.submit("main button[type=submit]")
    confirm = page.inner_text("main")
    assert "7,785.36" in confirm
    assert "柒仟柒佰捌拾伍元叁角陆分" in confirm
    assert "Expenses:Insurance:Claims:FireExplosion" in confirm
    assert "Assets:Insurance:Bank" in confirm
    accessible(page)
    accountant.shot("accountant-confirm")
    accountant.submit("main form[action$='/pay'] button[type=submit]")
    found = re.search(r"记账凭证号 (\d+)", flash(page))
    assert found
    seq = int(found.group(1))
    voucher = page.request.get(f"{live.url}/vouchers/{seq}")
    assert voucher.status == 200
    assert voucher.body().startswith(b"%PDF")
    accountant.go(f"/claims/{claim_no}")
    assert "已支付" in page.inner_text("h1")
    accessible(page)
    accountant.shot("case-file")
    return seq


def test_report_to_final_payment_through_the_pages(desk: Any, live: Live) -> None:
    adjuster = desk("adjuster")
    claim_no = register_with_missing_documents(adjuster, live)
    assert claim_no.startswith("CL-2026-")
    assert adjuster.page.inner_text("footer") == "救助账本 · 2026-12-01"  # the pinned day, on any date
    complete_and_assess(adjuster, claim_no)
    approve(desk("approver"), claim_no)
    seq = pay_final(desk("accountant"), live, claim_no)

    # The ledger has exactly one entry for the claim, found by bean-query.
    main = live.settings.resolved_ledger_dir / "main.beancount"
    rows = (
        beanquery.connect(f"beancount:{main}")
        .execute(
            "SELECT account, number, entry_meta('seq') WHERE entry_meta('claim') = "
            f"'{claim_no}' ORDER BY account"
        )
        .fetchall()
    )
    assert [(r[0], str(r[1]), int(r[2])) for r in rows] == [
        ("Assets:Insurance:Bank", "-7785.36", seq),
        ("Expenses:Insurance:Claims:FireExplosion", "7785.36", seq),
    ]


def test_four_eyes_refusal_is_explained_on_the_page(desk: Any) -> None:
    approver = desk("approver")
    approver.go("/claims/new")
    fill_registration(approver.page, resident_id(2), paper=(*PAPER, *MEDICAL))
    approver.submit("main button[type=submit]")
    claim_no = claim_no_in(flash(approver.page))

    adjuster = desk("adjuster2")
    adjuster.go(f"/claims/{claim_no}/assess")
    adjuster.submit("main button[type=submit]")

    approver.go(f"/claims/{claim_no}")
    approver.submit(APPROVE)
    alert = approver.page.inner_text("[role=alert]")
    assert "按四眼原则（经办与审批分离）不予办理" in alert
    assert "此案由您受理。" in alert  # which part of the rule, in plain words
    assert "须由另一位审批人办理" in alert
    accessible(approver.page)
    approver.shot("approver-four-eyes-refused")


def test_a_form_without_its_csrf_token_is_refused(desk: Any, live: Live) -> None:
    adjuster = desk("adjuster")
    refused = adjuster.page.request.post(
        f"{live.url}/claims/new", form={"victim_name": "张三"}, max_redirects=0
    )
    assert refused.status == 403
    assert "安全令牌" in refused.text()
    forged = adjuster.page.request.post(
        f"{live.url}/account/password",
        form={
            "csrf_token": "0" * 64,
            "current_password": "x",
            "new_password": "y" * 8,
            "repeat_password": "y" * 8,
        },
        max_redirects=0,
    )
    assert forged.status == 403


def test_registration_works_with_the_keyboard_alone(desk: Any) -> None:
    adjuster = desk("adjuster")
    page = adjuster.page
    adjuster.go("/claims/new")
    values = {
        "incident_date": "06012026",  # typed into the date input segment by segment (mm dd yyyy)
        "place": "长城路 8 号",
        "authority": "城阳区消防救援大队",
        "certificate_no": "CY-KB-1",
        "victim_name": "李四",
        "victim_id": resident_id(3),
        "claimant_name": "李四",
        "claimant_id": resident_id(3),
        "bank_name": "青岛银行",
        "bank_account": "6228480000000000002",
        "lines[0].claimed": "1200.00",
    }
    selects = {"street": 1, "peril": 2, "claimant_relation": 1, "lines[0].head": 3}
    page.focus("#event_no")
    for _ in range(80):
        focused = page.evaluate("document.activeElement.id")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none", f"no visible focus on {focused}"
        if focused in values:
            page.keyboard.type(values.pop(focused))
        elif focused in selects:
            for _ in range(selects.pop(focused)):
                page.keyboard.press("ArrowDown")
        if not values and not selects:
            break
        page.keyboard.press("Tab")
    assert not values
    assert not selects
    for _ in range(80):
        if page.evaluate("document.activeElement.type") == "submit":
            break
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert claim_no_in(flash(page))


def test_an_approver_reduces_a_claim_and_the_payment_desk_pays_no_more(desk: Any) -> None:
    adjuster = desk("adjuster")
    adjuster.go("/claims/new")
    fill_registration(adjuster.page, resident_id(4), paper=(*PAPER, *MEDICAL))
    adjuster.submit("main button[type=submit]")
    claim_no = claim_no_in(flash(adjuster.page))
    assessor = desk("adjuster2")
    assessor.go(f"/claims/{claim_no}/assess")
    assessor.submit("main button[type=submit]")

    approver = desk("approver")
    approver.go(f"/claims/{claim_no}")
    page = approver.page
    page.fill("#approved_amount", "7,000.00")
    approver.submit(APPROVE)
    assert "须填写核减理由" in page.inner_text("[id='err-reduction_reason']")  # beside the field
    assert page.get_attribute("#reduction_reason", "aria-invalid") == "true"
    accessible(page)
    page.fill("#reduction_reason", "部分票据为复印件")
    approver.submit(APPROVE)
    message = flash(page)
    assert "7,000.00" in message
    assert "已按低于核定金额 7,785.36 元批准：部分票据为复印件" in message
    approver.go(f"/claims/{claim_no}")
    assert "核减批准" in page.inner_text("main")
    approver.shot("approver-reduced")

    accountant = desk("accountant")
    accountant.go(f"/payments/{claim_no}")
    accountant.page.select_option("#kind", "final")
    accountant.page.fill("#reference", "BANK-REDUCED-1")
    accountant.submit("main button[type=submit]")
    assert "7,000.00" in accountant.page.inner_text("main")
    assert "柒仟元整" in accountant.page.inner_text("main")


def test_the_other_pages_pass_axe_core(desk: Any) -> None:
    stranger = desk()
    stranger.go("/login")
    accessible(stranger.page)
    auditor = desk("auditor")
    for path in ("/claims/search?q=张三", "/payments/daily", "/account/password", "/claims/inbox"):
        auditor.go(path)
        accessible(auditor.page)
    assert "理赔员" in auditor.page.inner_text("main")  # the refusal page of another desk
