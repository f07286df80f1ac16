"""Demo data of the relief domain: households in the district's six streets, 低保 households (some with
income, some with pupils on 爱心午餐), 特困 people, and the twelve months up to this one paid through the
services by the demo users: drafted, approved, issued to the bank and returned. One month's bank line
fails and is paid in the next file once the account is corrected; one death is reported after its month
was paid and becomes a receivable. Reproducible: a fixed random seed.

The months are replayed in order: the clock is stopped on the 5th of each month while it is made (as
the bureau would have done it then; ``moments``), never later than now, and released at the end.
"""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker
from stdnum.cn import ric

from ledger.config import Settings
from ledger.core import clock
from ledger.core.money import format_amount
from ledger.platform.domain import Principal, Role
from ledger.platform.repository import UserRepository
from ledger.relief.domain import Month, months
from ledger.relief.repository import HouseholdRepository
from ledger.relief.schemas import HouseholdCreate, HouseholdUpdate, MemberIn
from ledger.relief.service import ReliefService

AREA = "370214"  # 青岛市城阳区
STREETS = ("城阳街道", "流亭街道", "夏庄街道", "惜福镇街道", "棘洪滩街道", "上马街道")
DIBAO_HOUSEHOLDS = 120
TEKUN_PEOPLE = 26
FAILED_MONTH = 1
"""The month (counted from 0) whose bank file fails one line."""
FAILING_HOUSEHOLD = "HH000003"
DEATH_MONTH = 9
"""The month (counted from 0) in which the death of a 特困 person last month is reported."""


def _resident_id(rng: random.Random, born_from: int, years: int) -> str:
    birth = dt.date(born_from, 1, 1) + dt.timedelta(days=rng.randrange(365 * years))
    body = f"{AREA}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


async def _principal(users: UserRepository, name: str) -> Principal:
    row = await users.by_username(name)
    if row is None:
        msg = f"demo user {name!r} is missing: load the demo users first"
        raise RuntimeError(msg)
    return Principal(user_id=int(row["id"]), username=name, role=Role(row["role"]))


def _household(rng: random.Random, fake: Faker, size: int, *, tekun: bool) -> HouseholdCreate:
    members = []
    seen: set[str] = set()
    for index in range(size):
        pupil = not tekun and index > 0 and rng.random() < 0.3
        number = _resident_id(rng, 2010 if pupil else 1940, 8 if pupil else 50)
        while number in seen:
            number = _resident_id(rng, 2010 if pupil else 1940, 8 if pupil else 50)
        seen.add(number)
        members.append(
            MemberIn(
                resident_id=number,
                name=fake.name(),
                relation="self" if index == 0 else ("child" if pupil else "spouse"),
                joined_on=dt.date(2015, 1, 1),
                urban=rng.random() < 0.6,
                able=not tekun or rng.random() < 0.4,
                categories=["pupil"] if pupil else (["severe_disability"] if rng.random() < 0.08 else []),
            )
        )
    income = 0 if tekun or rng.random() < 0.5 else rng.randrange(100, 500 * size) * 100
    return HouseholdCreate(
        street=rng.choice(STREETS),
        community=f"{fake.street_name()}社区",
        address=fake.street_address(),
        members=members,
        bank_code="qdrcb",
        bank_account=f"62284800{rng.randrange(10**8):08d}",
        bank_holder=members[0].name,
        monthly_income=f"{income // 100}.00",
    )


def moments(now: dt.datetime) -> list[dt.datetime]:
    """When the demo's year is made: the households on the 2nd of the first of the twelve months up to
    ``now``'s, then each month on its 5th at 09:00, or at ``now`` if that is still to come."""
    last = Month.of(now.date())
    first = months(Month(last.year - 1, last.month), last)[1]
    zone = now.tzinfo
    registered = dt.datetime(first.year, first.month, 2, 9, 0, tzinfo=zone)
    monthly = [dt.datetime(m.year, m.month, 5, 9, 0, tzinfo=zone) for m in months(first, last)]
    return [min(moment, now) for moment in (registered, *monthly)]


