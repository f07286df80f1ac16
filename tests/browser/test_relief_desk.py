"""The relief desk in Chromium: a caseworker files applications, a relief officer approves them, two
officers draft and approve a month's cycle, the accountant issues the bank file, downloads it and reads
a return file with one failed row. Every page visited is checked with axe-core and for unlabelled
inputs, and the main pages are saved as screenshots.
"""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest
from tests.browser.conftest import Live
from tests.browser.test_claim_lifecycle import accessible, flash, resident_id
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow


def api(live: Live, username: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST to the relief API as ``username`` (households are registered through the API)."""
    token = httpx.post(f"{live.url}/api/auth/token", json={"username": username, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    answer = httpx.post(f"{live.url}/api/relief{path}", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def household(live: Live, first: int, size: int, income: str) -> str:
    members = [
        {
            "resident_id": resident_id(first + i),
            "name": f"王{'一二三'[i]}",
            "relation": "self" if i == 0 else "child",
            "joined_on": "2020-01-01",
        }
        for i in range(size)
    ]
    made = api(
        live,
        "caseworker",
        "/households",
        {
            "street": "城阳街道",
            "community": "城阳社区",
            "address": f"正阳路{first}号",
            "bank_code": "qdrcb",
            "bank_account": f"622848000000{first:04d}",
            "bank_holder": members[0]["name"],
            "members": members,
            "monthly_income": income,
        },
    )
    return str(made["household_no"])


def file_applications(desk: Any, numbers: tuple[str, ...]) -> None:
    """The caseworker lands on the households, files an application for each and sees the reasons."""
    caseworker = desk("caseworker")
    page = caseworker.page
    assert page.url.endswith("/relief/households")
    accessible(page)
    caseworker.shot("relief-households")
    for number in numbers:
        caseworker.go(f"/relief/households/{number}")
        page.select_option("#programme", "dibao")
        caseworker.submit("main form[action$='/apply'] button[type=submit]")
        assert "已提交" in flash(page)
    assert "符合: 收入核查" in page.inner_text("main")
    accessible(page)
    caseworker.shot("relief-household")


def approve_and_draft(desk: Any) -> None:
    """A relief officer approves both, drafts the month's cycle, and may not approve it himself."""
    officer = desk("officer")
    page = officer.page
    assert page.url.endswith("/relief/applications")
    accessible(page)
    officer.shot("relief-applications")
    for _ in range(2):
        officer.submit("main form[action$='/approve'] button[type=submit] >> nth=0")
        assert "已批准" in flash(page)
    officer.go("/relief/cycles")
    page.select_option("#programme", "dibao")
    page.fill("#month", "2026-12")
    officer.submit("main form[action='/relief/cycles'] button[type=submit]")
    assert "1,405.44" in flash(page)
    officer.submit("main form[action$='/approve'] button[type=submit]")
    assert "四眼原则" in page.inner_text("main")
    accessible(page)
    officer.shot("relief-cycle-four-eyes")


def test_application_to_bank_return_through_the_relief_desk(desk: Any, live: Live) -> None:
    file_applications(desk, (household(live, 1, 3, "1234.56"), household(live, 10, 1, "0.00")))
    approve_and_draft(desk)
    officer2 = desk("officer2")
    page = officer2.page
    officer2.go("/relief/cycles/dibao/2026-12")
    assert "壹仟肆佰零伍元肆角肆分" in page.inner_text("main")
    officer2.submit("main form[action$='/approve'] button[type=submit]")
    assert "已批准" in flash(page)
    accessible(page)
    officer2.shot("relief-cycle")

    api(
        live,
        "accountant",
        "/bank/appropriations",
        {"amount": "10000.00", "received_on": "2026-12-01", "reference": "财拨2026-12"},
    )
    accountant = desk("accountant")
    page = accountant.page
    accountant.go("/relief/bank")
    page.select_option("#bank", "qdrcb")
    accountant.submit("main form[action='/relief/bank'] button[type=submit]")
    assert "1,405.44" in flash(page)
    with page.expect_download() as download:
        page.click("text=下载 CSV")
    content = download.value.path().read_bytes()
    assert hashlib.sha256(content).hexdigest() in page.inner_text("main")
    assert content.decode().splitlines()[-1] == "合计 2,,1405.44,"
    accessible(page)
    accountant.shot("relief-bank-file")
    returns = "row_no,result,reason\n1,paid,\n2,failed,账户已冻结\n".encode()
    page.set_input_files("#returns", {"name": "returns.csv", "mimeType": "text/csv", "buffer": returns})
    accountant.submit("main form[action$='/returns'] button[type=submit]")
    assert "成功 1 笔，失败 1 笔" in flash(page)
    assert "账户已冻结" in page.inner_text("main")
    accessible(page)
    accountant.shot("relief-bank-returned")
