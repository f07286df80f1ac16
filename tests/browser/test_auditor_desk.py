"""An auditor at the desk in Chromium: statements with their preview, the integrity panel and a check
run from it, and the audit trail filtered to that check; every page passes axe-core and is saved as a
screenshot."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from tests.browser.conftest import Live
from tests.browser.test_claim_lifecycle import accessible, flash
from tests.integration.reports.sample import build_sample

from ledger import db

pytestmark = pytest.mark.slow


def _sample_ledger(live: Live) -> None:
    """Post the reports' sample entries into the live server's database and ledger files."""

    async def work() -> None:
        async with db.connected(live.settings):
            await build_sample(live.settings)

    # Sync Playwright keeps an event loop running in this thread once a browser is open.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work()).result()


def test_an_auditor_reads_a_statement_runs_a_check_and_finds_it_in_the_trail(desk: Any, live: Live) -> None:
    _sample_ledger(live)
    auditor = desk("auditor")
    page = auditor.page
    assert page.url.endswith("/audit")
    assert "无滞后" in page.inner_text("#export")
    accessible(page)

    auditor.submit("nav >> text=报表")
    page.select_option("#report", "trial-balance")
    page.select_option("#book", "charity")
    page.fill("#from", "2026-01-01")
    page.fill("#to", "2026-12-31")
    auditor.submit("main form button[type=submit]")
    bank = page.locator("table.statement tbody tr", has_text="银行存款").first.inner_text()
    assert bank.split("\t") == [
        "1002",
        "银行存款",
        "1,070,000.50",
        "0.00",
        "12,345.67",
        "123,456.78",
        "958,889.39",
        "0.00",
    ]
    csv = page.request.get(live.url + page.get_attribute("a:has-text('下载 CSV')", "href"))
    assert csv.status == 200
    assert "1002,银行存款,1070000.50,0.00,12345.67,123456.78,958889.39,0.00" in csv.text()
    accessible(page)
    auditor.shot("auditor-statements")
    page.select_option("#report", "vouchers")
    auditor.submit("main form button[type=submit]")
    assert page.locator("table.statement").count() == 2  # the voucher heads and their lines, as the XLSX
    accessible(page)
    auditor.shot("auditor-vouchers")

    auditor.submit("nav >> text=账本完整性")
    assert page.inner_text("#last-check") == "从未运行"
    auditor.submit("text=立即检查")
    assert flash(page).startswith("账本检查通过")
    assert "通过" in page.inner_text("#last-check")
    accessible(page)
    auditor.shot("auditor-integrity")

    auditor.submit("nav >> text=审计日志")
    page.select_option("#object_type", "ledger")
    page.fill("#actor", "auditor")
    auditor.submit("main form button[type=submit]")
    assert "object_type=ledger" in page.url
    rows = page.locator("table.trail-table tbody tr")
    assert rows.count() == 1
    assert "ledger.check" in rows.first.inner_text()
    assert "ok: true" in rows.first.inner_text()
    accessible(page)
    auditor.shot("auditor-trail")
