"""Policy configuration of the relief insurance: perils, benefit heads, versioned limits, clocks, documents.

The configuration is data (``ledger/config/policy.toml`` ships the defaults of BRIEF §2); this module
declares what the file holds as frozen msgspec Structs and reads it through ``ledger.config.loader``,
which refuses a bad file with a ``ConfigError`` naming the file, the key and the rule. Money in the
file is a decimal string in yuan and becomes integer fen; no float is ever involved.

Typical use::

    policy = load_policy()                      # the shipped file, or load_policy(settings.policy_file)
    peril = policy.peril("fire_explosion")      # InvalidInput(field="peril") for an unknown code
    rules = policy.rules_on(incident_date)      # the limits in force on that date; store rules.version
    terms = rules.terms(peril.code, BenefitHead.MEDICAL)

Pure: no database, web or Beancount imports; reading the file is the only I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

import msgspec

from ledger.config.loader import (
    CONFIG_DIR,
    NO_REPEATS,
    ConfigStruct,
    Money,
    Percent,
    Share,
    Source,
    Text,
    Texts,
    load,
)
from ledger.core.errors import InvalidInput
from ledger.core.money import Fen

__all__ = [
    "CLAIMS_ACCOUNT_PREFIX",
    "DEFAULT_POLICY_FILE",
    "BenefitHead",
    "ChecklistRules",
    "Clocks",
    "District",
    "DocumentType",
    "HeadInfo",
    "HeadTerms",
    "Peril",
    "PerilRules",
    "PolicyConfig",
    "PolicyYear",
    "RejectionReason",
    "RequiredDocument",
    "RuleVersion",
    "Uplift",
    "UploadLimits",
    "load_policy",
]

DEFAULT_POLICY_FILE = CONFIG_DIR / "policy.toml"
"""The shipped policy file (``ledger/config/policy.toml``)."""

CLAIMS_ACCOUNT_PREFIX = "Expenses:Insurance:Claims:"
"""Every peril's expense account starts with this (see ``config/accounts.toml``)."""


class BenefitHead(StrEnum):
    """A benefit head (赔付项目). How each is computed is fixed in ``domain.assess_line``.

    ``death``, ``disability`` and ``medical`` are limited per person; ``property`` and ``resettlement``
    per household.
    """

    DEATH = "death"
    DISABILITY = "disability"
    MEDICAL = "medical"
    PROPERTY = "property"
    RESETTLEMENT = "resettlement"

    @property
    def per_household(self) -> bool:
        """Whether the head's limit applies per household (otherwise per person)."""
        return self in (BenefitHead.PROPERTY, BenefitHead.RESETTLEMENT)


# --------------------------------------------------------------------------------------------------
# Value objects


class District(ConfigStruct, frozen=True):
    """The district the policy covers.

    Args:
        name: Chinese name, e.g. ``城阳区``.
        en: English name.
        streets: the streets (街道) of the district, in configured order.
    """

    name: Text
    en: Text
    streets: Texts = ()


class HeadInfo(ConfigStruct, frozen=True):
    """Display names of a benefit head.

    Args:
        code: the head.
        cn: Chinese name.
        en: English name.
    """

    code: BenefitHead
    cn: str
    en: str


class Peril(ConfigStruct, frozen=True):
    """One of the configured perils (险种).

    Args:
        code: stable code, e.g. ``fire_explosion``.
        cn: Chinese name.
        en: English name.
        account: the Beancount expense account payouts are booked to,
            e.g. ``Expenses:Insurance:Claims:FireExplosion``.
        heads: the benefit heads this peril covers.
        authority: who certifies an event of this peril (printed on the document checklist).
    """

    code: Text
    cn: Text
    en: Text
    account: Text
    heads: Annotated[tuple[BenefitHead, ...], msgspec.Meta(min_length=1), NO_REPEATS]
    authority: Text


