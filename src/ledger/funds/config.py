"""The charity guidance fund's parameters, loaded from ``ledger/config/fund.toml``.

Nothing is read at import time: call ``load_fund_config()`` (the service may cache it). Money in the
file is a decimal string in yuan and becomes integer fen here; a bad value raises ``InvalidInput``
naming the TOML key (``fund.guidance_grant``, ``call.max_fund_share_percent`` ...).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from ledger.core.errors import InvalidInput
from ledger.core.money import CURRENCY, Fen, parse_amount
from ledger.funds.domain import (
    MatchingRule,
    Restriction,
    ScoreScale,
    check_tranche_percents,
)


@dataclass(frozen=True, slots=True)
class FundParameters:
    """The fund itself.

    Args:
        code: a short stable key for the fund (``chengyang-guidance``).
        name: its Chinese name (城阳区慈善引导资金).
        restriction: restricted or unrestricted; the fund's receipts take it.
        purpose: what the money may be spent on (the restriction's purpose).
        grantor: who provides the guidance grant (城阳区财政局).
        guidance_grant_fen: the guidance grant's amount.
        currency: ISO currency code.
    """

    code: str
    name: str
    restriction: Restriction
    purpose: str
    grantor: str
    guidance_grant_fen: Fen
    currency: str = CURRENCY


@dataclass(frozen=True, slots=True)
class FundConfig:
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


def _get(table: dict[str, Any], section: str, key: str, kind: type | tuple[type, ...]) -> Any:
    name = f"{section}.{key}"
    if key not in table:
        raise InvalidInput(f"fund config is missing {name}", field=name, rule="required")
    value = table[key]
    if isinstance(value, bool) and kind is not bool:
        raise InvalidInput(f"fund config {name} has the wrong type: {value!r}", field=name, rule="type")
    if not isinstance(value, kind):
        raise InvalidInput(f"fund config {name} has the wrong type: {value!r}", field=name, rule="type")
    return value


def _section(data: dict[str, Any], name: str) -> dict[str, Any]:
    section = data.get(name)
    if not isinstance(section, dict):
        raise InvalidInput(f"fund config is missing the [{name}] table", field=name, rule="required")
    return section


def _percent(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidInput(
            f'fund config {name} must be a decimal string such as "50": got {text!r}',
            field=name,
            rule="decimal string",
        ) from None
    if not value.is_finite():
        raise InvalidInput(f"fund config {name} must be finite: got {text!r}", field=name, rule="finite")
    return value


def parse_fund_config(data: dict[str, Any]) -> FundConfig:
    """Return the ``FundConfig`` described by the parsed TOML ``data``.

    Raises:
        InvalidInput: a key is missing or invalid; ``field`` is the dotted TOML key.
    """
    fund = _section(data, "fund")
    call = _section(data, "call")
    tranches = _section(data, "tranches")
    review = _section(data, "review")
    grantees = _section(data, "grantees")

    restriction_text = _get(fund, "fund", "restriction", str)
    try:
        restriction = Restriction(restriction_text)
    except ValueError:
        raise InvalidInput(
            f"fund config fund.restriction must be restricted or unrestricted: got {restriction_text!r}",
            field="fund.restriction",
            rule="restricted | unrestricted",
        ) from None
    parameters = FundParameters(
        code=_get(fund, "fund", "code", str),
        name=_get(fund, "fund", "name", str),
        restriction=restriction,
        purpose=_get(fund, "fund", "purpose", str),
        grantor=_get(fund, "fund", "grantor", str),
        guidance_grant_fen=parse_amount(
            _get(fund, "fund", "guidance_grant", str), field="fund.guidance_grant"
        ),
        currency=fund.get("currency", CURRENCY),
    )

    max_grant_text = call.get("max_grant")
    max_grant_fen = None if max_grant_text is None else parse_amount(max_grant_text, field="call.max_grant")
    share = _percent(_get(call, "call", "max_fund_share_percent", str), "call.max_fund_share_percent")
    full_funding = _get(call, "call", "require_full_funding", bool)
    try:
        matching = MatchingRule(
            max_fund_share_percent=share, require_full_funding=full_funding, max_grant_fen=max_grant_fen
        )
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=f"call.{exc.field}", rule=exc.rule) from None

    percents = check_tranche_percents(_get(tranches, "tranches", "percents", list), field="tranches.percents")

    score_min = _get(review, "review", "score_min", int)
    score_max = _get(review, "review", "score_max", int)
    pass_score = _get(review, "review", "pass_score", int)
    try:
        scale = ScoreScale(minimum=score_min, maximum=score_max, pass_mark=pass_score)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="review", rule=exc.rule) from None

    authorities = _get(grantees, "grantees", "registration_authorities", list)
    if not authorities or any(not isinstance(a, str) or len(a) != 1 for a in authorities):
        raise InvalidInput(
            'fund config grantees.registration_authorities must list single characters, e.g. ["5"]',
            field="grantees.registration_authorities",
            rule="non-empty list of single characters",
        )

    return FundConfig(
        fund=parameters,
        matching=matching,
        tranche_percents=percents,
        score_scale=scale,
        grantee_registration_authorities=tuple(a.upper() for a in authorities),
    )


def load_fund_config(path: str | Path | None = None) -> FundConfig:
    """Load the fund parameters from ``path``, or from the packaged ``ledger/config/fund.toml``.

    Raises:
        InvalidInput: the file is not valid TOML, or a key is missing or invalid.
    """
    if path is None:
        text = resources.files("ledger.config").joinpath("fund.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            f"fund config is not valid TOML: {exc}", field="fund_config", rule="TOML"
        ) from None
    return parse_fund_config(data)
