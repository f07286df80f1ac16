"""The report routes: downloads, parameter validation and roles."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader

from ledger.config import Settings
from tests.integration.reports.sample import build_sample

QUERY = {"book": "charity", "from": "2026-01-01", "to": "2026-12-31"}


@pytest.fixture
async def auditor(client: Any, login: Any, settings: Settings) -> dict[str, str]:
    await build_sample(settings)
    headers: dict[str, str] = await login("auditor")
    return headers


async def test_pdf_download_is_an_attachment_with_a_filename(client: Any, auditor: dict[str, str]) -> None:
    response = await client.get("/api/reports/trial-balance.pdf", params=QUERY, headers=auditor)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'attachment; filename="trial-balance_charity_2026-01-01_2026-12-31.pdf"'
    )
    assert len(response.headers["x-content-hash"]) == 64
    assert int(response.headers["content-length"]) == len(response.content)
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "试算平衡表" in text
    assert "255,802.45" in text


@pytest.mark.parametrize(("fmt", "media"), [("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats")])
async def test_machine_readable_downloads(client: Any, auditor: dict[str, str], fmt: str, media: str) -> None:
    response = await client.get(f"/api/reports/chart-of-accounts.{fmt}", headers=auditor)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert response.headers["content-disposition"].endswith(f'.{fmt}"')


async def test_voucher_download(client: Any, auditor: dict[str, str]) -> None:
    response = await client.get("/api/reports/vouchers/12.pdf", headers=auditor)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == 'attachment; filename="voucher_000012.pdf"'
    missing = await client.get("/api/reports/vouchers/999.pdf", headers=auditor)
    assert missing.status_code == 404
    assert missing.json()["field"] == "seq"
    bad = await client.get("/api/reports/vouchers/abc.pdf", headers=auditor)
    assert bad.status_code == 422
    assert bad.json()["field"] == "seq"


@pytest.mark.parametrize(
    ("path", "params", "status", "field"),
    [
        ("/api/reports/nothing.pdf", {}, 404, "name"),
        ("/api/reports/trial-balance.doc", {}, 404, "format"),
        ("/api/reports/trial-balance", {}, 404, "format"),
        ("/api/reports/trial-balance.pdf", {"book": "pension"}, 422, "book"),
        ("/api/reports/balance-sheet.pdf", {"book": "insurance"}, 422, "book"),
        ("/api/reports/trial-balance.pdf", {"from": "2026-12-31", "to": "2026-01-01"}, 422, "from"),
        ("/api/reports/trial-balance.pdf", {"from": "2026-13-01"}, 400, "from"),
        # A statement reads the day before the period and the year before it, a register the day after
        # it: at the ends of the calendar these were OverflowError / "year 0 is out of range" 500s.
        ("/api/reports/balance-sheet.csv", {"from": "0001-01-01", "to": "0002-12-31"}, 422, "from"),
        ("/api/reports/activities.csv", {"from": "0001-06-01", "to": "0002-06-30"}, 422, "from"),
        ("/api/reports/balance-sheet.csv", {"to": "0001-01-01"}, 422, "to"),
        ("/api/reports/grant-register.csv", {"from": "9999-01-01", "to": "9999-12-31"}, 422, "to"),
        # One period rule for every report, vouchers too.
        ("/api/reports/vouchers.csv", {"book": "all", "from": "0001-01-01", "to": "9999-12-31"}, 422, "to"),
    ],
)
async def test_parameters_are_validated(
    client: Any, auditor: dict[str, str], path: str, params: dict[str, str], status: int, field: str
) -> None:
    response = await client.get(path, params=params, headers=auditor)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert field in (body.get("field"), *(e.get("key") for e in body.get("errors") or [])), body


@pytest.mark.parametrize(
    ("role", "status"), [("accountant", 200), ("admin", 200), ("adjuster", 403), ("approver", 403)]
)
async def test_roles(client: Any, auditor: dict[str, str], login: Any, role: str, status: int) -> None:
    response = await client.get("/api/reports/", headers=await login(role))
    assert response.status_code == status
    assert (await client.get("/api/reports/")).status_code == 401
    if status == 200:
        assert {r["name"] for r in response.json()} >= {"trial-balance", "claims-register", "integrity"}


@pytest.mark.parametrize("name", ["balance-sheet", "activities", "grant-register", "trial-balance"])
async def test_the_widest_period_is_answered(client: Any, auditor: dict[str, str], name: str) -> None:
    """The bounds the 422s name are themselves accepted."""
    params = {"book": "charity", "from": "0002-01-01", "to": "9999-12-30"}
    response = await client.get(f"/api/reports/{name}.csv", params=params, headers=auditor)
    assert response.status_code == 200, response.text
