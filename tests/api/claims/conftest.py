"""Claims API fixtures: a policy with small limits when a test asks for one, and a helper that drives
the claim lifecycle over HTTP as the right user for each step."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from stdnum.cn import ric

from ledger.claims.policy import DEFAULT_POLICY_FILE
from ledger.config import Settings

EVENT_DATE = "2026-06-01"


def resident_id(n: int, area: str = "370214") -> str:
    """A valid resident ID, different for each ``n``."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=37 * n)
    body = f"{area}{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The shared settings, with a policy whose limits are replaced when the test is marked
    ``@pytest.mark.limits(per_event="100000.00", ...)``."""
    marker = request.node.get_closest_marker("limits")
    if marker is None:
        return settings
    text = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    for key, value in marker.kwargs.items():
        start = text.index(f"\n{key} = ") + 1
        end = text.index("\n", start)
        text = text[:start] + f'{key} = "{value}"' + text[end:]
    path = settings.data_dir / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return dataclasses.replace(settings, policy_file=path)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "limits(**values): replace rule-version limits in the policy")


ALL_DOCS = [
    "claim_form",
    "claimant_id",
    "bank_card",
    "authority_certificate",
    "hukou_cancellation",
    "cremation_certificate",
    "heirs_relationship_proof",
    "disability_grading_report",
    "medical_invoices",
    "itemised_costs",
    "medical_insurance_settlement",
    "property_loss_list",
    "heroic_act_certification",
    "no_liable_party_proof",
]


class Claims:
    """Drives the API as adjuster / approver / accountant; every call returns the response."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, dict[str, str]]) -> None:
        self.client = client
        self.headers = headers
        self.seq = 0

    async def event(self, peril: str = "fire_explosion", **changes: Any) -> str:
        body = {
            "incident_date": EVENT_DATE,
            "street": "城阳街道",
            "place": "正阳路 100 号",
            "peril": peril,
            "authority": "城阳区消防救援大队",
            "certificate_no": f"CY-{self.seq:04d}",
            "description": "民房火灾",
            **changes,
        }
        response = await self.client.post("/api/events", json=body, headers=self.headers["adjuster"])
        assert response.status_code == 201, response.text
        return str(response.json()["event_no"])

    def claim_body(self, event_no: str, lines: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
        self.seq += 1
        victim = resident_id(self.seq)
        return {
            "event_no": event_no,
            "claimant_name": "张三",
            "claimant_relation": "self",
            "claimant_id": victim,
            "victim_name": "张三",
            "victim_id": victim,
            "bank_name": "青岛农商银行",
            "bank_account": "6228480000000000001",
            "lines": lines,
            "documents": ALL_DOCS,
            **changes,
        }

    async def register(self, event_no: str, lines: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/api/claims", json=self.claim_body(event_no, lines, **changes), headers=self.headers["adjuster"]
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def post(self, role: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(path, json=body or {}, headers=self.headers[role])

    async def assess(self, claim_no: str, adjustments: list[dict[str, Any]] | None = None) -> httpx.Response:
        return await self.post(
            "adjuster2", f"/api/claims/{claim_no}/assess", {"adjustments": adjustments or []}
        )

    async def approve(self, claim_no: str, role: str = "approver") -> httpx.Response:
        return await self.post(role, f"/api/claims/{claim_no}/approve", {"reason": "ok"})

    async def pay(self, claim_no: str, kind: str = "final", amount: str | None = None) -> httpx.Response:
        body: dict[str, Any] = {"kind": kind}
        if amount is not None:
            body["amount"] = amount
        return await self.post("accountant", f"/api/claims/{claim_no}/payments", body)

    async def approved_claim(self, event_no: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
        claim = await self.register(event_no, lines)
        assert (await self.assess(claim["claim_no"])).status_code == 200
        response = await self.approve(claim["claim_no"])
        assert response.status_code == 200, response.text
        if response.json()["status"] != "approved":
            response = await self.approve(claim["claim_no"], "approver2")
            assert response.status_code == 200, response.text
        return dict(response.json())

    async def duplicate_found(self, registrar: str = "adjuster") -> tuple[str, str]:
        """An assessed claim and a later claim of the same victim and event, found a duplicate only after
        registration: the first was withdrawn, the second registered, then the first reopened."""
        event_no = await self.event()
        body = self.claim_body(event_no, [{"head": "death", "claimed": "1000.00"}])
        registered = await self.client.post("/api/claims", json=body, headers=self.headers[registrar])
        assert registered.status_code == 201, registered.text
        first_no, victim = str(registered.json()["claim_no"]), body["victim_id"]
        withdrawn = await self.post("adjuster", f"/api/claims/{first_no}/withdraw", {"reason": "家属撤回"})
        assert withdrawn.status_code == 200, withdrawn.text
        second = await self.register(
            event_no, [{"head": "property", "claimed": "500.00"}], victim_id=victim, claimant_id=victim
        )
        reopened = await self.post("approver", f"/api/claims/{first_no}/reopen", {"reason": "家属再次申请"})
        assert reopened.status_code == 200, reopened.text
        assessed = await self.assess(first_no)
        assert assessed.status_code == 200, assessed.text
        return first_no, str(second["claim_no"])

    async def get(self, claim_no: str, role: str = "auditor") -> dict[str, Any]:
        response = await self.client.get(f"/api/claims/{claim_no}", headers=self.headers[role])
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
async def api(client: httpx.AsyncClient, login: Callable[..., Awaitable[dict[str, str]]]) -> Claims:
    """A lifecycle driver with one signed-in user per step (two adjusters, two approvers)."""
    headers = {
        "adjuster": await login("adjuster"),
        "adjuster2": await login("adjuster", "adjuster2"),
        "approver": await login("approver"),
        "approver2": await login("approver", "approver2"),
        "accountant": await login("accountant"),
        "auditor": await login("auditor"),
        "admin": await login("admin"),
    }
    return Claims(client, headers)
