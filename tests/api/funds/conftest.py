"""Helpers for the funds API tests: a signed-in cast, a fund with money, organisations with valid codes.

Dates are in the previous month (``PAST``), so that month can be closed in the same test.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from stdnum.cn import uscc

from tests.pinned_clock import PINNED_TODAY

TODAY = PINNED_TODAY
PAST = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
PERIOD = PAST.strftime("%Y-%m")
_serial = itertools.count(1)


def credit_code(n: int | None = None, *, authority: str = "5") -> str:
    """A valid unified social credit code of a social organisation in Chengyang (370214)."""
    body = f"{authority}2370214MJ{(n if n is not None else next(_serial)):07d}"
    return body + uscc.calc_check_digit(body)


@dataclass
class Funds:
    """The funds API as the accountant (``accountant``), a second accountant (``acc2``), admin and auditor."""

    client: httpx.AsyncClient
    acc: dict[str, str]
    acc2: dict[str, str]
    admin: dict[str, str]
    auditor: dict[str, str]

    async def post(
        self, path: str, body: Any = None, headers: dict[str, str] | None = None, key: str | None = None
    ) -> httpx.Response:
        extra = {"Idempotency-Key": key} if key else {}
        return await self.client.post(path, json=body or {}, headers={**(headers or self.acc), **extra})

    async def ok(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        response = await self.post(path, body, headers)
        assert response.status_code == 201, response.text
        return response.json()

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        response = await self.client.get(path, headers=headers or self.auditor)
        assert response.status_code == 200, response.text
        return response.json()

    async def fund(self) -> int:
        body = {
            "code": "chengyang-guidance",
            "name": "城阳区慈善引导资金",
            "purpose": "帮扶困难群体",
            "restriction": "restricted",
        }
        return int((await self.ok("/api/funds", body))["id"])

    async def receive(self, fund_id: int, amount: str, kind: str = "government_grant") -> dict[str, Any]:
        donor = "城阳区财政局" if kind == "government_grant" else "青岛海川建设集团有限公司"
        body = {
            "kind": kind,
            "amount": amount,
            "donor": donor,
            "agreement": f"AG-{next(_serial)}",
            "reference": f"BR-{next(_serial)}",
            "received_on": PAST.isoformat(),
        }
        result: dict[str, Any] = await self.ok(f"/api/funds/{fund_id}/receipts", body)
        return result

    async def grantee(self) -> int:
        body = {
            "credit_code": credit_code(),
            "name": f"城阳区社工服务中心{next(_serial)}",
            "bank_account": "6222 0216 0000 1234",
        }
        return int((await self.ok("/api/grantees", body))["id"])

    async def call(self, fund_id: int, budget: str = "1000000.00", **more: Any) -> int:
        body = {
            "fund_id": fund_id,
            "title": "2026年公益创投",
            "budget": budget,
            "opens_on": (PAST - dt.timedelta(days=9)).isoformat(),
            "closes_on": PAST.isoformat(),
            **more,
        }
        return int((await self.ok("/api/calls", body))["id"])

    async def application(
        self,
        call_id: int,
        requested: str,
        *,
        budget: str | None = None,
        pledged: str | None = None,
        grantee_id: int | None = None,
    ) -> int:
        body = {
            "call_id": call_id,
            "grantee_id": grantee_id or await self.grantee(),
            "project": "困境儿童陪伴",
            "project_budget": budget or _double(requested),
            "requested_amount": requested,
            "pledged_amount": pledged or budget or requested,
            "submitted_on": PAST.isoformat(),
        }
        return int((await self.ok("/api/applications", body))["id"])

    async def reviewed(self, call_id: int, requested: str, **more: Any) -> int:
        application_id = await self.application(call_id, requested, **more)
        await self.ok(
            f"/api/applications/{application_id}/reviews", {"score": 80, "notes": "可行"}, self.acc2
        )
        return application_id

    async def approved(self, call_id: int, amount: str, **more: Any) -> dict[str, Any]:
        application_id = await self.reviewed(call_id, amount, **more)
        grant: dict[str, Any] = await self.ok(
            f"/api/applications/{application_id}/approve", {"approved_amount": amount}, self.admin
        )
        return grant

    async def signed(self, call_id: int, amount: str, **more: Any) -> dict[str, Any]:
        grant = await self.approved(call_id, amount, **more)
        signed: dict[str, Any] = await self.ok(
            f"/api/grants/{grant['id']}/sign",
            {"agreement": f"XY-{grant['id']}", "signed_on": PAST.isoformat()},
        )
        return signed

    async def pay(self, grant_id: int, n: int) -> httpx.Response:
        return await self.post(
            f"/api/grants/{grant_id}/tranches/{n}/pay",
            {"paid_on": PAST.isoformat(), "payment_ref": f"BK{grant_id}-{n}"},
        )

    async def report_accepted(self, grant_id: int, *, final: bool = False) -> dict[str, Any]:
        report = await self.ok(
            f"/api/grants/{grant_id}/reports", {"summary": "进展顺利", "submitted_on": PAST.isoformat()}
        )
        accepted: dict[str, Any] = await self.ok(
            f"/api/grants/{grant_id}/reports/{report['id']}/accept",
            {"final": final, "accepted_on": PAST.isoformat()},
            self.admin,
        )
        return accepted

    async def position(self, fund_id: int) -> dict[str, str]:
        result: dict[str, str] = await self.get(f"/api/funds/{fund_id}/position")
        return result


def _double(amount: str) -> str:
    from decimal import Decimal

    return str(Decimal(amount) * 2)


@pytest.fixture
async def funds(client: httpx.AsyncClient, login: Callable[..., Awaitable[dict[str, str]]]) -> Funds:
    return Funds(
        client=client,
        acc=await login("accountant"),
        acc2=await login("accountant", "acc2"),
        admin=await login("admin"),
        auditor=await login("auditor"),
    )
