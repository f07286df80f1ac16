"""Demo data of the claims domain: the 2026 premium, events under all 10 perils and claims in every
status, made through the service by the demo users (so every row has its transitions, audit rows and
journal entries). Reproducible: a fixed random seed."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from faker import Faker
from stdnum.cn import ric

from ledger.claims.repository import ClaimRepository
from ledger.claims.schemas import ClaimCreate, LineIn
from ledger.claims.service import ClaimsService
from ledger.config import Settings
from ledger.platform.domain import Principal, Role
from ledger.platform.repository import UserRepository

AREA = "370214"  # 青岛市城阳区
CLAIMS_PER_PERIL = 6
STOPS = (
    "registered",
    "documents_pending",
    "under_review",
    "assessed",
    "approved",
    "rejected",
    "partly_paid",
    "paid",
    "closed",
    "withdrawn",
)
"""Where demo claims stop, in turn, so every status appears under several perils."""

PLACES = ("正阳路", "长城路", "青威路", "黑龙江中路", "春阳路", "仙山东路", "重庆北路", "鲁邦路")
AMOUNTS = {
    "death": ("100000.00",),
    "disability": ("100000.00",),
    "medical": ("8650.40", "15230.00", "31200.55", "4380.20"),
    "property": ("23800.00", "50000.00", "12650.00"),
    "resettlement": ("600.00",),
}


def resident_id(rng: random.Random) -> str:
    """A valid Chengyang resident ID: area code, birth date, sequence, check character."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 65))
    body = f"{AREA}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


async def _principal(users: UserRepository, name: str) -> Principal:
    row = await users.by_username(name)
    if row is None:
        msg = f"demo user {name!r} is missing: load the demo users first"
        raise RuntimeError(msg)
    return Principal(user_id=int(row["id"]), username=name, role=Role(row["role"]))


async def load_demo(settings: Settings) -> list[str]:
    """Load the claims demo data unless it is there; return lines to print."""
    if await ClaimRepository().count_numbered("CL-"):
        return ["claims demo: already loaded"]
    users = UserRepository()
    names = ("adjuster", "adjuster2", "approver", "approver2", "accountant")
    actors = {name: await _principal(users, name) for name in names}
    service = ClaimsService(settings)
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not a secret
    fake = Faker("zh_CN")
    fake.seed_instance(2026)
    year = service.policy.policy_years[0]
    await service.record_premium(
        actors["accountant"],
        year.code,
        f"{year.premium_fen // 100}.00",
        year.starts + dt.timedelta(days=14),
        f"PREM-{year.code}-01",
    )
    counts: dict[str, int] = dict.fromkeys(STOPS, 0)
    n = 0
    for peril in service.policy.perils:
        incident = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(300))
        event = await service.create_event(
            actors["adjuster"],
            incident_date=incident,
            street=rng.choice(service.policy.district.streets),
            place=f"{rng.choice(PLACES)}{rng.randrange(1, 300)}号",
            peril=peril.code,
            authority=f"城阳区{peril.authority}",
            certificate_no=f"CY{incident:%Y%m%d}-{rng.randrange(1000):03d}",
            description=f"{peril.cn}：{fake.sentence()}",
        )
        for _ in range(CLAIMS_PER_PERIL):
            stop = STOPS[n % len(STOPS)]
            n += 1
            await _claim(service, actors, event.event_no, peril.heads, stop, rng, fake)
            counts[stop] += 1
    return [
        f"claims demo: premium {year.code}, {len(service.policy.perils)} events, {n} claims ("
        + ", ".join(f"{status} {count}" for status, count in counts.items())
        + ")"
    ]


async def _claim(
    service: ClaimsService,
    actors: dict[str, Principal],
    event_no: str,
    heads: tuple[str, ...],
    stop: str,
    rng: random.Random,
    fake: Faker,
) -> None:
    head = rng.choice([h for h in heads if h != "death"] or list(heads))
    line: dict[str, Any] = {"head": head, "claimed": rng.choice(AMOUNTS[head])}
    if head == "disability":
        line["grade"] = rng.randrange(5, 11)
    victim = resident_id(rng)
    name = fake.name()
    complete = stop not in ("registered", "documents_pending")
    data = ClaimCreate(
        event_no=event_no,
        claimant_name=name,
        claimant_relation="self",
        claimant_id=victim,
        victim_name=name,
        victim_id=victim,
        bank_name=rng.choice(("青岛农商银行", "中国工商银行城阳支行", "中国建设银行城阳支行")),
        bank_account="62" + "".join(str(rng.randrange(10)) for _ in range(17)),
        lines=[LineIn(**line)],
        household_status=rng.choice(("normal", "normal", "normal", "dibao", "tekun")),
        documents=list(service.policy.documents) if complete else ["claim_form"],
    )
    adjuster, assessor = rng.sample([actors["adjuster"], actors["adjuster2"]], 2)
    claim_no = (await service.register(adjuster, data))["claim_no"]
    if stop == "registered":
        return
    if stop == "documents_pending":
        await service.request_documents(adjuster, claim_no)
        return
    if stop == "withdrawn":
        await service.withdraw(adjuster, claim_no, "申请人撤回")
        return
    if stop == "under_review":
        return
    if stop == "rejected":
        await service.reject(actors["approver"], claim_no, "liable_third_party", "肇事方有赔偿能力")
        return
    claim = await service.assess(assessor, claim_no, [])
    if stop == "assessed":
        return
    claim = await service.approve(actors["approver"], claim_no, "同意")
    if claim["status"] != "approved":
        claim = await service.approve(actors["approver2"], claim_no, "复核同意")
    if stop == "approved" or int(claim["approved_fen"]) == 0:
        return
    accountant = actors["accountant"]
    if stop == "partly_paid" and int(claim["approved_fen"]) > 1:
        await service.pay(accountant, claim_no, "advance", f"{int(claim['approved_fen']) // 200}.00", None)
        return
    await service.pay(accountant, claim_no, "final", None, None)
    if stop == "closed":
        await service.close(adjuster, claim_no, "赔付完毕")
