"""The auditor's desk over HTTP: statements with their preview, the ledger's integrity, the audit trail.

The preview must show the figures of the downloads to the fen, the check button must be a CSRF-checked,
audited POST, and the trail's filters must narrow the page and its CSV alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Awaitable, Callable

import httpx
import pytest

from ledger import db
from ledger.config import Settings
from ledger.journal.repository import JournalRepository, LedgerCheckRepository
from ledger.platform.repository import AuditRepository
from ledger.platform.service import search_audit
from ledger.web.pages import audit
from tests.integration.reports.sample import build_sample
from tests.web.test_pages import sign_in, token

MakeUser = Callable[..., Awaitable[int]]
YEAR = {"from": "2026-01-01", "to": "2026-12-31"}


def table_rows(page: str, index: int = 0) -> list[list[str]]:
    """The data rows of the ``index``-th statement table of a page, as the cells' text."""
    body = (
        page.split('<table class="statement">')[index + 1]
        .split("<tbody>")[1]
        .split("</tbody>", maxsplit=1)[0]
    )
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL)
    ]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def flash_of(page: str) -> str:
    found = re.search(r'<div class="flash" role="status">\s*<p>(.*?)</p>', page, flags=re.DOTALL)
    assert found, page[:3000]
    return html.unescape(found.group(1))


async def test_each_role_sees_only_the_desk_pages_it_may_use(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    for role in ("auditor", "accountant", "adjuster", "approver"):
        await make_user(role, role)
    answer = await sign_in(client, "auditor")
    assert answer.headers["location"] == "/audit"
    page = await client.get("/audit")
    for href in ("/audit", "/audit/statements", "/audit/trail"):
        assert f'href="{href}"' in page.text
    client.cookies.clear()
    await sign_in(client, "accountant")
    page = await client.get("/payments")
    assert 'href="/audit/statements"' in page.text
    assert 'href="/audit/trail"' not in page.text
    refused = await client.get("/audit/trail")
    assert refused.status_code == 403
    assert "审计员" in refused.text
    assert (await client.get("/audit/trail/csv")).status_code == 403
    for role in ("adjuster", "approver"):
        client.cookies.clear()
        landing = await sign_in(client, role)
        page = await client.get(landing.headers["location"])
        assert 'href="/audit' not in page.text
        for path in ("/audit", "/audit/statements", "/audit/statements/trial-balance.pdf", "/audit/trail"):
            assert (await client.get(path)).status_code == 403, (role, path)
        refused = await client.post("/audit/check", data={"csrf_token": token(page.text)})
        assert refused.status_code == 403
    assert await LedgerCheckRepository().latest("check") is None


@pytest.mark.parametrize(
    ("report", "book", "table"),
    [("trial-balance", "charity", 0), ("balance-sheet", "charity", 0), ("vouchers", "charity", 1)],
)
async def test_the_preview_shows_the_figures_of_the_downloads_to_the_fen(
    client: httpx.AsyncClient, make_user: MakeUser, settings: Settings, report: str, book: str, table: int
) -> None:
    await build_sample(settings)
    await make_user("auditor", "auditor")
    await sign_in(client, "auditor")
    page = await client.get("/audit/statements", params={"report": report, "book": book, **YEAR})
    assert page.status_code == 200, page.text[-3000:]
    link = f"/audit/statements/{report}.csv?book={book}&amp;from=2026-01-01&amp;to=2026-12-31"
    assert link in page.text
    download = await client.get(html.unescape(link))
    assert download.status_code == 200
    shown = table_rows(page.text, table)
    exported = csv_rows(download.content)[1:]
    assert len(shown) == len(exported) > 0
    for html_row, csv_row in zip(shown, exported, strict=True):
        assert [cell.replace(",", "") for cell in html_row] == [cell.lstrip("'") for cell in csv_row]
    pdf = await client.get(f"/audit/statements/{report}.pdf", params={"book": book, **YEAR})
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="{report}_{book}_2026-01-01_2026-12-31.pdf"'
    )
    assert f'id="content-hash">{pdf.headers["x-content-hash"]}<' in page.text


