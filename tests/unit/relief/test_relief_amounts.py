"""The monthly amounts of each programme to the fen, month by month through a year: with and without
income, urban and rural, able and unable to look after themselves, members joining and leaving mid-year,
a rate changing mid-year, and the eligibility reasons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ledger.config.loader import ConfigError
from ledger.core.errors import FourEyesViolation, IllegalTransition, InvalidInput
from ledger.relief.domain import (
    EnrolmentAction,
    Household,
    Member,
    Month,
    Pause,
    check_effective_month,
    check_eligibility,
    check_four_eyes,
    enrolment_move,
    monthly_amount,
    months,
    overpaid,
    pays_in,
    settled_status,
)
from ledger.relief.errors import EffectiveMonthTooEarly, NotEligible
from ledger.relief.programmes import DEFAULT_RELIEF_FILE, ReliefConfig, load_relief_config

YEAR = months(Month(2026, 1), Month(2026, 12))


@pytest.fixture
def config() -> ReliefConfig:
    return load_relief_config()


def member(
    n: int,
    *,
    urban: bool = True,
    able: bool = True,
    categories: tuple[str, ...] = (),
    joined: dt.date = dt.date(2020, 1, 1),
    left: dt.date | None = None,
) -> Member:
    return Member(f"ID{n}", f"成员{n}", urban, able, frozenset(categories), joined, left)


def household(*members: Member, income: int = 0, rigid: int = 0) -> Household:
    return Household("HH-1", members, income, rigid)


def year_of(config: ReliefConfig, code: str, home: Household) -> list[int]:
    return [monthly_amount(config.programme(code), home, m).fen for m in YEAR]


def test_dibao_without_income_is_660_a_member(config: ReliefConfig) -> None:
    assert year_of(config, "dibao", household(member(1))) == [66000] * 12
    assert year_of(config, "dibao", household(member(1), member(2), member(3))) == [198000] * 12


def test_dibao_with_income_pays_the_gap_to_the_fen(config: ReliefConfig) -> None:
    home = household(member(1), member(2), member(3), income=123456)  # 1,234.56 a month
    amount = monthly_amount(config.programme("dibao"), home, Month(2026, 5))
    assert amount.fen == 198000 - 123456 == 74544
    assert [(p.code, p.fen, p.count) for p in amount.parts] == [
        ("standard", 198000, 3),
        ("income", -123456, 0),
    ]


def test_dibao_income_at_or_above_the_line_pays_nothing_not_even_supplements(config: ReliefConfig) -> None:
    dibao = config.programme("dibao")
    disabled = member(1, categories=("severe_disability",))
    assert monthly_amount(dibao, household(disabled, income=66000), Month(2026, 1)).fen == 0
    assert monthly_amount(dibao, household(disabled, income=70000), Month(2026, 1)).fen == 0
    assert monthly_amount(dibao, household(disabled, income=65999), Month(2026, 1)).fen == 1 + 10000


def test_dibao_supplements_per_member_in_each_category(config: ReliefConfig) -> None:
    home = household(
        member(1, categories=("severe_disability", "aged_80")),
        member(2, categories=("severe_disability",)),
        member(3),
        income=50000,
    )
    amount = monthly_amount(config.programme("dibao"), home, Month(2026, 7))
    assert amount.fen == 198000 - 50000 + 5000 + 2 * 10000 == 173000
    assert [p.code for p in amount.parts] == [
        "standard",
        "income",
        "supplement:aged_80",
        "supplement:severe_disability",
    ]


def test_tekun_basic_and_care_urban_rural_able_unable(config: ReliefConfig) -> None:
    cases = [
        (household(member(1)), 99000),
        (household(member(1, able=False)), 99000 + 120000),
        (household(member(1, urban=False, able=False)), 99000 + 90000),
        (household(member(1, urban=False)), 99000),
        (
            household(member(1, able=False), member(2, urban=False, able=False), member(3)),
            3 * 99000 + 120000 + 90000,
        ),
    ]
    for home, expected in cases:
        assert year_of(config, "tekun", home) == [expected] * 12


def test_tekun_ignores_income(config: ReliefConfig) -> None:
    assert (
        monthly_amount(config.programme("tekun"), household(member(1), income=50000), Month(2026, 1)).fen
        == 99000
    )


def test_member_joining_and_leaving_mid_year_counts_from_and_up_to_their_month(config: ReliefConfig) -> None:
    home = household(
        member(1),
        member(2, joined=dt.date(2026, 4, 20)),  # counts from April
        member(3, left=dt.date(2026, 9, 3)),  # died in September: counts up to September
        income=10000,
    )
    expected = [2 * 66000 - 10000] * 3 + [3 * 66000 - 10000] * 6 + [2 * 66000 - 10000] * 3
    assert year_of(config, "dibao", home) == expected
    assert sum(expected) == 1_860_000  # 18,600.00 for the year


def test_joining_and_leaving_in_one_month_counts_that_month(config: ReliefConfig) -> None:
    home = household(member(1, joined=dt.date(2026, 6, 1), left=dt.date(2026, 6, 30)))
    assert year_of(config, "tekun", home) == [0] * 5 + [99000] + [0] * 6


def test_school_lunch_pays_per_pupil(config: ReliefConfig) -> None:
    home = household(member(1), member(2, categories=("pupil",)), member(3, categories=("pupil",)))
    assert year_of(config, "school_lunch", home) == [30000] * 12


def _with_rates(tmp_path: Path, rates: str) -> ReliefConfig:
    text = DEFAULT_RELIEF_FILE.read_text(encoding="utf-8")
    text = text.replace('[[programmes.rates]]\nfrom = 2017-01-01\nstandard = "660.00"\n', rates, 1)
    path = tmp_path / "relief.toml"
    path.write_text(text, encoding="utf-8")
    return load_relief_config(path)


def test_a_rate_change_mid_year_applies_from_its_month(tmp_path: Path) -> None:
    config = _with_rates(
        tmp_path,
        '[[programmes.rates]]\nfrom = 2017-01-01\nstandard = "660.00"\n\n'
        '[[programmes.rates]]\nfrom = 2026-07-01\nstandard = "700.50"\n',
    )
    home = household(member(1), member(2), income=1)
    assert year_of(config, "dibao", home) == [131999] * 6 + [140099] * 6
    first = monthly_amount(config.programme("dibao"), home, Month(2026, 7))
    assert first.rate_from == dt.date(2026, 7, 1)


@pytest.mark.parametrize(
    ("rates", "key", "rule"),
    [
        (
            '[[programmes.rates]]\nfrom = 2017-01-15\nstandard = "660.00"\n',
            "programmes[0].rates[0].from",
            "first of a month",
        ),
        (
            "[[programmes.rates]]\nfrom = 2017-01-01\nstandard = 660\n",
            "programmes[0].rates[0].standard",
            "never a TOML number",
        ),
        (
            '[[programmes.rates]]\nfrom = 2018-01-01\nstandard = "660.00"\n\n'
            '[[programmes.rates]]\nfrom = 2017-01-01\nstandard = "1.00"\n',
            "programmes[0].rates[1].from",
            "after the rate before",
        ),
    ],
)
def test_bad_rates_are_refused_naming_the_key(tmp_path: Path, rates: str, key: str, rule: str) -> None:
    with pytest.raises(ConfigError) as refused:
        _with_rates(tmp_path, rates)
    assert refused.value.key == key
    assert rule in refused.value.rule


def test_a_month_before_the_first_rate_is_refused(config: ReliefConfig) -> None:
    with pytest.raises(InvalidInput) as refused:
        monthly_amount(config.programme("dibao"), household(member(1)), Month(2016, 12))
    assert refused.value.field == "month"


def test_eligibility_gives_every_reason(config: ReliefConfig) -> None:
    dibao, tekun = config.programme("dibao"), config.programme("tekun")
    poor = household(member(1), member(2), income=100000)
    ok = check_eligibility(dibao, poor, Month(2026, 12), test=config.expenditure_test)
    assert ok.eligible
    assert [r.rule for r in ok.reasons] == [
        "members",
        "income_test",
        "one_household_per_person",
        "one_subsistence_programme",
    ]
    assert ok.reasons[1].detail == "monthly income 1000.00 < 660.00 x 2 = 1320.00"
    clash = check_eligibility(
        dibao, poor, Month(2026, 12), test=config.expenditure_test, elsewhere=["ID2"], enrolled_in=[tekun]
    )
    assert [(r.rule, r.passed) for r in clash.reasons][2:] == [
        ("one_household_per_person", False),
        ("one_subsistence_programme", False),
    ]
    with pytest.raises(NotEligible) as refused:
        clash.refuse_unless_eligible()
    assert refused.value.rule == "one_household_per_person"
    assert "already enrolled in tekun" in refused.value.message


def test_expenditure_test_lets_in_a_household_above_the_line_with_rigid_spending(
    config: ReliefConfig,
) -> None:
    dibao = config.programme("dibao")
    # 1,400.00 a month for 2: above 1,320.00; 12 months 16,800.00 - medical 1,000.01 = 15,799.99 < 15,840.00
    home = household(member(1), member(2), income=140000, rigid=100001)
    check = check_eligibility(dibao, home, Month(2026, 12), test=config.expenditure_test)
    assert check.eligible
    assert check.reasons[1].rule == "expenditure_test"
    assert check.reasons[1].detail == (
        "12 months' income 16800.00 - rigid spending 1000.01 = 15799.99 < 1320.00 x 12"
    )
    short = household(member(1), member(2), income=140000, rigid=96000)  # 15,840.00: not below
    assert not check_eligibility(dibao, short, Month(2026, 12), test=config.expenditure_test).eligible


def test_school_lunch_needs_a_pupil(config: ReliefConfig) -> None:
    lunch = config.programme("school_lunch")
    check = check_eligibility(lunch, household(member(1)), Month(2026, 12), test=config.expenditure_test)
    assert [(r.rule, r.passed) for r in check.reasons if not r.passed] == [("category", False)]
    dibao = config.programme("dibao")
    both = check_eligibility(
        lunch,
        household(member(1, categories=("pupil",))),
        Month(2026, 12),
        test=config.expenditure_test,
        enrolled_in=[dibao],
    )
    assert both.eligible


def test_enrolment_pays_from_effective_month_to_its_last_month_except_pauses() -> None:
    paid = [
        m
        for m in YEAR
        if pays_in(
            m, effective=Month(2026, 3), last=Month(2026, 10), pauses=[Pause(Month(2026, 5), Month(2026, 7))]
        )
    ]
    assert [str(m) for m in paid] == ["2026-03", "2026-04", "2026-07", "2026-08", "2026-09", "2026-10"]
    still = [
        m for m in YEAR if pays_in(m, effective=Month(2026, 11), last=None, pauses=[Pause(Month(2026, 12))])
    ]
    assert still == [Month(2026, 11)]


def test_overpaid_is_what_was_paid_after_the_last_month_above_what_is_due() -> None:
    paid = [(m, 132000) for m in YEAR[:9]]
    assert overpaid(paid, {}, Month(2026, 6)) == 3 * 132000
    assert overpaid(paid, {}, Month(2026, 9)) == 0
    one_member_left = dict.fromkeys(YEAR, 66000)
    assert overpaid(paid, one_member_left, Month(2026, 6)) == 3 * 66000


def test_enrolment_moves_and_four_eyes() -> None:
    assert enrolment_move("applied", EnrolmentAction.APPROVE) == "active"
    assert enrolment_move("suspended", EnrolmentAction.TERMINATE) == "terminated"
    with pytest.raises(IllegalTransition) as refused:
        enrolment_move("terminated", EnrolmentAction.RESUME)
    assert refused.value.rule == "resume from suspended"
    with pytest.raises(FourEyesViolation):
        check_four_eyes("caseworker", "caseworker", "enrolment")
    check_four_eyes("caseworker", "officer", "enrolment")
    with pytest.raises(EffectiveMonthTooEarly):
        check_effective_month(Month(2026, 11), dt.date(2026, 12, 1))
    assert check_effective_month(Month(2027, 1), dt.date(2026, 12, 1)) == Month(2027, 1)


@pytest.mark.parametrize(
    ("current", "rows", "failed", "after"),
    [
        ("issued", ["paid", "paid"], 0, "paid"),
        ("issued", ["paid", "withheld"], 0, "paid"),
        ("approved", ["withheld", "payable"], 0, "approved"),  # a row withheld before any bank file
        ("issued", ["paid", "payable"], 1, "partly_failed"),
        ("partly_failed", ["paid", "in_file"], 0, "issued"),  # the failed row is in a new file
        ("issued", ["paid", "in_file"], 0, "issued"),
    ],
)
def test_cycle_status_follows_its_rows(current: str, rows: list[str], failed: int, after: str) -> None:
    assert settled_status(current, rows, failed) == after


@pytest.mark.parametrize("text", ["2026-13", "2026-3", "26-03", "1999-01", ""])
def test_bad_months_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Month.parse(text, field="month")
    assert refused.value.field == "month"