async def load_demo(settings: Settings) -> list[str]:
    """Load the relief demo unless it is there; return lines to print."""
    if await HouseholdRepository().count():
        return ["relief demo: already loaded"]
    users = UserRepository()
    actors = {n: await _principal(users, n) for n in ("caseworker", "officer", "officer2", "accountant")}
    service = ReliefService(settings)
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not a secret
    fake = Faker("zh_CN")
    fake.seed_instance(2026)
    now = clock.local_now()
    last = Month.of(now.date())
    first = months(Month(last.year - 1, last.month), last)[1]
    registered, *monthly = moments(now)
    try:
        clock.pin(registered)
        await _register(service, actors, rng, fake, first)
        statement = ["date,amount,reference,description"]
        for index, (month, moment) in enumerate(zip(months(first, last), monthly, strict=True)):
            clock.pin(moment)
            await _month(service, actors, month, index, statement)
        await service.import_statement(actors["accountant"], "\n".join(statement) + "\n")
    finally:
        clock.configure(settings.timezone)
    return [
        f"relief demo: {DIBAO_HOUSEHOLDS} 低保 households, {TEKUN_PEOPLE} 特困 people, "
        f"cycles {first}..{last} paid (one bank line failed and reissued, one death with an overpayment), "
        "the account statement imported"
    ]


async def _register(
    service: ReliefService, actors: dict[str, Principal], rng: random.Random, fake: Faker, first: Month
) -> None:
    for index in range(DIBAO_HOUSEHOLDS + TEKUN_PEOPLE):
        tekun = index >= DIBAO_HOUSEHOLDS
        state = await service.register(
            actors["caseworker"], _household(rng, fake, 1 if tekun else rng.randint(1, 4), tekun=tekun)
        )
        number = state.household.household_no
        programmes = ["tekun"] if tekun else ["dibao"]
        if any("pupil" in m.categories for m in state.members):
            programmes.append("school_lunch")
        for code in programmes:
            enrolment = await service.apply(actors["caseworker"], number, code)
            await service.approve(actors["officer"], enrolment.enrolment_no, str(first))


async def _month(
    service: ReliefService, actors: dict[str, Principal], month: Month, index: int, statement: list[str]
) -> None:
    """One month: draft, approve, fund, issue, read the return; the story's events on their months."""
    tekun_no = f"HH{DIBAO_HOUSEHOLDS + 1:06d}"
    if index == FAILED_MONTH + 1:  # the account closed last month is corrected, and the row reissued
        await service.update(
            actors["caseworker"],
            FAILING_HOUSEHOLD,
            HouseholdUpdate(
                effective_on=clock.today(), reason="原账户已销户，更换银行卡", bank_account="6228480099990003"
            ),
        )
    await service.draft_month(str(month))
    total = 0
    for code in service.config.programmes:
        total += (await service.approve_cycle(actors["officer2"], code, str(month))).cycle.declared_fen
    reference = f"财拨{month}"
    funded = -(-total // 1_000_000) * 1_000_000  # district finance sends whole ten thousands
    await service.record_appropriation(actors["accountant"], format_amount(funded), clock.today(), reference)
    statement.append(f"{clock.today()},{format_amount(funded)},{reference},财政拨款")
    issued = await service.issue(actors["accountant"], "qdrcb")
    rows = await service.cycles.rows_by_ids([r.row for r in issued.rows])
    failing = {
        r.row_no
        for r in issued.rows
        if index == FAILED_MONTH and rows[r.row].household_no == FAILING_HOUSEHOLD
    }
    answers = "".join(
        f"{r.row_no},failed,账户已销户\n" if r.row_no in failing else f"{r.row_no},paid,\n"
        for r in issued.rows
    )
    await service.import_returns(
        actors["accountant"], issued.file.file_no, "row_no,result,reason\n" + answers
    )
    paid = sum(r.amount_fen for r in issued.rows if r.row_no not in failing)
    statement.append(f"{clock.today()},-{format_amount(paid)},{issued.file.file_no},批量代发")
    if index == DEATH_MONTH:  # a death on the 20th of last month, reported after this month was paid
        state = await service.household(tekun_no)
        died = Month(month.year, month.month - 1) if month.month > 1 else Month(month.year - 1, 12)
        await service.member_left(
            actors["caseworker"],
            tekun_no,
            state.members[0].resident_id,
            died.start.replace(day=20),
            died=True,
        )
