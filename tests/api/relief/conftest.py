"""A driver for the relief API: users of each relief role, households, enrolments and cycles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.claims.conftest import resident_id

ACCOUNT = "6228480000001234"


@dataclass
class Relief:
    """Calls the relief routes as the users of ``headers`` (caseworker, caseworker2, officer, officer2,
    accountant, auditor)."""

    http: httpx.AsyncClient
    headers: dict[str, dict[str, str]]

    async def call(self, who: str, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = await self.http.request(method, f"/api/relief{path}", headers=self.headers[who], **kwargs)
        assert response.status_code == status, response.text
        return (
            response.json()
            if response.headers.get("content-type", "").startswith("application/")
            else response
        )

    async def household(self, first: int, members: list[dict[str, Any]], **values: Any) -> dict[str, Any]:
        body = {
            "street": "城阳街道",
            "community": "城阳社区",
            "address": "正阳路1号",
            "bank_code": "qdrcb",
            "bank_account": ACCOUNT,
            "bank_holder": "户主",
            "members": [
                {
                    "resident_id": resident_id(first + i),
                    "name": f"成员{first + i}",
                    "relation": "self",
                    "joined_on": "2020-01-01",
                    **m,
                }
                for i, m in enumerate(members)
            ],
            **values,
        }
        return await self.call("caseworker", "POST", "/households", 201, json=body)

    async def enrolled(self, household_no: str, programme: str, effective: str) -> dict[str, Any]:
        applied = await self.call(
            "caseworker",
            "POST",
            "/enrolments",
            201,
            json={"household_no": household_no, "programme": programme},
        )
        return await self.call(
            "officer",
            "POST",
            f"/enrolments/{applied['enrolment_no']}/approve",
            json={"effective_month": effective},
        )

    async def approved_cycle(self, programme: str, month: str) -> dict[str, Any]:
        await self.call("caseworker", "POST", "/cycles", 201, json={"programme": programme, "month": month})
        return await self.call("officer", "POST", f"/cycles/{programme}/{month}/approve")


@pytest.fixture
async def relief(client: httpx.AsyncClient, login: Callable[..., Awaitable[dict[str, str]]]) -> Relief:
    headers = {
        "caseworker": await login("caseworker"),
        "caseworker2": await login("caseworker", "caseworker2"),
        "officer": await login("relief_officer", "officer"),
        "officer2": await login("relief_officer", "officer2"),
        "accountant": await login("accountant"),
        "auditor": await login("auditor"),
    }
    return Relief(client, headers)
