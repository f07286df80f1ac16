"""The one configuration loader: every refusal names the file, the key and the rule, for all three files.

Each case edits the shipped file once and expects the exact dotted key and the rule: a missing key, a
wrong type, a float or 3-decimal amount, an unknown reference, and the rules that span several keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from ledger.books.chart import DEFAULT_CHART_FILE, load_chart
from ledger.claims.policy import DEFAULT_POLICY_FILE, load_policy
from ledger.config.loader import ConfigError
from ledger.funds.config import DEFAULT_FUND_FILE, load_fund_config

Loader = Callable[[Path], object]
PERILS = (
    "one of the 10 configured perils: natural_disaster, fire_explosion, heroic_act, crowd_crush, "
    "infectious_disease, terrorism, mental_patient_injury, violent_crime, falling_object, traffic_accident"
)
HEADS = "one of death, disability, medical, property, resettlement"
MONEY = 'must be a decimal string in yuan such as "100000.00"'
RESETTLEMENT = (
    '[rule_versions.heads.resettlement]\nlimit = "600.00"\ndeductible = "0.00"\ncoinsurance_percent = "100"\n'
)
SECOND_VERSION = '\n[[rule_versions]]\nversion = "2026-07"\neffective_from = 2026-07-01\n'


def refusal(tmp_path: Path, load: Loader, shipped: Path, old: str, new: str) -> ConfigError:
    """Load the shipped file with ``old`` replaced by ``new`` (once) and return the refusal."""
    text = shipped.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / shipped.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(path)
    error = caught.value
    assert error.file == path
    assert str(error) == f"{path}: {error.key}: {error.rule}"
    return error


POLICY_CASES = [
    # missing key, wrong types
    ("insured_population = 700000\n", "", "policy_years[0].insured_population", "is required"),
    ("decision_days = 30", 'decision_days = "30"', "clocks.decision_days", "must be an integer, got '30'"),
    (
        "enabled = true",
        'enabled = "yes"',
        "rule_versions[0].uplift.enabled",
        "must be true or false, got 'yes'",
    ),
    (
        "starts = 2026-01-01",
        'starts = "2026-01-01"',
        "policy_years[0].starts",
        "must be a TOML date such as 2026-01-01, got '2026-01-01'",
    ),
    ('cn = "索赔申请书"', "cn = 1", "documents.claim_form.cn", "must be a string, got 1"),
    ('cn = "身故"', 'cn = "  "', "benefit_heads.death.cn", "must be a non-empty string, got '  '"),
    ("max_bytes = 10485760", "max_bytes = 0", "uploads.max_bytes", "must be an integer >= 1, got 0"),
    (
        'coinsurance_percent = "90"',
        'coinsurance = "90"',
        "rule_versions[0].heads.medical.coinsurance",
        "unknown key; allowed here: limit, deductible, coinsurance_percent",
    ),
    # amounts: never a float, at most 2 places, not negative; percentages bounded
    (
        'premium = "3500000.00"',
        "premium = 3500000.00",
        "policy_years[0].premium",
        f"{MONEY}, never a TOML number, got 3500000.0",
    ),
    (
        'premium = "3500000.00"',
        "premium = 3500000",
        "policy_years[0].premium",
        f"{MONEY}, never a TOML number, got 3500000",
    ),
    (
        'same_day_payment_up_to = "2000.00"',
        'same_day_payment_up_to = "2000.001"',
        "clocks.same_day_payment_up_to",
        f"{MONEY} with at most 2 decimal places, got '2000.001'",
    ),
    (
        'limit = "60000.00"',
        'limit = "-0.01"',
        "rule_versions[0].perils.heroic_act.heads.medical.limit",
        "must not be negative, got '-0.01'",
    ),
    (
        'percent = "30"',
        "percent = 30.0",
        "rule_versions[0].uplift.percent",
        'must be an integer or a decimal string such as "12.5", got 30.0',
    ),
    (
        'limit = "60000.00"',
        'limit = "60000.00"\ncoinsurance_percent = "100.5"',
        "rule_versions[0].perils.heroic_act.heads.medical.coinsurance_percent",
        "must be > 0 and <= 100, got '100.5'",
    ),
    # unknown references
    (
        'heads = ["death", "disability", "medical"]',
        'heads = ["death", "funeral"]',
        "perils[2].heads[1]",
        f"unknown benefit head 'funeral'; {HEADS}",
    ),
    (
        "[benefit_heads.death]",
        "[benefit_heads.funeral]",
        "benefit_heads.funeral",
        f"unknown benefit head 'funeral'; {HEADS}",
    ),
    (
        "[checklist.perils.heroic_act]",
        "[checklist.perils.flood]",
        "checklist.perils.flood",
        f"unknown peril 'flood'; {PERILS}",
    ),
    (
        "[rule_versions.perils.heroic_act.heads.medical]",
        "[rule_versions.perils.flood.heads.medical]",
        "rule_versions[0].perils.flood",
        f"unknown peril 'flood'; {PERILS}",
    ),
    (
        '"cremation_certificate", "medical_death_certificate"]',
        '"cremation_certificate", "x_ray"]',
        "document_groups.death_proof.of",
        "'x_ray' is not a document type",
    ),
    (
        'property = ["property_loss_list"]',
        'property = ["photos"]',
        "checklist.heads.property",
        "'photos' is neither a document type nor a document group",
    ),
    (
        'all = ["heroic_act_certification"]',
        'property = ["property_loss_list"]',
        "checklist.perils.heroic_act.property",
        "unknown key; allowed here: all, death, disability, medical",
    ),
    # rules across keys
    (
        "[rule_versions.perils.heroic_act.heads.medical]",
        "[rule_versions.perils.heroic_act.heads.property]",
        "rule_versions[0].perils.heroic_act.heads.property",
        "peril heroic_act does not cover this head",
    ),
    (
        RESETTLEMENT,
        "",
        "rule_versions[0].heads.resettlement.limit",
        "is required: peril natural_disaster covers resettlement",
    ),
    (
        'code = "heroic_act"',
        'code = "fire_explosion"',
        "perils[2].code",
        "peril 'fire_explosion' is configured twice",
    ),
    (
        'account = "Expenses:Insurance:Claims:HeroicAct"',
        'account = "Expenses:Insurance:HeroicAct"',
        "perils[2].account",
        "must be an account Expenses:Insurance:Claims:<Name>, got 'Expenses:Insurance:HeroicAct'",
    ),
    ("ends = 2026-12-31", "ends = 2025-12-31", "policy_years[0].ends", "must not be before starts"),
    ("need = 2", "need = 4", "document_groups.death_proof.need", "needs 4 of only 3 documents"),
    (
        'streets = ["城阳街道",',
        'streets = ["城阳街道", "城阳街道",',
        "district.streets",
        "lists '城阳街道' twice",
    ),
    (
        '"image/png"]',
        '"image/PNG"]',
        "uploads.content_types",
        "must be lower-case MIME types such as application/pdf",
    ),
    ("schema = 1", "schema = 2", "schema", "only schema 1 is understood"),
    (
        '[benefit_heads.resettlement]\ncn = "基本生活物资"\nen = "resettlement / basic living goods"\n',
        "",
        "benefit_heads",
        "must name every benefit head; missing: resettlement",
    ),
]


@pytest.mark.parametrize(
    ("extra", "key", "rule"),
    [
        (
            SECOND_VERSION.replace("2026-07-01", "2026-01-01"),
            "rule_versions[1].effective_from",
            "rule versions must be listed oldest first, with distinct dates",
        ),
        (
            SECOND_VERSION.replace("2026-07", "2026-01", 1),
            "rule_versions[1].version",
            "version '2026-01' is used twice",
        ),
        (SECOND_VERSION.replace('version = "2026-07"\n', ""), "rule_versions[1].version", "is required"),
        (
            SECOND_VERSION + '[rule_versions.heads.death]\nlimit = "1.005"\n',
            "rule_versions[1].heads.death.limit",
            f"{MONEY} with at most 2 decimal places, got '1.005'",
        ),
    ],
)
def test_later_rule_versions_are_checked_after_inheriting(
    tmp_path: Path, extra: str, key: str, rule: str
) -> None:
    end = "[clocks]"  # a second [[rule_versions]] must follow the first one's tables
    shipped = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    error = refusal(tmp_path, load_policy, DEFAULT_POLICY_FILE, end, extra + "\n" + end)
    assert end in shipped
    assert (error.key, error.rule) == (key, rule)


FUND_CASES = [
    ('grantor = "城阳区财政局"\n', "", "fund.grantor", "is required"),
    (
        "require_full_funding = true",
        'require_full_funding = "yes"',
        "call.require_full_funding",
        "must be true or false, got 'yes'",
    ),
    ("score_min = 0", 'score_min = "0"', "review.score_min", "must be an integer, got '0'"),
    (
        'guidance_grant = "1000000.00"',
        "guidance_grant = 1000000.00",
        "fund.guidance_grant",
        f"{MONEY}, never a TOML number, got 1000000.0",
    ),
    (
        'guidance_grant = "1000000.00"',
        'guidance_grant = "1000000.001"',
        "fund.guidance_grant",
        f"{MONEY} with at most 2 decimal places, got '1000000.001'",
    ),
    (
        '# max_grant = "100000.00"',
        'max_grant = "-5.00"',
        "call.max_grant",
        "must not be negative, got '-5.00'",
    ),
    (
        'max_fund_share_percent = "50"',
        "max_fund_share_percent = 50.0",
        "call.max_fund_share_percent",
        'must be an integer or a decimal string such as "12.5", got 50.0',
    ),
    (
        'max_fund_share_percent = "50"',
        'max_fund_share_percent = "0"',
        "call.max_fund_share_percent",
        "must be > 0 and <= 100, got '0'",
    ),
    (
        'restriction = "restricted"',
        'restriction = "temporary"',
        "fund.restriction",
        "unknown restriction 'temporary'; one of restricted, unrestricted",
    ),
    (
        'currency = "CNY"',
        'currency = "USD"',
        "fund.currency",
        "must be CNY, the ledger's currency, got 'USD'",
    ),
    (
        "[tranches]",
        "[tranche]",
        "tranche",
        "unknown key; allowed here: fund, call, tranches, review, grantees",
    ),
    (
        "percents = [60, 40]",
        "percents = [60, 30]",
        "tranches.percents",
        "must be whole percents above 0 that sum to 100, got [60, 30]",
    ),
    (
        "score_max = 100",
        "score_max = 50",
        "review",
        "needs score_min < score_max and score_min <= pass_score <= score_max, got 0..50 passing at 60",
    ),
    (
        '# max_grant = "100000.00"',
        'max_grant = "0.00"',
        "call.max_grant",
        "must be above 0; leave it out for no cap",
    ),
    (
        'registration_authorities = ["5"]',
        'registration_authorities = ["5", "5"]',
        "grantees.registration_authorities",
        "lists '5' twice",
    ),
    (
        'registration_authorities = ["5"]',
        'registration_authorities = ["51"]',
        "grantees.registration_authorities",
        "must list single upper-case characters such as \"5\" (GB 32100), got ['51']",
    ),
]


BANK = 'name = "Assets:Insurance:Bank"\ncn = "银行存款（理赔专户）"\ncode = "1002"\nopened = 2020-01-01\n'
CHART_CASES = [
    ('code = "1002"\nopened = 2020-01-01\n', "opened = 2020-01-01\n", "accounts[0].code", "is required"),
    ('code = "1002"', "code = 1002", "accounts[0].code", "must be a string, got 1002"),
    ('code = "1002"', "code = 1002.0", "accounts[0].code", "must be a string, got 1002.0"),
    (
        "opened = 2020-01-01",
        "opened = 2020-01-01T08:00:00",
        "accounts[0].opened",
        "must be a TOML date such as 2026-01-01, got 2020-01-01T08:00:00",
    ),
    (
        "opened = 2020-01-01",
        "opened = 2020-01-01\nclosed = 2020-01-01",
        "accounts[0].closed",
        "account 'Assets:Insurance:Bank' is closed (2020-01-01) before it opens (2020-01-01)",
    ),
    (
        "Assets:Insurance:Bank",
        "Assets:Pension:Bank",
        "accounts[0].name",
        "account 'Assets:Pension:Bank' names book 'pension', which is not in [[books]]",
    ),
    (
        "Assets:Insurance:Bank",
        "Assets:Insurance",
        "accounts[0].name",
        "account 'Assets:Insurance' must be <Assets|Liabilities|Equity|Income|Expenses>:<Book>:<Name>..., "
        "each segment starting with a capital letter",
    ),
    (
        BANK,
        BANK + "\n[[accounts]]\n" + BANK,
        "accounts[1].name",
        "account 'Assets:Insurance:Bank' is defined twice",
    ),
    (
        'name = "charity"',
        'name = "Charity"',
        "books[1].name",
        "book name 'Charity' must be lower-case letters and digits",
    ),
    (
        'title = "Charity guidance fund"',
        'title = "Charity guidance fund"\ncurrency = "CNY"',
        "books[1].currency",
        "unknown key; allowed here: name, cn, title",
    ),
]


REFUSALS = [
    *[pytest.param(load_policy, DEFAULT_POLICY_FILE, *case, id=f"policy-{case[2]}") for case in POLICY_CASES],
    *[pytest.param(load_fund_config, DEFAULT_FUND_FILE, *case, id=f"fund-{case[2]}") for case in FUND_CASES],
    *[pytest.param(load_chart, DEFAULT_CHART_FILE, *case, id=f"chart-{case[2]}") for case in CHART_CASES],
]


@pytest.mark.parametrize(("load", "shipped", "old", "new", "key", "rule"), REFUSALS)
def test_refusals_name_the_file_the_key_and_the_rule(
    tmp_path: Path, load: Loader, shipped: Path, old: str, new: str, key: str, rule: str
) -> None:
    error = refusal(tmp_path, load, shipped, old, new)
    assert (error.key, error.rule) == (key, rule)


@pytest.mark.parametrize("load", [load_policy, load_fund_config, load_chart])
def test_missing_and_broken_files(tmp_path: Path, load: Loader) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path / "absent.toml")
    assert str(caught.value) == f"{tmp_path / 'absent.toml'}: file not found"
    broken = tmp_path / "broken.toml"
    broken.write_text("[fund\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML: .*line 1"):
        load(broken)


def test_a_file_is_decoded_once_while_its_bytes_stay_the_same(tmp_path: Path) -> None:
    path = tmp_path / "fund.toml"
    text = DEFAULT_FUND_FILE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = load_fund_config(path)
    assert load_fund_config(path) is first
    assert load_fund_config(str(path)) is first
    # same size, written at once: only the content tells the versions apart
    path.write_text(text.replace("percents = [60, 40]", "percents = [40, 60]"), encoding="utf-8")
    second = load_fund_config(path)
    assert second.tranche_percents == (40, 60)
    path.write_text(text.replace("percents = [60, 40]", "percents = [60, 30]"), encoding="utf-8")
    with pytest.raises(ConfigError):
        load_fund_config(path)
    path.write_text(text, encoding="utf-8")
    assert load_fund_config(path) == first


def test_loaded_values_are_plain_immutable_types() -> None:
    policy, fund, chart = load_policy(), load_fund_config(), load_chart()
    terms = policy.rules_on(dt.date(2026, 6, 1)).terms("heroic_act", "medical")
    assert (type(terms.limit_fen), type(terms.coinsurance_percent)) == (int, Decimal)
    assert type(policy.policy_years[0].premium_fen) is int
    assert type(fund.fund.guidance_grant_fen) is int
    # plain values encode: nothing from the loader's value rules leaks into the configuration
    assert msgspec.json.decode(msgspec.json.encode(terms)) == {
        "limit": 6_000_000,
        "deductible": 0,
        "coinsurance_percent": "90",
    }
    with pytest.raises(AttributeError):
        terms.limit_fen = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.documents["x"] = policy.documents["claim_form"]  # type: ignore[index]
    with pytest.raises(TypeError):
        chart.accounts["x"] = chart.account("Assets:Insurance:Bank")  # type: ignore[index]