async def test_the_charity_trial_balance_preview_carries_the_pdfs_figures(
    client: httpx.AsyncClient, make_user: MakeUser, settings: Settings
) -> None:
    await build_sample(settings)
    await make_user("auditor", "auditor")
    await sign_in(client, "auditor")
    page = await client.get(
        "/audit/statements", params={"report": "trial-balance", "book": "charity", **YEAR}
    )
    bank = next(row for row in table_rows(page.text) if row[0] == "1002")
    # opening 1,070,000.50 (2025: 1,000,000 + 250,000.50 - 180,000), 2026: +12,345.67 -120,000 -3,456.78
    assert bank == [
        "1002",
        "银行存款",
        "1,070,000.50",
        "0.00",
        "12,345.67",
        "123,456.78",
        "958,889.39",
        "0.00",
    ]
    assert "255,802.45" in page.text  # the turnover total the PDF prints
    xlsx = await client.get("/audit/statements/trial-balance.xlsx", params={"book": "charity", **YEAR})
    assert xlsx.content.startswith(b"PK")


async def test_statement_parameters_are_refused_beside_their_inputs(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user("auditor", "auditor")
    await sign_in(client, "auditor")
    bad_date = await client.get("/audit/statements", params={"report": "trial-balance", "from": "2026-13-01"})
    assert bad_date.status_code == 422
    assert '<p class="field-error" id="err-from">请输入日期，格式如 2026-12-01。</p>' in bad_date.text
    wrong_book = await client.get(
        "/audit/statements", params={"report": "balance-sheet", "book": "insurance"}
    )
    assert wrong_book.status_code == 422
    assert "该报表适用的账簿：政府引导资金（慈善会）。" in wrong_book.text
    backwards = await client.get(
        "/audit/statements", params={"report": "trial-balance", "from": "2026-12-01", "to": "2026-11-01"}
    )
    assert "起始日期晚于截止日期。" in backwards.text
    unknown = await client.get("/audit/statements", params={"report": "no-such-report"})
    assert 'id="err-report"' in unknown.text
    empty = await client.get("/audit/statements")
    assert empty.status_code == 200
    assert 'class="statement"' not in empty.text


async def test_the_integrity_panel_and_a_check_run_from_it(
    client: httpx.AsyncClient, make_user: MakeUser, settings: Settings
) -> None:
    await build_sample(settings)
    await make_user("auditor", "auditor")
    await sign_in(client, "auditor")
    head = await JournalRepository().head()
    assert head is not None
    panel = await client.get("/audit")
    assert f'id="head-seq">{head[0]}<' in panel.text
    assert f'id="head-hash">{head[1]}<' in panel.text
    assert '<dd id="last-check">从未运行</dd>' in panel.text
    assert "无滞后" in panel.text
    # without the form's token nothing runs and nothing is written
    forged = await client.post("/audit/check", data={"csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert await LedgerCheckRepository().latest("check") is None
    ran = await client.post("/audit/check", data={"csrf_token": token(panel.text)})
    assert ran.status_code == 303
    assert ran.headers["location"] == "/audit"
    after = await client.get("/audit")
    assert flash_of(after.text) == (
        f"账本检查通过：共 {head[0]} 笔分录，哈希链至第 {head[0]} 号分录完整无断，账本文件与日记账一致。"
    )
    last = re.search(r'<dd id="last-check">(.*?)</dd>', after.text, flags=re.DOTALL)
    assert last is not None
    assert "通过" in last.group(1)
    assert "2026-12-01 10:00:00" in last.group(1)  # the pinned clock, in Shanghai time
    rows, total = await search_audit(
        object_type="ledger", object_id=None, actor="auditor", limit=10, offset=0
    )
    assert total == 1
    assert rows[0].action == "ledger.check"
    assert rows[0].object_id == str(head[0])
    after = json.loads(rows[0].after)
    assert after["ok"] is True
    assert after["head_hash"] == head[1]


async def test_a_failed_check_is_said_on_the_panel(
    client: httpx.AsyncClient, make_user: MakeUser, settings: Settings
) -> None:
    await build_sample(settings)
    year = settings.resolved_ledger_dir / "2026.beancount"
    year.write_text(year.read_text(encoding="utf-8").replace("12345.67", "12345.68"), encoding="utf-8")
    await make_user("auditor", "auditor")
    await sign_in(client, "auditor")
    panel = await client.get("/audit")
    await client.post("/audit/check", data={"csrf_token": token(panel.text)})
    after = await client.get("/audit")
    assert flash_of(after.text).startswith("账本检查未通过：")
    assert '<span class="badge s-rejected">降级</span>' in after.text
    assert "ledger-check-failed" in after.text


async def _trail(count: int) -> None:
    """``count`` approvals on consecutive days from 1 November (08:00 Shanghai), one user added at a
    day's edge (00:30 Shanghai on 11 November is still 10 November in UTC)."""
    repo = AuditRepository()
    async with db.write_transaction():
        for n in range(count):
            await repo.add(
                at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n * 6),
                actor="approver" if n % 2 else "approver2",
                action="claim.approve",
                object_type="claim",
                object_id=f"CL-2026-{n + 1:06d}",
                before={"status": "assessed"},
                after={"status": "approved"},
                request_id=f"req-{n}",
            )
        await repo.add(
            at=dt.datetime(2026, 11, 10, 16, 30, tzinfo=dt.UTC),
            actor="admin",
            action="user.add",
            object_type="user",
            object_id="7",
            before=None,
            after={"username": "张会计", "role": "accountant"},
            request_id="req-user",
        )


async def test_the_audit_trail_filters_pages_and_exports(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user("auditor", "auditor")  # writes its own user.add row, by "system"
    await _trail(55)
    await sign_in(client, "auditor")
    first = await client.get("/audit/trail", params={"action": "claim.approve"})
    assert "找到 55 条记录" in first.text
    assert first.text.count('<td class="no">claim.approve</td>') == audit.TRAIL_PAGE
    assert '<a href="?action=claim.approve&amp;page=2" rel="next">' in first.text
    assert "第 1–50 条，共 55 条；第 1 页，共 2 页" in first.text
    second = await client.get("/audit/trail", params={"action": "claim.approve", "page": "2"})
    assert second.text.count('<td class="no">claim.approve</td>') == 5
    # newest first: the first approval is the last row of the last page, at 08:00 Shanghai
    assert second.text.rstrip().split("<tr>")[-1].startswith('<td class="no">2026-11-01 08:00:00</td>')
    by_actor = await client.get("/audit/trail", params={"actor": "approver", "action": "claim.approve"})
    assert "找到 27 条记录" in by_actor.text
    one = await client.get("/audit/trail", params={"object_type": "claim", "object_id": "CL-2026-000003"})
    assert "找到 1 条记录" in one.text
    assert '<a class="no" href="/claims/CL-2026-000003">CL-2026-000003</a>' in one.text
    # days are Shanghai days: the user added at 00:30 on 11 November is not on 10 November
    tenth = await client.get(
        "/audit/trail", params={"action": "user.add", "from": "2026-11-10", "to": "2026-11-10"}
    )
    assert "找到 0 条记录" in tenth.text
    eleventh = await client.get(
        "/audit/trail", params={"action": "user.add", "from": "2026-11-11", "to": "2026-11-11"}
    )
    assert "找到 1 条记录" in eleventh.text
    assert "2026-11-11 00:30:00" in eleventh.text
    # the page lists what changed; a creation lists every field as new
    assert "<li><code>role</code>: <ins>accountant</ins></li>" in eleventh.text
    assert "<li><code>username</code>: <ins>张会计</ins></li>" in eleventh.text
    assert "<li><code>status</code>: <del>assessed</del> → <ins>approved</ins></li>" in first.text
    exported = await client.get("/audit/trail/csv", params={"action": "claim.approve", "actor": "approver2"})
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == 'attachment; filename="audit-trail-20261201-100000.csv"'
    rows = csv_rows(exported.content)
    assert rows[0] == ["时间", "操作人", "操作", "对象类型", "对象", "变更前", "变更后", "请求号"]
    assert len(rows) == 1 + 28
    assert rows[1] == [
        "2026-11-14 20:00:00",
        "approver2",
        "claim.approve",
        "claim",
        "CL-2026-000055",
        '{"status": "assessed"}',
        '{"status": "approved"}',
        "req-54",
    ]
    assert 'href="/audit/trail/csv?action=claim.approve"' in first.text


async def test_the_trail_refuses_bad_filters_and_oversized_exports(
    client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_user("auditor", "auditor")
    await _trail(3)
    await sign_in(client, "auditor")
    unknown = await client.get("/audit/trail", params={"object_type": "bogus"})
    assert unknown.status_code == 422
    assert 'id="err-object_type"' in unknown.text
    backwards = await client.get("/audit/trail", params={"from": "2026-11-11", "to": "2026-11-10"})
    assert backwards.status_code == 422
    assert "起始日期晚于截止日期。" in backwards.text
    monkeypatch.setattr(audit, "CSV_MAX", 2)
    refused = await client.get("/audit/trail/csv", params={"action": "claim.approve"})
    assert refused.status_code == 422
    assert "共 3 条符合条件；一个 CSV 文件最多 2 条，请缩小筛选范围。" in refused.text
