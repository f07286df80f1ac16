"""Assessment of benefit lines, pinned to the fen, and the limits used up across claims."""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

import msgspec
import pytest

from ledger.claims.domain import (
    AboveRuleAmount,
    Assessment,
    LimitLayer,
    LimitUsage,
    ReasonRequired,
    assess_line,
    lower_amount,
)
from ledger.claims.policy import BenefitHead, HeadTerms, RuleVersion
from ledger.core.errors import InvalidInput, RuleViolation

NONE_USED = LimitUsage()


def yuan(text: str) -> int:
    """Fen of a yuan amount written as a string, for readable expectations."""
    return int(Decimal(text) * 100)


def with_peril(rules: RuleVersion, peril: str, **changes: object) -> RuleVersion:
    """``rules`` with one peril's ``PerilRules`` fields changed."""
    perils = dict(rules.perils)
    perils[peril] = msgspec.structs.replace(perils[peril], **changes)
    return msgspec.structs.replace(rules, perils=MappingProxyType(perils))


def with_head(rules: RuleVersion, peril: str, head: BenefitHead, terms: HeadTerms) -> RuleVersion:
    """``rules`` with one head's terms under one peril replaced."""
    heads = dict(rules.perils[peril].heads)
    heads[head] = terms
    return with_peril(rules, peril, heads=MappingProxyType(heads))


def step(assessment: Assessment, code: str) -> tuple[int, int | None, Decimal | None, str]:
    """The (amount, value, percent, note) of the trail step ``code``."""
    found = [s for s in assessment.trail if s.code == code]
    assert len(found) == 1, [s.code for s in assessment.trail]
    s = found[0]
    return s.amount_fen, s.value_fen, s.percent, s.note


# ---- the examples


def test_disability_grade_3_on_a_100000_limit_pays_80000(rules: RuleVersion) -> None:
    a = assess_line(
        rules,
        "fire_explosion",
        "disability",
        yuan("100000.00"),
        grade=3,
        household_uplift=False,
        usage=NONE_USED,
    )
    assert a.payable_fen == yuan("80000.00") == 8_000_000
    assert a.rule_fen == a.payable_fen
    assert step(a, "limit")[1] == yuan("100000.00")
    assert step(a, "grade_ratio")[1:3] == (yuan("80000.00"), Decimal(80))
    assert a.limited_by is LimitLayer.HEAD
    assert a.grade == 3
    assert a.rule_version == "2026-01"
    assert a.trail[-1].code == "payable"
    assert a.trail[-1].amount_fen == a.payable_fen


@pytest.mark.parametrize("grade", range(1, 11))
def test_every_disability_grade_ratio(rules: RuleVersion, grade: int) -> None:
    a = assess_line(
        rules,
        "crowd_crush",
        "disability",
        yuan("100000.00"),
        grade=grade,
        household_uplift=False,
        usage=NONE_USED,
    )
    assert a.payable_fen == yuan("100000.00") * (110 - 10 * grade) // 100
    assert step(a, "grade_ratio")[2] == Decimal(110 - 10 * grade)


def test_disability_claim_below_the_graded_limit_pays_the_claim(rules: RuleVersion) -> None:
    a = assess_line(
        rules, "crowd_crush", "disability", yuan("50000.00"), grade=3, household_uplift=False, usage=NONE_USED
    )
    assert a.payable_fen == yuan("50000.00")
    assert a.limited_by is None


def test_medical_90_percent_of_30000_unreimbursed_capped_at_20000(rules: RuleVersion) -> None:
    a = assess_line(
        rules,
        "traffic_accident",
        "medical",
        yuan("45000.00"),
        unreimbursed_fen=yuan("30000.00"),
        household_uplift=False,
        usage=NONE_USED,
    )
    assert step(a, "unreimbursed")[0] == yuan("30000.00")
    assert step(a, "coinsurance")[0] == yuan("27000.00")
    assert step(a, "coinsurance")[2] == Decimal(90)
    assert a.payable_fen == yuan("20000.00")
    assert a.limited_by is LimitLayer.HEAD
    assert "cuts 27,000.00 to 20,000.00" in step(a, "head_remaining")[3]


