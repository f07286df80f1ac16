"""The charity guidance fund's parameters, loaded from ``ledger/config/fund.toml``.

Nothing is read at import time: ``load_fund_config()`` decodes the file through
``ledger.config.loader`` (once while it is unchanged). Money in the file is a decimal string in yuan
and becomes integer fen; a bad value raises ``ConfigError`` naming the file, the TOML key
(``fund.guidance_grant``, ``call.max_fund_share_percent`` ...) and the rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec

from ledger.config.loader import CONFIG_DIR, ConfigStruct, Money, Share, Source, Text, Texts, load
from ledger.core.errors import InvalidInput
from ledger.core.money import CURRENCY
from ledger.funds.domain import MatchingRule, Restriction, ScoreScale, check_tranche_percents

DEFAULT_FUND_FILE = CONFIG_DIR / "fund.toml"
"""The shipped fund parameters (``ledger/config/fund.toml``)."""


class FundParameters(ConfigStruct, frozen=True):
    """The fund itself (``[fund]``).

    Args:
        code: a short stable key for the fund (``chengyang-guidance``).
        name: its Chinese name (城阳区慈善引导资金).
        restriction: restricted or unrestricted; the fund's receipts take it.
        purpose: what the money may be spent on (the restriction's purpose).
        grantor: who provides the guidance grant (城阳区财政局).
        guidance_grant_fen: the guidance grant's amount.
        currency: ISO currency code; only the ledger's currency.
    """

    code: Text
    name: Text
    restriction: Restriction
    purpose: Text
    grantor: Text
    guidance_grant_fen: Money = msgspec.field(name="guidance_grant")
    currency: str = CURRENCY


class FundConfig(ConfigStruct, frozen=True):
    """Every fund parameter.

    Args:
        fund: the fund.
        matching: the default matching rule of a call.
        tranche_percents: the default tranche split, e.g. ``(60, 40)``.
        score_scale: the review score scale.
        grantee_registration_authorities: allowed first characters of a grantee's credit code.
    """

    fund: FundParameters
    matching: MatchingRule
    tranche_percents: tuple[int, ...]
    score_scale: ScoreScale
    grantee_registration_authorities: tuple[str, ...]


def load_fund_config(path: str | Path | None = None) -> FundConfig:
    """Load the fund parameters from ``path``, or from the packaged ``ledger/config/fund.toml``.

    Raises:
        ConfigError: (a ``ValueError``) the file is missing or not TOML, or a key is missing or
            invalid; it names the file, the key and the rule.
    """
    return load(Path(path) if path is not None else DEFAULT_FUND_FILE, _build_fund_config)


class _Call(ConfigStruct, frozen=True):
    """``[call]``: the default matching rule of a call for applications."""

    max_fund_share_percent: Share
    require_full_funding: bool
    max_grant_fen: Money | None = msgspec.field(default=None, name="max_grant")


class _Tranches(ConfigStruct, frozen=True):
    """``[tranches]``: the default payment schedule of a grant."""

    percents: tuple[int, ...]


class _Review(ConfigStruct, frozen=True):
    """``[review]``: the expert review's score scale."""

    score_min: int
    score_max: int
    pass_score: int


class _Grantees(ConfigStruct, frozen=True):
    """``[grantees]``: who may receive a grant."""

    registration_authorities: Annotated[Texts, msgspec.Meta(min_length=1)]


class _FundFile(ConfigStruct, frozen=True):
    """The whole ``fund.toml``."""

    fund: FundParameters
    call: _Call
    tranches: _Tranches
    review: _Review
    grantees: _Grantees


def _build_fund_config(source: Source) -> FundConfig:
    file = source.decode(_FundFile)
    if file.fund.currency != CURRENCY:
        source.fail("fund.currency", f"must be {CURRENCY}, the ledger's currency, got {file.fund.currency!r}")
    authorities = file.grantees.registration_authorities
    if any(len(code) != 1 or code != code.upper() for code in authorities):
        source.fail(
            "grantees.registration_authorities",
            f'must list single upper-case characters such as "5" (GB 32100), got {list(authorities)!r}',
        )
    if file.call.max_grant_fen == 0:
        source.fail("call.max_grant", "must be above 0; leave it out for no cap")
    matching = MatchingRule(  # the share and the cap are checked above, as the rule wants them
        max_fund_share_percent=file.call.max_fund_share_percent,
        require_full_funding=file.call.require_full_funding,
        max_grant_fen=file.call.max_grant_fen,
    )
    try:
        percents = check_tranche_percents(file.tranches.percents)
    except InvalidInput:
        source.fail(
            "tranches.percents",
            f"must be whole percents above 0 that sum to 100, got {list(file.tranches.percents)}",
        )
    review = file.review
    try:
        scale = ScoreScale(minimum=review.score_min, maximum=review.score_max, pass_mark=review.pass_score)
    except InvalidInput:
        source.fail(
            "review",
            "needs score_min < score_max and score_min <= pass_score <= score_max, "
            f"got {review.score_min}..{review.score_max} passing at {review.pass_score}",
        )
    return FundConfig(
        fund=file.fund,
        matching=matching,
        tranche_percents=percents,
        score_scale=scale,
        grantee_registration_authorities=authorities,
    )
