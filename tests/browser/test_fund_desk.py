"""The accountant at the fund desk in Chromium: the dashboard with its charts, recording a receipt and a
second receipt with the same bank reference refused beside the field. Each page is checked with axe-core
and saved as a screenshot (``var/screenshots/fund-*.png``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from tests.browser.conftest import Live
from tests.browser.test_claim_lifecycle import accessible, flash
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow

PAST = (dt.date(2026, 12, 1).replace(day=1) - dt.timedelta(days=1)).replace(day=10)


def _fund_with_money(live: Live) -> None:
    """A fund with the guidance grant received and one call, through the API as the accountant."""
    with httpx.Client(base_url=live.url, timeout=30) as api:
        token = api.post("/api/auth/token", json={"username": "accountant", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        fund = {"code": "chengyang-guidance", "name": "城阳区慈善引导资金", "purpose": "帮扶困难群体"}
        made = api.post("/api/funds", json={**fund, "restriction": "restricted"}, headers=headers)
        assert made.status_code == 201, made.text
        receipt = {
            "kind": "government_grant",
            "amount": "1000000.00",
            "donor": "城阳区财政局",
            "agreement": "城财社〔2026〕18号",
            "reference": "GF-2026-0001",
            "received_on": PAST.isoformat(),
        }
        paid_in = api.post(f"/api/funds/{made.json()['id']}/receipts", json=receipt, headers=headers)
        assert paid_in.status_code == 201, paid_in.text


def _fill_receipt(page: Any, amount: str, reference: str) -> None:
    page.select_option("#kind", "donation")
    page.fill("#amount", amount)
    page.fill("#donor", "青岛海川食品有限公司")
    page.fill("#agreement", "配捐协议-2026-002")
    page.fill("#reference", reference)
    page.fill("#received_on", PAST.isoformat())


def test_the_accountant_reads_the_dashboard_and_records_a_receipt_once(desk: Any, live: Live) -> None:
    _fund_with_money(live)
    accountant = desk("accountant")
    page = accountant.page
    accountant.go("/payments")
    with page.expect_navigation():
        page.click("nav[aria-label='导航'] a[href='/fund'], header nav a[href='/fund']")
    assert page.url.endswith("/fund")
    assert page.locator("table.position tbody td").all_inner_texts() == [
        "1,000,000.00",
        "0.00",
        "0.00",
        "0.00",
        "1,000,000.00",
    ]
    assert page.locator("figure.chart svg").count() == 1  # no grants yet: no chart of programme areas
    assert "已收" in page.inner_text("figure.chart >> nth=0")
    accessible(page)
    accountant.shot("fund-dashboard")

    accountant.go("/fund/receipts")
    _fill_receipt(page, "80,000.55", "DN-2026-0002")
    accountant.submit("main form[action='/fund/receipts'] button[type=submit]")
    assert flash(page).startswith(
        "收款单 2 已登记：青岛海川食品有限公司 80,000.55 元（银行流水号 DN-2026-0002）"
    )
    accessible(page)
    accountant.shot("fund-receipt-recorded")

    _fill_receipt(page, "500.00", "DN-2026-0002")
    accountant.submit("main form[action='/fund/receipts'] button[type=submit]")
    error = page.locator("#err-reference")
    assert (
        error.inner_text()
        == f"该银行流水号已登记：收款单 2，{PAST.isoformat()}，青岛海川食品有限公司 80,000.55 元。"
    )
    assert page.get_attribute("#reference", "aria-describedby") == "err-reference"
    accessible(page)
    accountant.shot("fund-receipt-duplicate")

    accountant.go("/fund")
    assert page.locator("table.position tbody td").all_inner_texts()[0] == "1,080,000.55"