def test_medical_rounds_half_up_to_the_fen(rules: RuleVersion) -> None:
    # 90 % of 10,000.05 = 9,000.045 -> 9,000.05 (ROUND_HALF_UP at the co-insurance step)
    a = assess_line(
        rules, "falling_object", "medical", yuan("10000.05"), household_uplift=False, usage=NONE_USED
    )
    assert a.payable_fen == yuan("9000.05") == 900_005
    assert "taken as the whole claimed amount" in step(a, "unreimbursed")[3]
    # and 90 % of 10,000.04 = 9,000.036 -> 9,000.04
    b = assess_line(
        rules, "falling_object", "medical", yuan("10000.04"), household_uplift=False, usage=NONE_USED
    )
    assert b.payable_fen == yuan("9000.04")


def test_death_pays_the_claim_up_to_the_limit(rules: RuleVersion) -> None:
    full = assess_line(
        rules, "violent_crime", "death", yuan("120000.00"), household_uplift=False, usage=NONE_USED
    )
    part = assess_line(
        rules, "violent_crime", "death", yuan("80000.00"), household_uplift=False, usage=NONE_USED
    )
    assert full.payable_fen == yuan("100000.00")
    assert full.limited_by is LimitLayer.HEAD
    assert part.payable_fen == yuan("80000.00")
    assert [s.code for s in full.trail] == [
        "claimed",
        "deductible",
        "coinsurance",
        "limit",
        "head_remaining",
        "peril_year_remaining",
        "policy_year_remaining",
        "event_remaining",
        "payable",
    ]


def test_property_and_resettlement_are_per_household(rules: RuleVersion) -> None:
    house = assess_line(
        rules,
        "natural_disaster",
        BenefitHead.PROPERTY,
        yuan("60000.00"),
        household_uplift=False,
        usage=NONE_USED,
    )
    goods = assess_line(
        rules, "natural_disaster", "resettlement", yuan("1000.00"), household_uplift=False, usage=NONE_USED
    )
    assert house.payable_fen == yuan("50000.00")
    assert goods.payable_fen == yuan("600.00")
    assert house.trail[3].label_en == "property limit per household"
    assert house.trail[3].label_cn == "每户限额"


def test_zero_claim_pays_zero(rules: RuleVersion) -> None:
    a = assess_line(rules, "terrorism", "property", 0, household_uplift=False, usage=NONE_USED)
    assert a.payable_fen == 0
    assert a.limited_by is None


# ---- uplift, deductible, co-insurance


def test_uplift_raises_the_head_limit_by_30_percent(rules: RuleVersion) -> None:
    death = assess_line(
        rules, "fire_explosion", "death", yuan("150000.00"), household_uplift=True, usage=NONE_USED
    )
    assert death.payable_fen == yuan("130000.00")
    assert death.uplift_applied
    assert step(death, "uplift")[1:3] == (yuan("130000.00"), Decimal(30))
    disability = assess_line(
        rules,
        "fire_explosion",
        "disability",
        yuan("200000.00"),
        grade=3,
        household_uplift=True,
        usage=NONE_USED,
    )
    assert disability.payable_fen == yuan("104000.00")  # 100,000 x 130 % x 80 %
    medical = assess_line(
        rules, "fire_explosion", "medical", yuan("40000.00"), household_uplift=True, usage=NONE_USED
    )
    assert medical.payable_fen == yuan("26000.00")  # 90 % of 40,000 = 36,000, cap 20,000 x 130 %


def test_uplift_switched_off_keeps_the_limit_and_says_so(rules: RuleVersion) -> None:
    off = msgspec.structs.replace(rules, uplift=msgspec.structs.replace(rules.uplift, enabled=False))
    a = assess_line(off, "fire_explosion", "death", yuan("150000.00"), household_uplift=True, usage=NONE_USED)
    assert a.payable_fen == yuan("100000.00")
    assert not a.uplift_applied
    assert "switched off" in step(a, "uplift")[3]


