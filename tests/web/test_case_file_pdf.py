"""The whole case file as one PDF: claim, victim masked per role, lines, approvals, payments, documents."""

from __future__ import annotations

import hashlib
import io

import httpx
from pypdf import PdfReader

from tests.api.claims.conftest import Claims, resident_id
from tests.web.test_pages import sign_in

PDF = b"%PDF-1.4\n% a certificate\n"


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


async def test_the_case_file_pdf_tells_the_whole_story_in_chinese_and_english(
    client: httpx.AsyncClient, api: Claims
) -> None:
    claim = await api.register(await api.event(), [{"head": "death", "claimed": "20000.00"}])
    claim_no = claim["claim_no"]
    uploaded = await client.post(
        f"/api/claims/{claim_no}/documents",
        params={"document_type": "cremation_certificate"},
        content=PDF,
        headers={**api.headers["adjuster"], "Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    assert (await api.assess(claim_no)).status_code == 200
    approved = await api.post(
        "approver",
        f"/api/claims/{claim_no}/approve",
        {"approved_amount": "15000.50", "reduction_reason": "丧葬费票据不足"},
    )
    assert approved.status_code == 200, approved.text
    paid = await api.pay(claim_no)
    assert paid.status_code == 201, paid.text
    seq = paid.json()["journal_seq"]
    victim = resident_id(1)

    await sign_in(client, "auditor")
    page = await client.get(f"/claims/{claim_no}")
    assert f'href="/claims/{claim_no}/case-file.pdf"' in page.text
    answer = await client.get(f"/claims/{claim_no}/case-file.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    text = _text(answer.content)
    for expected in (
        "理赔案卷",
        f"Claim case file {claim_no}",
        "已支付 paid",
        "火灾爆炸",
        "核定金额 Assessed (元) 20,000.00",
        "批准金额 Approved (元) 15,000.50",
        "15,000.50（核定 assessed 20,000.00）：丧葬费票据不足",
        "已核定 assessed → 已批准 approved",
        hashlib.sha256(PDF).hexdigest()[:40],
        "approver",
        "adjuster2",
    ):
        assert expected in text.replace("\n", " ") or expected in text, expected
    assert victim[:6] + "********" + victim[14:] in text  # the auditor sees IDs masked
    assert victim not in text
    assert f"{paid.json()['reference']}\n15,000.50\n{seq}\n" in text  # the payment and its journal entry

    client.cookies.clear()
    await sign_in(client, "adjuster")
    assert victim in _text((await client.get(f"/claims/{claim_no}/case-file.pdf")).content)
