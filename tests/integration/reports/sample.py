"""A small, realistic ledger for report tests: both books over 2025-2026, claims and grants behind it.

Entries are posted through ``journal.service.post`` inside ``db.write_transaction()`` and exported to
the Beancount files with ``Ledger.export()``; the claims and funds rows they refer to are inserted
directly (the reports only read them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ledger import db
from ledger.claims.tables import ClaimRow, EventRow, PolicyYearRow
from ledger.config import Settings
from ledger.core import clock
from ledger.core.entries import Posting
from ledger.funds.tables import Fund, FundCall, Grant, GrantApplication, Grantee
from ledger.journal import service as journal
from ledger.journal.service import Ledger

BANK, PAYABLE = "Assets:Charity:Bank", "Liabilities:Charity:GrantsPayable"
NA_U, NA_R = "Equity:Charity:NetAssets:Unrestricted", "Equity:Charity:NetAssets:Restricted"
GOV_R, DON_R, DON_U = (
    "Income:Charity:GovernmentGrant:Restricted",
    "Income:Charity:Donations:Restricted",
    "Income:Charity:Donations:Unrestricted",
)
PROGRAMS, ADMIN = "Expenses:Charity:Programs", "Expenses:Charity:Admin"
INS_BANK, PREMIUM = "Assets:Insurance:Bank", "Income:Insurance:Premium"
CLAIMS = (
    # claim no, peril, account, approved, paid, victim
    (
        "CL-2026-000001",
        "fire_explosion",
        "Expenses:Insurance:Claims:FireExplosion",
        4_567_890,
        4_567_890,
        "张三丰",
    ),
    (
        "CL-2026-000002",
        "natural_disaster",
        "Expenses:Insurance:Claims:NaturalDisaster",
        1_200_000,
        1_200_000,
        "李四",
    ),
    (
        "CL-2026-000003",
        "natural_disaster",
        "Expenses:Insurance:Claims:NaturalDisaster",
        3_000_000,
        1_000_001,
        "王五",
    ),
)
VICTIM_ID = "370214199001011234"


@dataclass(frozen=True, slots=True)
class Sample:
    """What the sample holds, for assertions (fen)."""

    charity_2026_debits: int
    insurance_2026_debits: int
    premium: int
    claims_paid: int


def _p(account: str, fen: int) -> Posting:
    return Posting(account, fen)


async def _post(
    day: dt.date,
    book: str,
    narration: str,
    legs: list[tuple[str, int]],
    cause: str,
    links: dict[str, str] | None = None,
    payee: str = "",
) -> None:
    await journal.post(
        date=day,
        book=book,
        narration=narration,
        postings=[_p(a, f) for a, f in legs],
        cause=cause,
        actor="wang.kuaiji",
        payee=payee,
        links=links or {},
    )


async def build_sample(settings: Settings) -> Sample:
    """Post the sample entries, insert the rows behind them and export the ledger."""
    now = clock.now()
    async with db.write_transaction():
        await _post(
            dt.date(2025, 3, 1),
            "charity",
            "收到区财政政府引导资金",
            [(BANK, 100_000_000), (GOV_R, -100_000_000)],
            "fund-receipt:1",
            {"fund": "GF-2025", "agreement": "区财〔2025〕12号"},
            "城阳区财政局",
        )
        await _post(
            dt.date(2025, 6, 10),
            "charity",
            "企业配捐（限定性）",
            [(BANK, 25_000_050), (DON_R, -25_000_050)],
            "fund-receipt:2",
            {"fund": "GF-2025", "agreement": "PJ-2025-03"},
            "青岛某企业",
        )
        await _post(
            dt.date(2025, 9, 1),
            "charity",
            "资助协议签订 社区助老项目",
            [(PROGRAMS, 30_000_000), (PAYABLE, -30_000_000)],
            "grant-commitment:1",
            {"grant": "G-2025-001", "fund": "GF-2025"},
        )
        await _post(
            dt.date(2025, 9, 15),
            "charity",
            "拨付第一期资助款",
            [(PAYABLE, 18_000_000), (BANK, -18_000_000)],
            "grant-tranche:1",
            {"grant": "G-2025-001", "fund": "GF-2025"},
            "城阳区阳光社工服务中心",
        )
        await _post(
            dt.date(2025, 9, 15),
            "charity",
            "解除限定 第一期",
            [(NA_R, 18_000_000), (NA_U, -18_000_000)],
            "grant-release:1",
            {"grant": "G-2025-001", "fund": "GF-2025"},
        )
        await _post(
            dt.date(2025, 12, 31),
            "charity",
            "2025年度期末结转",
            [
                (GOV_R, 100_000_000),
                (DON_R, 25_000_050),
                (NA_R, -125_000_050),
                (NA_U, 30_000_000),
                (PROGRAMS, -30_000_000),
            ],
            "period-close:2025-12",
            {"period": "2025-12"},
        )
        await _post(
            dt.date(2026, 2, 1),
            "charity",
            "非限定性捐赠",
            [(BANK, 1_234_567), (DON_U, -1_234_567)],
            "fund-receipt:3",
            {"fund": "GF-2025", "agreement": "DN-2026-01"},
            "爱心人士",
        )
        await _post(
            dt.date(2026, 3, 5),
            "charity",
            "拨付第二期资助款",
            [(PAYABLE, 12_000_000), (BANK, -12_000_000)],
            "grant-tranche:2",
            {"grant": "G-2025-001", "fund": "GF-2025"},
            "城阳区阳光社工服务中心",
        )
        await _post(
            dt.date(2026, 3, 5),
            "charity",
            "解除限定 第二期",
            [(NA_R, 12_000_000), (NA_U, -12_000_000)],
            "grant-release:2",
            {"grant": "G-2025-001", "fund": "GF-2025"},
        )
        await _post(
            dt.date(2026, 4, 1),
            "charity",
            "管理费用 审计费",
            [(ADMIN, 345_678), (BANK, -345_678)],
            "expense:1",
            {},
        )
        await _post(
            dt.date(2026, 1, 10),
            "insurance",
            "2026 年度政府救助责任保险保费",
            [(INS_BANK, 80_000_000), (PREMIUM, -80_000_000)],
            "premium:1",
            {"policy-year": "2026", "payment-ref": "BX-2026-001"},
            "人保财险城阳支公司",
        )
        for n, (claim_no, _peril, account, _approved, paid, victim) in enumerate(CLAIMS, start=1):
            await _post(
                dt.date(2026, 3, n),
                "insurance",
                f"赔付 {claim_no}",
                [(account, paid), (INS_BANK, -paid)],
                f"claim-payment:{n}",
                {"claim": claim_no, "payment-ref": f"{claim_no}-P1"},
                victim,
            )
        await _rows(now)
    await Ledger.of(settings).export()
    paid = sum(c[4] for c in CLAIMS)
    return Sample(
        charity_2026_debits=1_234_567 + 12_000_000 + 12_000_000 + 345_678,
        insurance_2026_debits=80_000_000 + paid,
        premium=80_000_000,
        claims_paid=paid,
    )


async def _rows(now: dt.datetime) -> None:
    year = await PolicyYearRow.insert(
        PolicyYearRow(
            code="2026",
            insurer="人保财险",
            policyholder="城阳区民政局",
            starts=dt.date(2026, 1, 1),
            ends=dt.date(2026, 12, 31),
            insured_population=1_000_000,
            premium_fen=80_000_000,
            created_at=now,
        )
    ).returning(PolicyYearRow.id)
    for n, (claim_no, peril, _account, approved, paid, victim) in enumerate(CLAIMS, start=1):
        event = await EventRow.insert(
            EventRow(
                event_no=f"EV-2026-{n:04d}",
                policy_year=year[0]["id"],
                incident_date=dt.date(2026, 2, n),
                street="城阳街道",
                place="某小区",
                peril=peril,
                authority="城阳区应急管理局",
                certificate_no=f"C{n}",
                created_by="adjuster",
                created_at=now,
            )
        ).returning(EventRow.id)
        await ClaimRow.insert(
            ClaimRow(
                claim_no=claim_no,
                event=event[0]["id"],
                policy_year=year[0]["id"],
                peril=peril,
                scheme="standard",
                incident_date=dt.date(2026, 2, n),
                claimant_name=victim,
                claimant_relation="self",
                claimant_id=VICTIM_ID,
                victim_name=victim,
                victim_id=VICTIM_ID,
                household=f"H{n}",
                household_status="normal",
                bank_name="农商银行",
                bank_account="6200000000000000",
                status="paid" if paid == approved else "partly_paid",
                approved_fen=approved,
                paid_fen=paid,
                registered_by="adjuster",
                first_approver="zhao.shenpi",
                created_at=now,
                updated_at=now,
            )
        )
    fund = await Fund.insert(
        Fund(
            code="GF-2025",
            name="政府引导资金",
            purpose="帮扶困难群体",
            restriction="restricted",
            created_by="admin",
            created_at=now,
        )
    ).returning(Fund.id)
    grantee = await Grantee.insert(
        Grantee(
            credit_code="52370214MJD123456X",
            name="城阳区阳光社工服务中心",
            created_by="admin",
            created_at=now,
        )
    ).returning(Grantee.id)
    call = await FundCall.insert(
        FundCall(
            fund=fund[0]["id"],
            title="2025 公益创投",
            budget_fen=50_000_000,
            opens_on=dt.date(2025, 4, 1),
            closes_on=dt.date(2025, 5, 1),
            max_fund_share_percent="80",
            tranche_percents="60,40",
            created_by="admin",
            created_at=now,
        )
    ).returning(FundCall.id)
    application = await GrantApplication.insert(
        GrantApplication(
            call=call[0]["id"],
            grantee=grantee[0]["id"],
            project="社区助老项目",
            project_budget_fen=40_000_000,
            requested_fen=30_000_000,
            pledged_fen=10_000_000,
            submitted_on=dt.date(2025, 4, 20),
            status="approved",
            recorded_by="admin",
            approved_fen=30_000_000,
            decided_by="chen.zhuren",
            created_at=now,
        )
    ).returning(GrantApplication.id)
    await Grant.insert(
        Grant(
            grant_no="G-2025-001",
            application=application[0]["id"],
            fund=fund[0]["id"],
            grantee=grantee[0]["id"],
            amount_fen=30_000_000,
            paid_fen=30_000_000,
            status="in_progress",
            tranche_percents="60,40",
            agreement_no="XY-2025-001",
            signed_on=dt.date(2025, 9, 1),
            created_at=now,
        )
    )
