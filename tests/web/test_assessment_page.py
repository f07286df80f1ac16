"""The assessment screen explains each step of the calculation in the reader's language."""

from __future__ import annotations

import httpx

from tests.api.claims.conftest import Claims
from tests.web.test_pages import sign_in, token


async def test_the_calculation_trail_reads_in_chinese_then_in_english(
    client: httpx.AsyncClient, api: Claims
) -> None:
    claim = await api.register(await api.event(), [{"head": "medical", "claimed": "8650.40"}])
    claim_no = claim["claim_no"]
    assert (await api.assess(claim_no)).status_code == 200
    await sign_in(client, "adjuster")
    chinese = await client.get(f"/claims/{claim_no}/assess")
    assert chinese.status_code == 200
    assert "医保未报销部分: 8,650.40 — 未填写，按申请金额全额计" in chinese.text
    assert "赔付比例: 7,785.36 (90%) — 四舍五入到分" in chinese.text
    assert "rounded half up" not in chinese.text
    await client.post(
        "/language",
        data={"csrf_token": token(chinese.text), "locale": "en", "next": f"/claims/{claim_no}/assess"},
    )
    english = await client.get(f"/claims/{claim_no}/assess")
    assert "co-insurance share: 7,785.36 (90%) — rounded half up to the fen" in english.text
    assert "四舍五入到分" not in english.text
