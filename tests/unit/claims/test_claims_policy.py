"""The policy configuration: the shipped defaults, rule versions by date, and refusal of bad files."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal

import pytest

from ledger.claims.policy import (
    DEFAULT_POLICY_FILE,
    BenefitHead,
    PolicyConfig,
    RuleVersion,
    load_policy,
)
from ledger.config.loader import ConfigError
from ledger.core.errors import InvalidInput
from tests.unit.claims.conftest import WritePolicy

BRIEF_PERILS = {
    "natural_disaster": "自然灾害救助",
    "fire_explosion": "火灾爆炸救助",
    "heroic_act": "见义勇为救助",
    "crowd_crush": "拥挤踩踏救助",
    "infectious_disease": "传染病救助",
    "terrorism": "恐怖活动救助",
    "mental_patient_injury": "精神病人伤人救助",
    "violent_crime": "重大恶性案件救助",
    "falling_object": "高空坠物伤人救助",
    "traffic_accident": "交通事故救助",
}

HEROIC_MEDICAL = "[rule_versions.perils.heroic_act.heads.medical]"
SECOND_VERSION = """
[[rule_versions]]
version = "2026-07"
effective_from = 2026-07-01
[rule_versions.heads.death]
limit = "150000.00"
"""


def yuan(text: str) -> int:
    """Fen of a yuan amount written as a string, for readable expectations."""
    return int(Decimal(text) * 100)


# ---- the shipped file


def test_shipped_policy_has_exactly_the_ten_perils_of_the_brief(policy: PolicyConfig) -> None:
    assert {p.code: p.cn for p in policy.perils} == BRIEF_PERILS
    assert len(policy.perils) == 10
    assert all(p.en and p.authority for p in policy.perils)


def test_every_peril_account_is_in_the_chart_of_accounts(policy: PolicyConfig) -> None:
    chart = tomllib.loads((DEFAULT_POLICY_FILE.parent / "accounts.toml").read_text(encoding="utf-8"))
    names = {a["name"] for a in chart["accounts"]}
    claims_accounts = {n for n in names if n.startswith("Expenses:Insurance:Claims:")}
    assert {p.account for p in policy.perils} == claims_accounts
    assert policy.peril("fire_explosion").account == "Expenses:Insurance:Claims:FireExplosion"


def test_shipped_limits_are_the_brief_defaults_in_fen(rules: RuleVersion) -> None:
    fire = rules.perils["fire_explosion"].heads
    assert fire[BenefitHead.DEATH].limit_fen == yuan("100000.00")
    assert fire[BenefitHead.DISABILITY].limit_fen == yuan("100000.00")
    assert fire[BenefitHead.MEDICAL].limit_fen == yuan("20000.00")
    assert fire[BenefitHead.MEDICAL].coinsurance_percent == Decimal(90)
    assert fire[BenefitHead.PROPERTY].limit_fen == yuan("50000.00")
    assert fire[BenefitHead.RESETTLEMENT].limit_fen == yuan("600.00")
    for terms in fire.values():
        assert terms.deductible_fen == 0
    assert fire[BenefitHead.DEATH].coinsurance_percent == Decimal(100)
    assert rules.per_event_fen == yuan("40000000.00")
    assert rules.per_policy_year_fen == yuan("80000000.00")
    assert rules.perils["fire_explosion"].per_peril_year_fen == yuan("40000000.00")
    assert rules.per_household_event_fen is None
    assert rules.uplift.enabled
    assert rules.uplift.percent == Decimal(30)
    assert rules.uplift.applies("dibao")
    assert rules.uplift.applies("tekun")
    assert not rules.uplift.applies(None)
    assert not rules.uplift.applies("ordinary")
    assert rules.second_approval_above_fen == yuan("50000.00")
    assert rules.duplicate_window_days == 365
    assert rules.version == "2026-01"


def test_heads_per_peril_and_the_heroic_act_medical_override(rules: RuleVersion) -> None:
    assert set(rules.perils["natural_disaster"].heads) == set(BenefitHead)
    assert set(rules.perils["heroic_act"].heads) == {
        BenefitHead.DEATH,
        BenefitHead.DISABILITY,
        BenefitHead.MEDICAL,
    }
    assert rules.terms("heroic_act", "medical").limit_fen == yuan("60000.00")
    assert rules.terms("heroic_act", "medical").coinsurance_percent == Decimal(90)  # inherited


def test_policy_year_clocks_uploads_district_and_reasons(policy: PolicyConfig) -> None:
    year = policy.policy_year_on(dt.date(2026, 12, 31))
    assert year.insurer == "中国人民财产保险股份有限公司青岛市分公司"
    assert (year.starts, year.ends) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert year.insured_population == 700_000
    assert year.premium_fen == yuan("3500000.00")
    clocks = policy.clocks
    assert (clocks.decision_days, clocks.payment_days, clocks.rejection_notice_days) == (30, 10, 3)
    assert (clocks.advance_payment_days, clocks.limitation_years) == (60, 2)
    assert clocks.same_day_payment_up_to_fen == yuan("2000.00")
    assert policy.uploads.max_bytes == 10 * 1024 * 1024
    assert set(policy.uploads.content_types) == {"application/pdf", "image/jpeg", "image/png"}
    assert policy.district.name == "城阳区"
    streets = ("城阳街道", "流亭街道", "夏庄街道", "惜福镇街道", "棘洪滩街道", "上马街道")
    assert policy.district.streets == streets
    assert set(policy.rejection_reasons) == {
        "outside_period",
        "not_insured",
        "peril_not_covered",
        "liable_third_party",
        "no_certification",
        "documents_incomplete",
        "limit_exhausted",
        "time_barred",
    }
    assert policy.rejection_reason("time_barred").cn == "超过索赔时效"
    assert policy.head("disability").cn == "伤残"


def test_shipped_money_is_never_a_toml_float() -> None:
    def walk(node: object) -> None:
        assert not isinstance(node, float), node
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tomllib.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8")))


# ---- look-ups


def test_unknown_peril_names_the_field_and_the_configured_codes(policy: PolicyConfig) -> None:
    with pytest.raises(InvalidInput) as info:
        policy.peril("earthquake_only")
    assert info.value.field == "peril"
    assert info.value.rule is not None
    assert info.value.rule.startswith("one of the 10 configured perils: natural_disaster, fire_explosion")


def test_unknown_head_reason_and_document(policy: PolicyConfig, rules: RuleVersion) -> None:
    with pytest.raises(InvalidInput) as info:
        rules.terms("heroic_act", "property")
    assert info.value.field == "head"
    with pytest.raises(InvalidInput) as info:
        rules.terms("nope", "death")
    assert info.value.field == "peril"
    with pytest.raises(InvalidInput) as info:
        policy.rejection_reason("because")
    assert info.value.field == "reason_code"
    with pytest.raises(InvalidInput) as info:
        policy.document_type("selfie")
    assert info.value.field == "document_type"
    with pytest.raises(InvalidInput) as info:
        policy.head("funeral")
    assert info.value.field == "head"


def test_no_policy_year_covers_the_date(policy: PolicyConfig) -> None:
    with pytest.raises(InvalidInput) as info:
        policy.policy_year_on(dt.date(2027, 1, 1))
    assert info.value.field == "incident_date"
    assert info.value.extra == {"reason_code": "outside_period"}


# ---- rule versions by date


def test_rules_on_picks_the_version_in_force_on_the_incident_date(
    policy_text: str, write_policy: WritePolicy
) -> None:
    policy = load_policy(write_policy(policy_text + SECOND_VERSION))
    assert [v.version for v in policy.rule_versions] == ["2026-01", "2026-07"]
    assert policy.rules_on(dt.date(2026, 1, 1)).version == "2026-01"
    assert policy.rules_on(dt.date(2026, 6, 30)).version == "2026-01"
    assert policy.rules_on(dt.date(2026, 7, 1)).version == "2026-07"
    assert policy.rules_on(dt.date(2030, 1, 1)).version == "2026-07"
    old, new = policy.rules_on(dt.date(2026, 6, 30)), policy.rules_on(dt.date(2026, 7, 1))
    assert old.terms("fire_explosion", "death").limit_fen == yuan("100000.00")
    assert new.terms("fire_explosion", "death").limit_fen == yuan("150000.00")
    # everything else is inherited, including per-peril overrides and the uplift
    assert new.terms("fire_explosion", "medical") == old.terms("fire_explosion", "medical")
    assert new.terms("heroic_act", "medical").limit_fen == yuan("60000.00")
    assert new.uplift == old.uplift
    assert new.per_event_fen == old.per_event_fen
    assert new.note == ""


def test_rules_on_before_the_first_version_is_invalid_input(policy: PolicyConfig) -> None:
    with pytest.raises(InvalidInput) as info:
        policy.rules_on(dt.date(2025, 12, 31))
    assert info.value.field == "incident_date"
    assert info.value.rule is not None
    assert "2026-01-01" in info.value.rule


# ---- bad files


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('limit = "20000.00"', "limit = 20000.00", "rule_versions[0].heads.medical.limit: must be a decimal"),
        ('limit = "20000.00"', 'limit = "20000.001"', "at most 2 decimal places"),
        ('limit = "20000.00"', 'limit = "-1.00"', "must not be negative"),
        ('limit = "20000.00"', 'limit = "lots"', "heads.medical.limit"),
        ('coinsurance_percent = "90"', 'coinsurance_percent = "0"', "coinsurance_percent: must be > 0"),
        ('coinsurance_percent = "90"', "coinsurance_percent = 90.0", "integer or a decimal string"),
        ('coinsurance_percent = "90"', 'coinsurance = "90"', "unknown key"),
        (
            'account = "Expenses:Insurance:Claims:FireExplosion"',
            'account = "Expenses:Insurance:FireExplosion"',
            "perils[1].account: must be an account Expenses:Insurance:Claims:<Name>",
        ),
        ('code = "heroic_act"', 'code = "fire_explosion"', "configured twice"),
        (
            'heads = ["death", "disability", "medical"]',
            'heads = ["death", "funeral"]',
            "unknown benefit head",
        ),
        ("need = 2", "need = 4", "needs 4 of only 3 documents"),
        ('disability = ["disability_grading_report"]', 'disability = ["x_ray"]', "neither a document type"),
        ("effective_from = 2026-01-01", 'effective_from = "2026-01-01"', "must be a TOML date"),
        ("duplicate_window_days = 365", "duplicate_window_days = -1", "must be an integer >= 0"),
        ("schema = 1", "schema = 2", "only schema 1"),
        ("enabled = true", 'enabled = "yes"', "must be true or false"),
        (
            HEROIC_MEDICAL,
            HEROIC_MEDICAL.replace("medical", "property"),
            "peril heroic_act does not cover this head",
        ),
        (
            HEROIC_MEDICAL,
            HEROIC_MEDICAL.replace("heroic_act", "flood"),
            "rule_versions[0].perils.flood: unknown peril 'flood'; one of the 10 configured perils",
        ),
    ],
)
def test_bad_config_is_refused_naming_the_key(
    policy_text: str, write_policy: WritePolicy, old: str, new: str, message: str
) -> None:
    assert old in policy_text
    path = write_policy(policy_text.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_policy(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_rule_versions_must_be_in_date_order(policy_text: str, write_policy: WritePolicy) -> None:
    earlier = SECOND_VERSION.replace("2026-07-01", "2025-07-01")
    with pytest.raises(ConfigError, match="oldest first"):
        load_policy(write_policy(policy_text + earlier))


def test_overlapping_policy_years_are_refused(policy_text: str, write_policy: WritePolicy) -> None:
    extra = """
[[policy_years]]
code = "2026b"
insurer = "x"
policyholder = "y"
starts = 2026-12-01
ends = 2027-11-30
insured_population = 1
premium = "1.00"
"""
    with pytest.raises(ConfigError, match="must not overlap"):
        load_policy(write_policy(policy_text + extra))


def test_missing_or_broken_file(write_policy: WritePolicy) -> None:
    with pytest.raises(ConfigError, match=r"no-such-policy\.toml: file not found"):
        load_policy(DEFAULT_POLICY_FILE.parent / "no-such-policy.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_policy(write_policy("schema = [1"))
