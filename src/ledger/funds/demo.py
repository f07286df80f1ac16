"""Demo data of the funds domain: the guidance grant, matching donations, one call, a dozen applications
from social organisations (valid credit codes) and grants in every state. Loaded once: skipped when the
configured fund exists. Everything goes through the services, so every row is audited and posted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from stdnum.cn import uscc

from ledger.config import Settings
from ledger.core import clock
from ledger.core.money import parse_amount
from ledger.funds.domain import ReceiptKind
from ledger.funds.service import ApplicationService, FundService, GrantService, fund_config
from ledger.platform.domain import Principal, Role
from ledger.platform.repository import UserRepository

DONATIONS = (
    ("青岛城阳宏达建设集团有限公司", "80000.00"),
    ("青岛海川食品有限公司", "50000.00"),
    ("青岛德信物流有限公司", "30000.00"),
)

ORGANISATIONS = (
    "城阳区阳光社会工作服务中心",
    "城阳区夕阳红居家养老服务中心",
    "城阳区春苗困境儿童关爱协会",
    "城阳区助残康复服务中心",
    "城阳区邻里守望志愿者协会",
    "城阳区心灵港湾心理咨询服务中心",
    "城阳区惠民社区服务中心",
    "城阳区爱心食堂公益服务社",
    "城阳区青鸟青少年发展中心",
    "城阳区暖冬救助服务队",
    "城阳区银龄互助协会",
    "城阳区同心家庭支持服务中心",
)

PROJECTS = (
    "低保家庭儿童课后陪伴",
    "特困老人居家照护",
    "困境儿童心理疏导",
    "残疾人康复训练",
    "独居老人邻里守望",
    "困难家庭心理援助",
    "社区临时救助转介",
    "高龄老人助餐",
    "流动儿童暑期课堂",
    "冬季困难群众送温暖",
    "低龄老人互助养老",
    "支出型困难家庭帮扶",
)

# The state each application ends in; amounts requested in yuan (the project budget is twice that).
PLAN = (
    ("agreement_pending", "30000.00"),
    ("committed", "40000.00"),
    ("tranche_1_paid", "50000.00"),
    ("report_submitted", "36000.00"),
    ("report_accepted", "45000.00"),
    ("paid_fully", "60000.00"),
    ("closed", "48000.00"),
    ("cancelled", "25000.00"),
    ("returned", "40000.00"),
    ("final_accepted", "20000.00"),
    ("rejected", "35000.00"),
    ("under_review", "28000.00"),
)


def demo_credit_code(n: int) -> str:
    """A valid credit code of a social organisation (5: civil affairs; 2: social service organ) in 370214."""
    body = f"52370214MJ{n:07d}"
    return body + uscc.calc_check_digit(body)


async def _principal(username: str) -> Principal:
    user = await UserRepository().by_username(username)
    if user is None:
        msg = f"demo user {username!r} is missing: load the demo users first"
        raise RuntimeError(msg)
    return Principal(user_id=user["id"], username=username, role=Role(user["role"]))


async def load_demo(settings: Settings) -> list[str]:
    """Load the funds demo data unless it is there; return lines to print."""
    config = fund_config().fund
    funds = FundService(settings)
    if await funds.fund_by_code(config.code):
        return ["funds demo already loaded"]
    accountant = await _principal("accountant")
    today = clock.today()

    def day(offset: int) -> dt.date:
        return today - dt.timedelta(days=offset)

    fund = await funds.create_fund(
        code=config.code,
        name=config.name,
        purpose=config.purpose,
        restriction=config.restriction,
        actor=await _principal("admin"),
    )
    await _receipts(funds, fund.id, day, accountant)
    await _applications(settings, fund.id, day, accountant)
    return [f"funds demo: fund {config.code}, 4 receipts, 1 call, {len(PLAN)} applications"]


async def _receipts(
    funds: FundService, fund_id: int, day: Callable[[int], dt.date], actor: Principal
) -> None:
    """The district's guidance grant and the enterprises' matching donations."""
    config = fund_config().fund
    await funds.record_receipt(
        fund_id,
        kind=ReceiptKind.GOVERNMENT_GRANT,
        amount_fen=config.guidance_grant_fen,
        donor=config.grantor,
        agreement="城财社〔2026〕18号",
        reference="GF-2026-0001",
        received_on=day(45),
        actor=actor,
    )
    for n, (donor, amount) in enumerate(DONATIONS, start=1):
        await funds.record_receipt(
            fund_id,
            kind=ReceiptKind.DONATION,
            amount_fen=parse_amount(amount),
            donor=donor,
            agreement=f"配捐协议-2026-{n:03d}",
            reference=f"DN-2026-{n:04d}",
            received_on=day(44 - n),
            actor=actor,
        )


async def _applications(
    settings: Settings, fund_id: int, day: Callable[[int], dt.date], accountant: Principal
) -> None:
    """One call, an application per organisation of ``PLAN``, each taken to its planned state."""
    reviewer = await _principal("accountant2")
    admin = await _principal("admin")
    applications = ApplicationService(settings)
    call = await applications.create_call(
        fund_id,
        title="2026年城阳区公益创投：困难群体帮扶项目",
        budget_fen=parse_amount("600000.00"),
        opens_on=day(40),
        closes_on=day(25),
        rule=None,
        tranche_percents=None,
        actor=accountant,
    )
    grants = GrantService(settings)
    for n, ((state, requested), name, project) in enumerate(
        zip(PLAN, ORGANISATIONS, PROJECTS, strict=True), start=1
    ):
        grantee = await applications.add_grantee(
            credit_code=demo_credit_code(n),
            name=name,
            contact_person="王主任",
            contact_phone=f"0532-8765{n:04d}",
            bank_name="青岛农商银行城阳支行",
            bank_account=f"6228 4802 0000 {n:04d}",
            actor=accountant,
        )
        requested_fen = parse_amount(requested)
        application = await applications.record_application(
            call.id,
            grantee_id=grantee.id,
            project=project,
            project_budget_fen=2 * requested_fen,
            requested_fen=requested_fen,
            pledged_fen=requested_fen,
            submitted_on=day(30),
            actor=accountant,
        )
        await applications.review(application.id, score=60 + 3 * n, notes="项目设计可行", actor=reviewer)
        if state == "under_review":
            continue
        if state == "rejected":
            await applications.reject(application.id, reason="服务对象与本期资助方向不符", actor=admin)
            continue
        grant = await applications.approve(application.id, approved_fen=requested_fen, actor=admin)
        await _advance(grants, grant.id, state, day, accountant=accountant, admin=admin)


async def _advance(
    grants: GrantService,
    grant_id: int,
    state: str,
    day: Callable[[int], dt.date],
    *,
    accountant: Principal,
    admin: Principal,
) -> None:
    """Take an approved grant through its steps up to ``state``."""
    # Long on purpose: one branch per step of a grant's life, in the order the steps happen.
    steps = (
        "committed",
        "tranche_1_paid",
        "report_submitted",
        "report_accepted",
        "paid_fully",
        "final_submitted",
        "final_accepted",
    )
    goal = {"cancelled": "committed", "returned": "final_accepted", "closed": "final_accepted"}.get(
        state, state
    )
    if goal == "agreement_pending":
        return
    for step in steps[: steps.index(goal) + 1]:
        if step == "committed":
            await grants.sign(
                grant_id, agreement=f"城慈资字〔2026〕{grant_id:03d}号", signed_on=day(20), actor=accountant
            )
        elif step in {"tranche_1_paid", "paid_fully"}:
            n = 1 if step == "tranche_1_paid" else 2
            await grants.pay_tranche(
                grant_id,
                n,
                paid_on=day(18 - 8 * (n - 1)),
                payment_ref=f"CY{grant_id:04d}{n}",
                actor=accountant,
            )
        elif step in {"report_submitted", "final_submitted"}:
            await grants.submit_report(
                grant_id,
                summary="服务开展顺利，附签到表与票据",
                submitted_on=day(14 - 8 * (step == "final_submitted")),
                actor=accountant,
            )
        else:
            report = (await grants.grants.reports(grant_id))[-1]
            await grants.accept_report(
                grant_id,
                report.id,
                final=False,
                notes="材料齐全",
                accepted_on=day(12 if step == "report_accepted" else 4),
                actor=admin,
            )
    if state == "cancelled":
        await grants.cancel(grant_id, reason="机构因场地问题无法实施项目", cancelled_on=day(15), actor=admin)
    if state == "returned":
        await grants.record_return(
            grant_id,
            amount_fen=parse_amount("3560.00"),
            returned_on=day(2),
            reference="退款-001",
            actor=accountant,
        )
    if state in {"returned", "closed"}:
        await grants.close(grant_id, actor=accountant)