class PolicyYear(ConfigStruct, frozen=True):
    """One year's policy.

    Args:
        code: e.g. ``2026``.
        insurer: the insurer's name.
        policyholder: the government body that buys the policy.
        starts: first day covered.
        ends: last day covered (inclusive).
        insured_population: number of insured residents.
        premium_fen: the annual premium in fen.
    """

    code: Text
    insurer: Text
    policyholder: Text
    starts: dt.date
    ends: dt.date
    insured_population: Annotated[int, msgspec.Meta(ge=1)]
    premium_fen: Money = msgspec.field(name="premium")

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` lies in the policy period (both ends inclusive)."""
        return self.starts <= day <= self.ends


class HeadTerms(ConfigStruct, frozen=True):
    """The terms of one benefit head under one peril in one rule version.

    Args:
        limit_fen: limit per person (or per household for property/resettlement) per event, before
            any 低保/特困 uplift and, for disability, before the grade ratio.
        deductible_fen: subtracted from the amount before co-insurance (default 0).
        coinsurance_percent: the share the programme pays, 0 < p <= 100 (default 100; medical 90).
    """

    limit_fen: Money = msgspec.field(name="limit")
    deductible_fen: Money = msgspec.field(default=0, name="deductible")
    coinsurance_percent: Share = Decimal(100)


class PerilRules(ConfigStruct, frozen=True):
    """One peril's limits in one rule version.

    Args:
        per_peril_year_fen: everything paid under this peril in one policy year.
        heads: terms per benefit head; only the heads the peril covers are present.
    """

    per_peril_year_fen: Fen
    heads: Mapping[BenefitHead, HeadTerms]


class Uplift(ConfigStruct, frozen=True):
    """Raised head limits for households in hardship (Weifang: +30 % for 低保/特困).

    Args:
        enabled: whether the uplift applies at all.
        percent: the raise, e.g. ``Decimal("30")`` makes a 100,000 limit 130,000.
        applies_to: household status codes that qualify, e.g. ``("dibao", "tekun")``.
    """

    enabled: bool
    percent: Percent
    applies_to: Texts = ()

    def applies(self, household_status: str | None) -> bool:
        """Whether a household with ``household_status`` (``None`` = ordinary) gets the uplift.

        Pass the result to ``domain.assess_line(household_uplift=...)``.
        """
        return self.enabled and household_status is not None and household_status in self.applies_to


class RuleVersion(ConfigStruct, frozen=True):
    """The limits in force from ``effective_from`` until the next version takes over.

    Args:
        version: the label stored with every assessment made under it, e.g. ``2026-01``.
        effective_from: first incident date it applies to.
        note: free text.
        per_event_fen: limit per event (每次事故); enforced by pro-rata scale-back
            (``domain.scale_back``), not per claim.
        per_policy_year_fen: aggregate limit of the policy year (累计).
        per_household_event_fen: optional limit on everything paid to one household in one event;
            ``None`` means no such limit.
        second_approval_above_fen: a claim whose payable total is above this needs a second approver.
        duplicate_window_days: same victim and same peril within this many days is a duplicate.
        uplift: the 低保/特困 uplift.
        perils: per peril code, that peril's limits and head terms.
    """

    version: str
    effective_from: dt.date
    note: str
    per_event_fen: Fen
    per_policy_year_fen: Fen
    per_household_event_fen: Fen | None
    second_approval_above_fen: Fen
    duplicate_window_days: int
    uplift: Uplift
    perils: Mapping[str, PerilRules]

    def peril_rules(self, peril: str) -> PerilRules:
        """Return the limits of ``peril``.

        Raises:
            InvalidInput: ``field="peril"`` when the code is not configured.
        """
        try:
            return self.perils[peril]
        except KeyError:
            raise InvalidInput(
                f"unknown peril {peril!r}", field="peril", rule=_peril_rule(self.perils)
            ) from None

    def terms(self, peril: str, head: BenefitHead | str) -> HeadTerms:
        """Return the terms of ``head`` under ``peril``.

        Raises:
            InvalidInput: ``field="peril"`` for an unknown peril, ``field="head"`` for a head the
                peril does not cover.
        """
        rules = self.peril_rules(peril)
        covered = ", ".join(rules.heads)
        try:
            return rules.heads[BenefitHead(head)]
        except (KeyError, ValueError):
            raise InvalidInput(
                f"benefit head {str(head)!r} is not covered under peril {peril!r}",
                field="head",
                rule=f"one of the heads covered under {peril}: {covered}",
            ) from None


class Clocks(ConfigStruct, frozen=True):
    """Statutory and promised deadlines (Insurance Law Art. 21–26), in calendar days unless named otherwise.

    Args:
        decision_days: decide within this many days after the documents are complete.
        payment_days: pay within this many days after approval.
        rejection_notice_days: send the coded rejection notice within this many days.
        advance_payment_days: if the amount is not fixed this many days after the documents are
            complete, the undisputed part is advanced.
        limitation_years: a claim is time-barred this many years after the incident became known.
        same_day_payment_up_to_fen: approved totals up to this are due the day they are approved.
    """

    decision_days: Annotated[int, msgspec.Meta(ge=1)]
    payment_days: Annotated[int, msgspec.Meta(ge=0)]
    rejection_notice_days: Annotated[int, msgspec.Meta(ge=0)]
    advance_payment_days: Annotated[int, msgspec.Meta(ge=1)]
    limitation_years: Annotated[int, msgspec.Meta(ge=1)]
    same_day_payment_up_to_fen: Money = msgspec.field(default=0, name="same_day_payment_up_to")


class UploadLimits(ConfigStruct, frozen=True):
    """Limits on uploaded claim documents.

    Args:
        max_bytes: the largest accepted upload.
        content_types: accepted MIME types, lower case, e.g. ``application/pdf``.
    """

    max_bytes: Annotated[int, msgspec.Meta(ge=1)]
    content_types: Annotated[Texts, msgspec.Meta(min_length=1)]


class DocumentType(ConfigStruct, frozen=True):
    """A kind of claim document.

    Args:
        code: stable code, e.g. ``cremation_certificate``.
        cn: Chinese name.
        en: English name.
    """

    code: str
    cn: str
    en: str


class RequiredDocument(ConfigStruct, frozen=True):
    """One line of a claim's document checklist: a single document, or "any ``need`` of ``of``".

    Args:
        code: the document code, or the group code (e.g. ``death_proof``).
        cn: Chinese text for the notice.
        en: English text for the notice.
        need: how many of ``of`` must be present (1 for a single document).
        of: the document codes that satisfy it (``(code,)`` for a single document).
    """

    code: str
    cn: str
    en: str
    need: int
    of: tuple[str, ...]

    @property
    def is_group(self) -> bool:
        """Whether this is an "any N of" group rather than one document."""
        return self.of != (self.code,)

    def still_needed(self, present: Iterable[str]) -> int:
        """How many more documents of ``of`` are needed, given the codes in ``present``."""
        have = set(present)
        return max(0, self.need - sum(1 for code in self.of if code in have))


class ChecklistRules(ConfigStruct, frozen=True):
    """Which documents each claim needs (codes of documents or groups).

    Args:
        all: needed by every claim.
        heads: needed per claimed benefit head, under every peril.
        perils: per peril code, ``"all"`` (every claim under the peril) and per head code.
    """

    all: tuple[str, ...]
    heads: Mapping[BenefitHead, tuple[str, ...]]
    perils: Mapping[str, Mapping[str, tuple[str, ...]]]


class RejectionReason(ConfigStruct, frozen=True):
    """A coded reason for rejecting a claim.

    Args:
        code: e.g. ``limit_exhausted``.
        cn: Chinese text for the rejection notice.
        en: English text.
    """

    code: str
    cn: str
    en: str


class PolicyConfig(ConfigStruct, frozen=True):
    """The whole policy configuration, as loaded by ``load_policy``.

    Args:
        source: the file it was read from.
        district: the covered district and its streets.
        heads: display names per benefit head.
        perils: the configured perils in file order.
        policy_years: the policy years, oldest first, not overlapping.
        rule_versions: the rule versions, oldest first (each already includes what it inherits).
        clocks: deadlines.
        uploads: upload limits.
        documents: document types by code.
        requirements: every checklist entry by code: single documents and "any N of" groups.
        checklist: which documents a claim needs.
        rejection_reasons: coded rejection reasons by code.
    """

    source: Path
    district: District
    heads: Mapping[BenefitHead, HeadInfo]
    perils: tuple[Peril, ...]
    policy_years: tuple[PolicyYear, ...]
    rule_versions: tuple[RuleVersion, ...]
    clocks: Clocks
    uploads: UploadLimits
    documents: Mapping[str, DocumentType]
    requirements: Mapping[str, RequiredDocument]
    checklist: ChecklistRules
    rejection_reasons: Mapping[str, RejectionReason]

    def peril(self, code: str) -> Peril:
        """Return the peril with ``code``.

        Raises:
            InvalidInput: ``field="peril"``, rule listing the configured codes.
        """
        for peril in self.perils:
            if peril.code == code:
                return peril
        raise InvalidInput(
            f"unknown peril {code!r}", field="peril", rule=_peril_rule([p.code for p in self.perils])
        )

    def rules_on(self, incident_date: dt.date) -> RuleVersion:
        """Return the rule version in force on ``incident_date`` (the latest one starting on or before it).

        Raises:
            InvalidInput: ``field="incident_date"`` when the date precedes every version.
        """
        found: RuleVersion | None = None
        for version in self.rule_versions:
            if version.effective_from <= incident_date:
                found = version
        if found is None:
            first = self.rule_versions[0].effective_from.isoformat()
            raise InvalidInput(
                f"no policy rules are in force on {incident_date.isoformat()}",
                field="incident_date",
                rule=f"on or after {first}, the first date a rule version is in force",
            )
        return found

    def policy_year_on(self, incident_date: dt.date) -> PolicyYear:
        """Return the policy year covering ``incident_date``.

        Raises:
            InvalidInput: ``field="incident_date"``, ``extra={"reason_code": "outside_period"}`` when
                no policy year covers it (reject with that reason).
        """
        for year in self.policy_years:
            if year.covers(incident_date):
                return year
        periods = "; ".join(f"{y.starts.isoformat()}..{y.ends.isoformat()}" for y in self.policy_years)
        raise InvalidInput(
            f"no policy year covers {incident_date.isoformat()}",
            field="incident_date",
            rule=f"within a policy period: {periods}",
            extra={"reason_code": "outside_period"},
        )

    def head(self, code: BenefitHead | str) -> HeadInfo:
        """Return the display names of a benefit head.

        Raises:
            InvalidInput: ``field="head"`` for an unknown code.
        """
        try:
            return self.heads[BenefitHead(code)]
        except ValueError:
            raise InvalidInput(
                f"unknown benefit head {str(code)!r}",
                field="head",
                rule="one of " + ", ".join(h.value for h in BenefitHead),
            ) from None

    def rejection_reason(self, code: str) -> RejectionReason:
        """Return the coded rejection reason.

        Raises:
            InvalidInput: ``field="reason_code"`` for an unknown code.
        """
        try:
            return self.rejection_reasons[code]
        except KeyError:
            raise InvalidInput(
                f"unknown rejection reason {code!r}",
                field="reason_code",
                rule="one of " + ", ".join(self.rejection_reasons),
            ) from None

    def document_type(self, code: str) -> DocumentType:
        """Return the document type with ``code``.

        Raises:
            InvalidInput: ``field="document_type"`` for an unknown code.
        """
        try:
            return self.documents[code]
        except KeyError:
            raise InvalidInput(
                f"unknown document type {code!r}",
                field="document_type",
                rule="one of " + ", ".join(self.documents),
            ) from None


def _peril_rule(codes: Iterable[str]) -> str:
    listed = list(codes)
    return f"one of the {len(listed)} configured perils: {', '.join(listed)}"


# --------------------------------------------------------------------------------------------------
# Loading


def load_policy(path: Path | None = None) -> PolicyConfig:
    """Read and check the policy configuration (decoded once while the file is unchanged).

    Args:
        path: the TOML file; ``None`` reads the shipped ``ledger/config/policy.toml``.

    Raises:
        ConfigError: (a ``ValueError``) naming the file, the key and the rule it breaks, when the
            file is missing, is not TOML, or any value is wrong.
    """
    return load(Path(path) if path is not None else DEFAULT_POLICY_FILE, _build_policy)


class _Names(ConfigStruct, frozen=True):
    """The Chinese and English names of a benefit head, document type or rejection reason."""

    cn: Text
    en: Text


class _DocumentGroup(ConfigStruct, frozen=True):
    """``[document_groups.<code>]``: satisfied by any ``need`` of the documents ``of``."""

    cn: Text
    en: Text
    need: Annotated[int, msgspec.Meta(ge=1)]
    of: Annotated[Texts, msgspec.Meta(min_length=1)]


class _Checklist(ConfigStruct, frozen=True):
    """``[checklist]``: document or group codes per claim, per head, and per peril (``all`` or a head)."""

    all: Texts
    heads: dict[BenefitHead, Texts] = {}
    perils: dict[str, dict[str, Texts]] = {}


class _HeadOverride(ConfigStruct, frozen=True):
    """A peril's changes to the default terms of one head (``perils.<code>.heads.<head>``)."""

    limit_fen: Money | None = msgspec.field(default=None, name="limit")
    deductible_fen: Money | None = msgspec.field(default=None, name="deductible")
    coinsurance_percent: Share | None = None


class _PerilOverride(ConfigStruct, frozen=True):
    """``[rule_versions.perils.<code>]``: a peril's own yearly limit and head terms."""

    per_peril_year_fen: Money | None = msgspec.field(default=None, name="per_peril_year")
    heads: dict[BenefitHead, _HeadOverride] = {}


class _RuleVersionFile(ConfigStruct, frozen=True):
    """One ``[[rule_versions]]`` entry, after what it inherits from the one before is merged in."""

    version: Text
    effective_from: dt.date
    per_event_fen: Money = msgspec.field(name="per_event")
    per_peril_year_fen: Money = msgspec.field(name="per_peril_year")
    per_policy_year_fen: Money = msgspec.field(name="per_policy_year")
    second_approval_above_fen: Money = msgspec.field(name="second_approval_above")
    duplicate_window_days: Annotated[int, msgspec.Meta(ge=0)]
    uplift: Uplift
    per_household_event_fen: Money | None = msgspec.field(default=None, name="per_household_event")
    note: str = ""
    heads: dict[BenefitHead, HeadTerms] = {}
    perils: dict[str, _PerilOverride] = {}


class _PolicyFile(ConfigStruct, frozen=True):
    """The whole ``policy.toml``; rule versions are decoded one by one, each over the one before."""

    schema: int
    district: District
    policy_years: Annotated[tuple[PolicyYear, ...], msgspec.Meta(min_length=1)]
    benefit_heads: dict[BenefitHead, _Names]
    perils: Annotated[tuple[Peril, ...], msgspec.Meta(min_length=1)]
    rule_versions: Annotated[tuple[dict[str, Any], ...], msgspec.Meta(min_length=1)]
    clocks: Clocks
    uploads: UploadLimits
    documents: Annotated[dict[str, _Names], msgspec.Meta(min_length=1)]
    checklist: _Checklist
    rejection_reasons: Annotated[dict[str, _Names], msgspec.Meta(min_length=1)]
    document_groups: dict[str, _DocumentGroup] = {}


_NOT_INHERITED = ("version", "effective_from", "note")
"""Keys of a rule version that the next version does not inherit."""


def _build_policy(source: Source) -> PolicyConfig:
    file = source.decode(_PolicyFile)
    if file.schema != 1:
        source.fail("schema", "only schema 1 is understood")
    missing = [head.value for head in BenefitHead if head not in file.benefit_heads]
    if missing:
        source.fail("benefit_heads", "must name every benefit head; missing: " + ", ".join(missing))
    _check_perils(source, file.perils)
    _check_policy_years(source, file.policy_years)
    if any(kind != kind.strip().lower() for kind in file.uploads.content_types):
        source.fail("uploads.content_types", "must be lower-case MIME types such as application/pdf")
    requirements = _requirements(source, file.documents, file.document_groups)
    return PolicyConfig(
        source=source.path,
        district=file.district,
        heads=MappingProxyType(
            {
                h: HeadInfo(code=h, cn=file.benefit_heads[h].cn, en=file.benefit_heads[h].en)
                for h in BenefitHead
            }
        ),
        perils=file.perils,
        policy_years=file.policy_years,
        rule_versions=_rule_versions(source, file.rule_versions, file.perils),
        clocks=file.clocks,
        uploads=file.uploads,
        documents=MappingProxyType(
            {
                code: DocumentType(code=code, cn=names.cn, en=names.en)
                for code, names in file.documents.items()
            }
        ),
        requirements=MappingProxyType(requirements),
        checklist=_checklist(source, file.checklist, file.perils, requirements),
        rejection_reasons=MappingProxyType(
            {code: RejectionReason(code=code, cn=n.cn, en=n.en) for code, n in file.rejection_reasons.items()}
        ),
    )


def _check_perils(source: Source, perils: Sequence[Peril]) -> None:
    for index, peril in enumerate(perils):
        if any(other.code == peril.code for other in perils[:index]):
            source.fail(f"perils[{index}].code", f"peril {peril.code!r} is configured twice")
        name = peril.account.removeprefix(CLAIMS_ACCOUNT_PREFIX)
        if name == peril.account or not name or not all(part[:1].isupper() for part in name.split(":")):
            source.fail(
                f"perils[{index}].account",
                f"must be an account {CLAIMS_ACCOUNT_PREFIX}<Name>, got {peril.account!r}",
            )


def _check_policy_years(source: Source, years: Sequence[PolicyYear]) -> None:
    for index, year in enumerate(years):
        if year.ends < year.starts:
            source.fail(f"policy_years[{index}].ends", "must not be before starts")
        if index and year.starts <= years[index - 1].ends:
            source.fail(
                f"policy_years[{index}].starts",
                "policy years must be listed oldest first and must not overlap",
            )


def _rule_versions(
    source: Source, entries: Sequence[Mapping[str, Any]], perils: tuple[Peril, ...]
) -> tuple[RuleVersion, ...]:
    """Decode each rule version over what it inherits from the one before, and check their order."""
    versions: list[RuleVersion] = []
    inherited: dict[str, Any] = {}
    for index, entry in enumerate(entries):
        key = f"rule_versions[{index}]"
        merged = _deep_merge(inherited, entry)
        inherited = {k: v for k, v in merged.items() if k not in _NOT_INHERITED}
        version = _rule_version(source, key, source.decode(_RuleVersionFile, merged, key=key), perils)
        if versions and version.effective_from <= versions[-1].effective_from:
            source.fail(
                f"{key}.effective_from", "rule versions must be listed oldest first, with distinct dates"
            )
        if any(v.version == version.version for v in versions):
            source.fail(f"{key}.version", f"version {version.version!r} is used twice")
        versions.append(version)
    return tuple(versions)


def _rule_version(source: Source, key: str, file: _RuleVersionFile, perils: tuple[Peril, ...]) -> RuleVersion:
    """Expand one decoded rule version into every peril's limits and head terms."""
    codes = [peril.code for peril in perils]
    for code in file.perils:
        if code not in codes:
            source.fail(f"{key}.perils.{code}", _unknown_peril(code, perils))
    rules: dict[str, PerilRules] = {}
    for peril in perils:
        override = file.perils.get(peril.code, _PerilOverride())
        for head in override.heads:
            if head not in peril.heads:
                source.fail(
                    f"{key}.perils.{peril.code}.heads.{head}", f"peril {peril.code} does not cover this head"
                )
        heads: dict[BenefitHead, HeadTerms] = {}
        for head in peril.heads:
            base, change = file.heads.get(head), override.heads.get(head)
            if base is None and (change is None or change.limit_fen is None):
                where = f"{key}.heads.{head}" if change is None else f"{key}.perils.{peril.code}.heads.{head}"
                source.fail(f"{where}.limit", f"is required: peril {peril.code} covers {head}")
            heads[head] = _changed(base, change)
        per_peril_year = override.per_peril_year_fen
        rules[peril.code] = PerilRules(
            per_peril_year_fen=file.per_peril_year_fen if per_peril_year is None else per_peril_year,
            heads=MappingProxyType(heads),
        )
    return RuleVersion(
        version=file.version,
        effective_from=file.effective_from,
        note=file.note,
        per_event_fen=file.per_event_fen,
        per_policy_year_fen=file.per_policy_year_fen,
        per_household_event_fen=file.per_household_event_fen,
        second_approval_above_fen=file.second_approval_above_fen,
        duplicate_window_days=file.duplicate_window_days,
        uplift=file.uplift,
        perils=MappingProxyType(rules),
    )


def _changed(base: HeadTerms | None, change: _HeadOverride | None) -> HeadTerms:
    """Return ``base`` with the values ``change`` sets; one of them has a limit (checked by the caller)."""
    if change is None:
        assert base is not None
        return base
    values = {name: value for name, value in msgspec.structs.asdict(change).items() if value is not None}
    return msgspec.structs.replace(base, **values) if base is not None else HeadTerms(**values)


def _requirements(
    source: Source, documents: Mapping[str, _Names], groups: Mapping[str, _DocumentGroup]
) -> dict[str, RequiredDocument]:
    """Every checklist entry by code: each document type alone, then the "any N of" groups."""
    found = {
        code: RequiredDocument(code=code, cn=names.cn, en=names.en, need=1, of=(code,))
        for code, names in documents.items()
    }
    for code, group in groups.items():
        key = f"document_groups.{code}"
        if code in documents:
            source.fail(key, "a group cannot share its code with a document type")
        for member in group.of:
            if member not in documents:
                source.fail(f"{key}.of", f"{member!r} is not a document type")
        if group.need > len(group.of):
            source.fail(f"{key}.need", f"needs {group.need} of only {len(group.of)} documents")
        found[code] = RequiredDocument(code=code, cn=group.cn, en=group.en, need=group.need, of=group.of)
    return found


def _checklist(
    source: Source,
    checklist: _Checklist,
    perils: tuple[Peril, ...],
    requirements: Mapping[str, RequiredDocument],
) -> ChecklistRules:
    """Check that every listed code is a document or group, and every peril and head is configured."""
    listed = [("checklist.all", checklist.all)]
    listed += [(f"checklist.heads.{head}", codes) for head, codes in checklist.heads.items()]
    for code, by_key in checklist.perils.items():
        peril = next((p for p in perils if p.code == code), None)
        if peril is None:
            source.fail(f"checklist.perils.{code}", _unknown_peril(code, perils))
        allowed = ["all", *peril.heads]
        for name, codes in by_key.items():
            if name not in allowed:
                source.fail(
                    f"checklist.perils.{code}.{name}", "unknown key; allowed here: " + ", ".join(allowed)
                )
            listed.append((f"checklist.perils.{code}.{name}", codes))
    for key, codes in listed:
        for code in codes:
            if code not in requirements:
                source.fail(key, f"{code!r} is neither a document type nor a document group")
    return ChecklistRules(
        all=checklist.all,
        heads=MappingProxyType(dict(checklist.heads)),
        perils=MappingProxyType({code: MappingProxyType(dict(by)) for code, by in checklist.perils.items()}),
    )


def _unknown_peril(code: str, perils: Iterable[Peril]) -> str:
    return f"unknown peril {code!r}; {_peril_rule(p.code for p in perils)}"


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` updated by ``override``; tables merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
