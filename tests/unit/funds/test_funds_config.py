"""The fund parameters in ``config/fund.toml`` and their loader."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ledger.config.loader import ConfigError
from ledger.funds import domain as d
from ledger.funds.config import load_fund_config

DEFAULT = Path(__file__).parents[3] / "src" / "ledger" / "config" / "fund.toml"


def test_packaged_defaults() -> None:
    config = load_fund_config()
    assert config.fund.name == "城阳区慈善引导资金"
    assert config.fund.code == "chengyang-guidance"
    assert config.fund.restriction is d.Restriction.RESTRICTED
    assert config.fund.guidance_grant_fen == 100_000_000
    assert config.fund.currency == "CNY"
    assert config.fund.purpose
    assert config.fund.grantor == "城阳区财政局"
    assert config.matching == d.MatchingRule(max_fund_share_percent=Decimal(50), require_full_funding=True)
    assert config.tranche_percents == (60, 40)
    assert config.score_scale == d.ScoreScale(minimum=0, maximum=100, pass_mark=60)
    assert config.grantee_registration_authorities == ("5",)


def test_explicit_path_gives_the_same(tmp_path: Path) -> None:
    copy = tmp_path / "fund.toml"
    copy.write_text(DEFAULT.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_fund_config(copy) == load_fund_config()
    assert load_fund_config(str(copy)) == load_fund_config()


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "fund.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_optional_cap_and_other_split(tmp_path: Path) -> None:
    path = _variant(tmp_path, '# max_grant = "100000.00"', 'max_grant = "100000.00"')
    assert load_fund_config(path).matching.max_grant_fen == 10_000_000
    path = _variant(tmp_path, "percents = [60, 40]", "percents = [30, 30, 40]")
    assert load_fund_config(path).tranche_percents == (30, 30, 40)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('guidance_grant = "1000000.00"', "guidance_grant = 1000000.00", "fund.guidance_grant"),
        ('guidance_grant = "1000000.00"', 'guidance_grant = "1000000.001"', "fund.guidance_grant"),
        ('restriction = "restricted"', 'restriction = "temporary"', "fund.restriction"),
        ('name = "城阳区慈善引导资金"\n', "", "fund.name"),
        ('max_fund_share_percent = "50"', 'max_fund_share_percent = "150"', "call.max_fund_share_percent"),
        ('max_fund_share_percent = "50"', 'max_fund_share_percent = "half"', "call.max_fund_share_percent"),
        ('max_fund_share_percent = "50"', "max_fund_share_percent = 50.0", "call.max_fund_share_percent"),
        ("require_full_funding = true", 'require_full_funding = "yes"', "call.require_full_funding"),
        ("percents = [60, 40]", "percents = [60, 30]", "tranches.percents"),
        ("score_max = 100", "score_max = 50", "review"),
        (
            'registration_authorities = ["5"]',
            "registration_authorities = []",
            "grantees.registration_authorities",
        ),
        ("[tranches]", "[tranche]", "tranche"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, old: str, new: str, field: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_fund_config(_variant(tmp_path, old, new))
    assert err.value.key == field


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "fund.toml"
    path.write_text("[fund\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_fund_config(path)