def test_deductible_then_coinsurance(rules: RuleVersion) -> None:
    terms = HeadTerms(
        limit_fen=yuan("50000.00"), deductible_fen=yuan("1000.00"), coinsurance_percent=Decimal(80)
    )
    custom = with_head(rules, "natural_disaster", BenefitHead.PROPERTY, terms)
    a = assess_line(
        custom, "natural_disaster", "property", yuan("11000.00"), household_uplift=False, usage=NONE_USED
    )
    assert step(a, "deductible")[:2] == (yuan("10000.00"), yuan("1000.00"))
    assert a.payable_fen == yuan("8000.00")
    small = assess_line(
        custom, "natural_disaster", "property", yuan("999.99"), household_uplift=False, usage=NONE_USED
    )
    assert small.payable_fen == 0


def test_peril_override_gives_heroic_act_a_higher_medical_cap(rules: RuleVersion) -> None:
    a = assess_line(
        rules, "heroic_act", "medical", yuan("100000.00"), household_uplift=False, usage=NONE_USED
    )
    assert a.payable_fen == yuan("60000.00")


# ---- limits used up across claims


def test_peril_year_limit_exhausted_across_four_claims(rules: RuleVersion) -> None:
    small = with_peril(rules, "fire_explosion", per_peril_year_fen=yuan("100000.00"))
    usage = LimitUsage()
    paid = []
    for _victim in range(4):  # four different people, one death claim each
        a = assess_line(
            small, "fire_explosion", "death", yuan("40000.00"), household_uplift=False, usage=usage
        )
        paid.append(a)
        usage = usage.plus(a.payable_fen, same_head=False, same_household=False)
    assert [a.payable_fen for a in paid] == [yuan("40000.00"), yuan("40000.00"), yuan("20000.00"), 0]
    assert [a.limited_by for a in paid] == [None, None, LimitLayer.PERIL_YEAR, LimitLayer.PERIL_YEAR]
    amount, remaining, _, note = step(paid[2], "peril_year_remaining")
    assert (amount, remaining) == (yuan("20000.00"), yuan("20000.00"))
    assert note == "limit 100,000.00 - used 80,000.00 = 20,000.00; cuts 40,000.00 to 20,000.00"
    assert step(paid[3], "peril_year_remaining")[3] == (
        "limit 100,000.00 - used 100,000.00 = 0.00; peril_year limit exhausted; cuts 40,000.00 to 0.00"
    )
    exhausted = next(s for s in paid[3].trail if s.code == "peril_year_remaining")
    assert (
        exhausted.note_cn
        == "限额 100,000.00 − 已使用 100,000.00 = 0.00；该限额已用完；由 40,000.00 调减至 0.00"
    )
    assert usage.peril_year_fen == yuan("100000.00")
    # together the four claims use the peril's yearly limit exactly, never more
    assert sum(a.payable_fen for a in paid) == small.perils["fire_explosion"].per_peril_year_fen


def test_person_head_limit_carries_over_between_claims_of_one_person(rules: RuleVersion) -> None:
    first = assess_line(
        rules, "fire_explosion", "medical", yuan("16666.67"), household_uplift=False, usage=NONE_USED
    )
    assert first.payable_fen == yuan("15000.00")  # 90 % of 16,666.67 = 15,000.003 -> 15,000.00
    second = assess_line(
        rules,
        "fire_explosion",
        "medical",
        yuan("10000.00"),
        household_uplift=False,
        usage=NONE_USED.plus(first.payable_fen),
    )
    assert second.payable_fen == yuan("5000.00")
    assert second.limited_by is LimitLayer.HEAD
    third = assess_line(
        rules,
        "fire_explosion",
        "medical",
        yuan("10000.00"),
        household_uplift=False,
        usage=NONE_USED.plus(first.payable_fen).plus(second.payable_fen),
    )
    assert third.payable_fen == 0
    assert "head limit exhausted" in step(third, "head_remaining")[3]


def test_household_limit_when_configured(rules: RuleVersion) -> None:
    capped = msgspec.structs.replace(rules, per_household_event_fen=yuan("120000.00"))
    used = LimitUsage(household_fen=yuan("100000.00"))
    a = assess_line(
        capped, "natural_disaster", "property", yuan("50000.00"), household_uplift=False, usage=used
    )
    assert a.payable_fen == yuan("20000.00")
    assert a.limited_by is LimitLayer.HOUSEHOLD
    assert step(a, "household_remaining")[1] == yuan("20000.00")


def test_policy_year_limit_is_the_last_cap(rules: RuleVersion) -> None:
    used = LimitUsage(policy_year_fen=yuan("79990000.00"))
    a = assess_line(rules, "natural_disaster", "death", yuan("100000.00"), household_uplift=False, usage=used)
    assert a.payable_fen == yuan("10000.00")
    assert a.limited_by is LimitLayer.POLICY_YEAR


def test_event_limit_is_reported_not_applied_per_line(rules: RuleVersion) -> None:
    used = LimitUsage(event_fen=yuan("39950000.00"))
    a = assess_line(rules, "natural_disaster", "death", yuan("100000.00"), household_uplift=False, usage=used)
    assert a.payable_fen == yuan("100000.00")
    assert a.exceeds_event_limit
    assert step(a, "event_remaining")[1] == yuan("50000.00")
    assert "scale back" in step(a, "event_remaining")[3]
    b = assess_line(
        rules, "natural_disaster", "death", yuan("100000.00"), household_uplift=False, usage=NONE_USED
    )
    assert not b.exceeds_event_limit


# ---- bad input


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"peril": "earthquake"}, "peril"),
        ({"peril": "heroic_act", "head": "property"}, "head"),
        ({"head": "funeral"}, "head"),
        ({"claimed_fen": -1}, "claimed"),
        ({"claimed_fen": Decimal("100.00")}, "claimed"),
        ({"head": "disability", "grade": None}, "grade"),
        ({"head": "disability", "grade": 0}, "grade"),
        ({"head": "disability", "grade": 11}, "grade"),
        ({"head": "disability", "grade": "3"}, "grade"),
        ({"head": "disability", "grade": True}, "grade"),
        ({"head": "death", "grade": 3}, "grade"),
        ({"head": "death", "unreimbursed_fen": 100}, "unreimbursed"),
        ({"head": "medical", "unreimbursed_fen": -5}, "unreimbursed"),
        ({"head": "medical", "unreimbursed_fen": yuan("100000.01")}, "unreimbursed"),
        ({"usage": LimitUsage(event_fen=-1)}, "usage"),
    ],
)
def test_bad_input_is_invalid_input_naming_the_field(
    rules: RuleVersion, kwargs: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {
        "peril": "fire_explosion",
        "head": "death",
        "claimed_fen": yuan("100000.00"),
        "household_uplift": False,
        "usage": NONE_USED,
    } | kwargs
    with pytest.raises(InvalidInput) as info:
        assess_line(rules, **args)  # type: ignore[arg-type]
    assert info.value.field == field


# ---- lowering by the adjuster


def test_lower_amount_with_a_reason_and_never_above_the_rule(rules: RuleVersion) -> None:
    a = assess_line(
        rules, "fire_explosion", "death", yuan("100000.00"), household_uplift=False, usage=NONE_USED
    )
    lowered = lower_amount(a, yuan("90000.00"), "  funeral costs partly paid by employer ")
    assert lowered.payable_fen == yuan("90000.00")
    assert lowered.rule_fen == yuan("100000.00")
    assert lowered.lowered
    assert lowered.lowered_reason == "funeral costs partly paid by employer"
    assert lowered.trail[-1].code == "lowered"
    assert lowered.trail[-1].amount_fen == yuan("90000.00")
    assert not a.lowered
    # may go back up to the rule amount, never above it
    assert lower_amount(lowered, yuan("100000.00"), "employer payment reversed").payable_fen == yuan(
        "100000.00"
    )
    with pytest.raises(AboveRuleAmount) as info:
        lower_amount(lowered, yuan("100000.01"), "more")
    assert isinstance(info.value, RuleViolation)
    assert info.value.field == "amount"
    assert info.value.rule == "at most the rule amount 100,000.00"
    with pytest.raises(ReasonRequired) as reason:
        lower_amount(a, yuan("1.00"), "   ")
    assert reason.value.field == "reason"
    with pytest.raises(InvalidInput) as negative:
        lower_amount(a, -1, "x")
    assert negative.value.field == "amount"
