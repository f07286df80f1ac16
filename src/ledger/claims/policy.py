"""Policy configuration of the relief insurance: perils, benefit heads, versioned limits, clocks, documents.

The configuration is data (``ledger/config/policy.toml`` ships the defaults of BRIEF §2); this module
reads it into frozen value objects and refuses a bad file with a ``PolicyConfigError`` that names the
file, the key and the rule. Money in the file is a decimal string in yuan and becomes integer fen here,
through ``ledger.core.money``; no float is ever involved.

Typical use::

    policy = load_policy()                      # the shipped file, or load_policy(settings.policy_file)
    peril = policy.peril("fire_explosion")      # InvalidInput(field="peril") for an unknown code
    rules = policy.rules_on(incident_date)      # the limits in force on that date; store rules.version
    terms = rules.terms(peril.code, BenefitHead.MEDICAL)

Pure: no database, web or Beancount imports; reading the file is the only I/O.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from ledger.core.errors import InvalidInput
from ledger.core.money import Fen, from_decimal

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
    "PolicyConfigError",
    "PolicyYear",
    "RejectionReason",
    "RequiredDocument",
    "RuleVersion",
    "Uplift",
    "UploadLimits",
    "load_policy",
]

DEFAULT_POLICY_FILE = Path(__file__).resolve().parents[1] / "config" / "policy.toml"
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


class PolicyConfigError(ValueError):
    """The policy configuration file is invalid; the message names the file, the key and the rule."""


# --------------------------------------------------------------------------------------------------
# Value objects


@dataclass(frozen=True, slots=True)
class District:
    """The district the policy covers.

    Args:
        name: Chinese name, e.g. ``城阳区``.
        en: English name.
        streets: the streets (街道) of the district, in configured order.
    """

    name: str
    en: str
    streets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HeadInfo:
    """Display names of a benefit head.

    Args:
        code: the head.
        cn: Chinese name.
        en: English name.
    """

    code: BenefitHead
    cn: str
    en: str


@dataclass(frozen=True, slots=True)
class Peril:
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

    code: str
    cn: str
    en: str
    account: str
    heads: tuple[BenefitHead, ...]
    authority: str


@dataclass(frozen=True, slots=True)
class PolicyYear:
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

    code: str
    insurer: str
    policyholder: str
    starts: dt.date
    ends: dt.date
    insured_population: int
    premium_fen: Fen

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` lies in the policy period (both ends inclusive)."""
        return self.starts <= day <= self.ends


@dataclass(frozen=True, slots=True)
class HeadTerms:
    """The terms of one benefit head under one peril in one rule version.

    Args:
        limit_fen: limit per person (or per household for property/resettlement) per event, before
            any 低保/特困 uplift and, for disability, before the grade ratio.
        deductible_fen: subtracted from the amount before co-insurance (default 0).
        coinsurance_percent: the share the programme pays, 0 < p <= 100 (default 100; medical 90).
    """

    limit_fen: Fen
    deductible_fen: Fen
    coinsurance_percent: Decimal


@dataclass(frozen=True, slots=True)
class PerilRules:
    """One peril's limits in one rule version.

    Args:
        per_peril_year_fen: everything paid under this peril in one policy year.
        heads: terms per benefit head; only the heads the peril covers are present.
    """

    per_peril_year_fen: Fen
    heads: Mapping[BenefitHead, HeadTerms]


@dataclass(frozen=True, slots=True)
class Uplift:
    """Raised head limits for households in hardship (Weifang: +30 % for 低保/特困).

    Args:
        enabled: whether the uplift applies at all.
        percent: the raise, e.g. ``Decimal("30")`` makes a 100,000 limit 130,000.
        applies_to: household status codes that qualify, e.g. ``{"dibao", "tekun"}``.
    """

    enabled: bool
    percent: Decimal
    applies_to: frozenset[str]

    def applies(self, household_status: str | None) -> bool:
        """Whether a household with ``household_status`` (``None`` = ordinary) gets the uplift.

        Pass the result to ``domain.assess_line(household_uplift=...)``.
        """
        return self.enabled and household_status is not None and household_status in self.applies_to


@dataclass(frozen=True, slots=True)
class RuleVersion:
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


@dataclass(frozen=True, slots=True)
class Clocks:
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

    decision_days: int
    payment_days: int
    rejection_notice_days: int
    advance_payment_days: int
    limitation_years: int
    same_day_payment_up_to_fen: Fen


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """Limits on uploaded claim documents.

    Args:
        max_bytes: the largest accepted upload.
        content_types: accepted MIME types, lower case, e.g. ``application/pdf``.
    """

    max_bytes: int
    content_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DocumentType:
    """A kind of claim document.

    Args:
        code: stable code, e.g. ``cremation_certificate``.
        cn: Chinese name.
        en: English name.
    """

    code: str
    cn: str
    en: str


@dataclass(frozen=True, slots=True)
class RequiredDocument:
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


@dataclass(frozen=True, slots=True)
class ChecklistRules:
    """Which documents each claim needs (codes of documents or groups).

    Args:
        all: needed by every claim.
        heads: needed per claimed benefit head, under every peril.
        perils: per peril code, ``"all"`` (every claim under the peril) and per head code.
    """

    all: tuple[str, ...]
    heads: Mapping[BenefitHead, tuple[str, ...]]
    perils: Mapping[str, Mapping[str, tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class RejectionReason:
    """A coded reason for rejecting a claim.

    Args:
        code: e.g. ``limit_exhausted``.
        cn: Chinese text for the rejection notice.
        en: English text.
    """

    code: str
    cn: str
    en: str


@dataclass(frozen=True, slots=True)
class PolicyConfig:
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
    """Read and check the policy configuration.

    Args:
        path: the TOML file; ``None`` reads the shipped ``ledger/config/policy.toml``.

    Raises:
        PolicyConfigError: (a ``ValueError``) naming the file, the key and the rule it breaks, when
            the file is missing, is not TOML, or any value is wrong.
    """
    source = Path(path) if path is not None else DEFAULT_POLICY_FILE
    try:
        with source.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise PolicyConfigError(f"{source}: policy file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyConfigError(f"{source}: not valid TOML: {exc}") from None
    return _Loader(source).policy(raw)


_HEAD_KEYS = ("limit", "deductible", "coinsurance_percent")
_VERSION_KEYS = (
    "version",
    "effective_from",
    "note",
    "per_event",
    "per_peril_year",
    "per_policy_year",
    "per_household_event",
    "second_approval_above",
    "duplicate_window_days",
    "uplift",
    "heads",
    "perils",
)
_NOT_INHERITED = ("version", "effective_from", "note")


class _Table:
    """A TOML table with the dotted path it came from, so every error names the key."""

    def __init__(self, raw: object, where: str, loader: _Loader) -> None:
        self.where = where
        self.loader = loader
        if not isinstance(raw, dict):
            loader.fail(where, f"must be a table, got {type(raw).__name__}")
        self.raw: dict[str, Any] = raw

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, message: str) -> NoReturn:
        self.loader.fail(self.path(key), message)

    def only(self, *allowed: str) -> None:
        for key in self.raw:
            if key not in allowed:
                self.fail(key, "unknown key; allowed here: " + ", ".join(allowed))

    def has(self, key: str) -> bool:
        return key in self.raw

    def get(self, key: str) -> Any:
        if key not in self.raw:
            self.fail(key, "is required")
        return self.raw[key]

    def text(self, key: str, *, default: str | None = None) -> str:
        if default is not None and key not in self.raw:
            return default
        value = self.get(key)
        if not isinstance(value, str) or (default is None and not value.strip()):
            self.fail(key, f"must be a non-empty string, got {value!r}")
        return str(value)

    def texts(self, key: str, *, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        if default is not None and key not in self.raw:
            return default
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, f"must be a list of non-empty strings, got {value!r}")
        if len(set(value)) != len(value):
            self.fail(key, f"lists a value twice: {value!r}")
        return tuple(value)

    def money(self, key: str) -> Fen:
        value = self.get(key)
        example = 'a decimal string in yuan such as "100000.00" (never a TOML number)'
        if not isinstance(value, str):
            self.fail(key, f"must be {example}, got {value!r}")
        try:
            amount = Decimal(value.strip())
            fen = from_decimal(amount, field=self.path(key))
        except (InvalidOperation, InvalidInput):
            self.fail(key, f"must be {example} with at most 2 decimal places, got {value!r}")
        if fen < 0:
            self.fail(key, f"must not be negative, got {value!r}")
        return fen

    def money_or_none(self, key: str) -> Fen | None:
        return self.money(key) if key in self.raw else None

    def percent(self, key: str, *, low: Decimal, high: Decimal | None, low_inclusive: bool = True) -> Decimal:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.fail(key, f'must be an integer or a decimal string such as "90", got {value!r}')
        try:
            percent = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(key, f'must be an integer or a decimal string such as "90", got {value!r}')
        if not percent.is_finite():
            self.fail(key, f"must be a finite number, got {value!r}")
        too_low = percent < low if low_inclusive else percent <= low
        if too_low or (high is not None and percent > high):
            bounds = f"{'>=' if low_inclusive else '>'} {low}" + (
                f" and <= {high}" if high is not None else ""
            )
            self.fail(key, f"must be {bounds}, got {value!r}")
        return percent

    def integer(self, key: str, *, minimum: int) -> int:
        value = self.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(key, f"must be an integer >= {minimum}, got {value!r}")
        return int(value)

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            self.fail(key, f"must be true or false, got {value!r}")
        return bool(value)

    def date(self, key: str) -> dt.date:
        value = self.get(key)
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self.fail(key, f"must be a TOML date such as 2026-01-01, got {value!r}")
        return value

    def table(self, key: str, *, optional: bool = False) -> _Table:
        if optional and key not in self.raw:
            return _Table({}, self.path(key), self.loader)
        return _Table(self.get(key), self.path(key), self.loader)

    def array(self, key: str) -> list[_Table]:
        value = self.get(key)
        if not isinstance(value, list) or not value:
            self.fail(key, "must be a non-empty array of tables ([[...]])")
        return [_Table(item, f"{self.path(key)}[{i}]", self.loader) for i, item in enumerate(value)]

    def subtables(self) -> Iterator[tuple[str, _Table]]:
        for key, value in self.raw.items():
            yield key, _Table(value, self.path(key), self.loader)


class _Loader:
    """Builds a ``PolicyConfig`` from the parsed TOML, failing with the file name on every error."""

    def __init__(self, source: Path) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> NoReturn:
        raise PolicyConfigError(f"{self.source}: {where}: {message}")

    def policy(self, raw: dict[str, Any]) -> PolicyConfig:
        top = _Table(raw, "", self)
        top.only(
            "schema",
            "district",
            "policy_years",
            "benefit_heads",
            "perils",
            "rule_versions",
            "clocks",
            "uploads",
            "documents",
            "document_groups",
            "checklist",
            "rejection_reasons",
        )
        if top.integer("schema", minimum=1) != 1:
            top.fail("schema", "only schema 1 is understood")
        perils = self.perils(top)
        documents = self.documents(top.table("documents"))
        requirements = self.requirements(top.table("document_groups", optional=True), documents)
        return PolicyConfig(
            source=self.source,
            district=self.district(top.table("district")),
            heads=self.heads(top.table("benefit_heads")),
            perils=perils,
            policy_years=self.policy_years(top),
            rule_versions=self.rule_versions(top, perils),
            clocks=self.clocks(top.table("clocks")),
            uploads=self.uploads(top.table("uploads")),
            documents=MappingProxyType(documents),
            requirements=MappingProxyType(requirements),
            checklist=self.checklist(top.table("checklist"), perils, requirements),
            rejection_reasons=self.rejection_reasons(top.table("rejection_reasons")),
        )

    def district(self, table: _Table) -> District:
        table.only("name", "en", "streets")
        return District(name=table.text("name"), en=table.text("en"), streets=table.texts("streets"))

    def heads(self, table: _Table) -> Mapping[BenefitHead, HeadInfo]:
        heads: dict[BenefitHead, HeadInfo] = {}
        for key, item in table.subtables():
            head = self.head_code(table, key)
            item.only("cn", "en")
            heads[head] = HeadInfo(code=head, cn=item.text("cn"), en=item.text("en"))
        missing = [h.value for h in BenefitHead if h not in heads]
        if missing:
            self.fail(table.where, "names every benefit head; missing: " + ", ".join(missing))
        return MappingProxyType({h: heads[h] for h in BenefitHead})

    def head_code(self, table: _Table, key: str) -> BenefitHead:
        try:
            return BenefitHead(key)
        except ValueError:
            table.fail(key, "unknown benefit head; one of " + ", ".join(h.value for h in BenefitHead))

    def perils(self, top: _Table) -> tuple[Peril, ...]:
        perils: list[Peril] = []
        for item in top.array("perils"):
            item.only("code", "cn", "en", "account", "heads", "authority")
            code = item.text("code")
            if any(p.code == code for p in perils):
                item.fail("code", f"peril {code!r} is configured twice")
            account = item.text("account")
            suffix = account.removeprefix(CLAIMS_ACCOUNT_PREFIX)
            if suffix == account or not suffix or not all(part[:1].isupper() for part in suffix.split(":")):
                item.fail("account", f"must be an account {CLAIMS_ACCOUNT_PREFIX}<Name>, got {account!r}")
            heads = tuple(self.head_code(item, h) for h in item.texts("heads"))
            if not heads:
                item.fail("heads", "must name at least one benefit head")
            perils.append(
                Peril(
                    code=code,
                    cn=item.text("cn"),
                    en=item.text("en"),
                    account=account,
                    heads=heads,
                    authority=item.text("authority"),
                )
            )
        return tuple(perils)

    def policy_years(self, top: _Table) -> tuple[PolicyYear, ...]:
        years: list[PolicyYear] = []
        for item in top.array("policy_years"):
            item.only("code", "insurer", "policyholder", "starts", "ends", "insured_population", "premium")
            year = PolicyYear(
                code=item.text("code"),
                insurer=item.text("insurer"),
                policyholder=item.text("policyholder"),
                starts=item.date("starts"),
                ends=item.date("ends"),
                insured_population=item.integer("insured_population", minimum=1),
                premium_fen=item.money("premium"),
            )
            if year.ends < year.starts:
                item.fail("ends", "must not be before starts")
            if years and year.starts <= years[-1].ends:
                item.fail("starts", "policy years must be listed oldest first and must not overlap")
            years.append(year)
        return tuple(years)

    def rule_versions(self, top: _Table, perils: tuple[Peril, ...]) -> tuple[RuleVersion, ...]:
        versions: list[RuleVersion] = []
        inherited: dict[str, Any] = {}
        for item in top.array("rule_versions"):
            item.only(*_VERSION_KEYS)
            merged = _deep_merge(inherited, item.raw)
            inherited = {k: v for k, v in merged.items() if k not in _NOT_INHERITED}
            version = self.rule_version(_Table(merged, item.where, self), perils)
            if versions and version.effective_from <= versions[-1].effective_from:
                item.fail("effective_from", "rule versions must be listed oldest first, with distinct dates")
            if any(v.version == version.version for v in versions):
                item.fail("version", f"version {version.version!r} is used twice")
            versions.append(version)
        return tuple(versions)

    def rule_version(self, table: _Table, perils: tuple[Peril, ...]) -> RuleVersion:
        uplift = table.table("uplift")
        uplift.only("enabled", "percent", "applies_to")
        default_heads = table.table("heads", optional=True)
        for key, _item in default_heads.subtables():
            self.head_code(default_heads, key)
        overrides = table.table("perils", optional=True)
        codes = [p.code for p in perils]
        for key in overrides.raw:
            if key not in codes:
                overrides.fail(key, _peril_rule(codes))
        per_peril_year = table.money("per_peril_year")
        rules: dict[str, PerilRules] = {}
        for peril in perils:
            override = overrides.table(peril.code, optional=True)
            override.only("per_peril_year", "heads")
            head_overrides = override.table("heads", optional=True)
            for key, _sub in head_overrides.subtables():
                if self.head_code(head_overrides, key) not in peril.heads:
                    head_overrides.fail(key, f"peril {peril.code} does not cover this head")
            heads: dict[BenefitHead, HeadTerms] = {}
            for head in peril.heads:
                where = (head_overrides if head_overrides.has(head.value) else default_heads).path(head.value)
                raw = _deep_merge(
                    default_heads.raw.get(head.value, {}), head_overrides.raw.get(head.value, {})
                )
                heads[head] = self.head_terms(_Table(raw, where, self))
            rules[peril.code] = PerilRules(
                per_peril_year_fen=(
                    override.money("per_peril_year") if override.has("per_peril_year") else per_peril_year
                ),
                heads=MappingProxyType(heads),
            )
        return RuleVersion(
            version=table.text("version"),
            effective_from=table.date("effective_from"),
            note=table.text("note", default=""),
            per_event_fen=table.money("per_event"),
            per_policy_year_fen=table.money("per_policy_year"),
            per_household_event_fen=table.money_or_none("per_household_event"),
            second_approval_above_fen=table.money("second_approval_above"),
            duplicate_window_days=table.integer("duplicate_window_days", minimum=0),
            uplift=Uplift(
                enabled=uplift.flag("enabled"),
                percent=uplift.percent("percent", low=Decimal(0), high=None),
                applies_to=frozenset(uplift.texts("applies_to", default=())),
            ),
            perils=MappingProxyType(rules),
        )

    def head_terms(self, table: _Table) -> HeadTerms:
        table.only(*_HEAD_KEYS)
        return HeadTerms(
            limit_fen=table.money("limit"),
            deductible_fen=table.money("deductible") if table.has("deductible") else 0,
            coinsurance_percent=(
                table.percent("coinsurance_percent", low=Decimal(0), high=Decimal(100), low_inclusive=False)
                if table.has("coinsurance_percent")
                else Decimal(100)
            ),
        )

    def clocks(self, table: _Table) -> Clocks:
        table.only(
            "decision_days",
            "payment_days",
            "rejection_notice_days",
            "advance_payment_days",
            "limitation_years",
            "same_day_payment_up_to",
        )
        return Clocks(
            decision_days=table.integer("decision_days", minimum=1),
            payment_days=table.integer("payment_days", minimum=0),
            rejection_notice_days=table.integer("rejection_notice_days", minimum=0),
            advance_payment_days=table.integer("advance_payment_days", minimum=1),
            limitation_years=table.integer("limitation_years", minimum=1),
            same_day_payment_up_to_fen=(
                table.money("same_day_payment_up_to") if table.has("same_day_payment_up_to") else 0
            ),
        )

    def uploads(self, table: _Table) -> UploadLimits:
        table.only("max_bytes", "content_types")
        types = table.texts("content_types")
        if not types:
            table.fail("content_types", "must list at least one content type")
        return UploadLimits(
            max_bytes=table.integer("max_bytes", minimum=1),
            content_types=tuple(t.strip().lower() for t in types),
        )

    def documents(self, table: _Table) -> dict[str, DocumentType]:
        documents: dict[str, DocumentType] = {}
        for code, item in table.subtables():
            item.only("cn", "en")
            documents[code] = DocumentType(code=code, cn=item.text("cn"), en=item.text("en"))
        if not documents:
            self.fail(table.where, "must define at least one document type")
        return documents

    def requirements(
        self, groups: _Table, documents: Mapping[str, DocumentType]
    ) -> dict[str, RequiredDocument]:
        found = {
            code: RequiredDocument(code=code, cn=doc.cn, en=doc.en, need=1, of=(code,))
            for code, doc in documents.items()
        }
        for code, item in groups.subtables():
            item.only("cn", "en", "need", "of")
            if code in documents:
                groups.fail(code, "a group cannot share its code with a document type")
            members = item.texts("of")
            for member in members:
                if member not in documents:
                    item.fail("of", f"{member!r} is not a document type")
            need = item.integer("need", minimum=1)
            if need > len(members):
                item.fail("need", f"needs {need} of only {len(members)} documents")
            found[code] = RequiredDocument(
                code=code, cn=item.text("cn"), en=item.text("en"), need=need, of=members
            )
        return found

    def checklist(
        self, table: _Table, perils: tuple[Peril, ...], requirements: Mapping[str, RequiredDocument]
    ) -> ChecklistRules:
        table.only("all", "heads", "perils")

        def codes(where: _Table, key: str) -> tuple[str, ...]:
            listed = where.texts(key)
            for code in listed:
                if code not in requirements:
                    where.fail(key, f"{code!r} is neither a document type nor a document group")
            return listed

        heads_table = table.table("heads", optional=True)
        heads = {self.head_code(heads_table, key): codes(heads_table, key) for key in heads_table.raw}
        perils_table = table.table("perils", optional=True)
        by_peril: dict[str, Mapping[str, tuple[str, ...]]] = {}
        for code, item in perils_table.subtables():
            peril = next((p for p in perils if p.code == code), None)
            if peril is None:
                perils_table.fail(code, _peril_rule(p.code for p in perils))
            item.only("all", *(h.value for h in peril.heads))
            by_peril[code] = MappingProxyType({key: codes(item, key) for key in item.raw})
        return ChecklistRules(
            all=codes(table, "all"), heads=MappingProxyType(heads), perils=MappingProxyType(by_peril)
        )

    def rejection_reasons(self, table: _Table) -> Mapping[str, RejectionReason]:
        reasons: dict[str, RejectionReason] = {}
        for code, item in table.subtables():
            item.only("cn", "en")
            reasons[code] = RejectionReason(code=code, cn=item.text("cn"), en=item.text("en"))
        if not reasons:
            self.fail(table.where, "must define at least one rejection reason")
        return MappingProxyType(reasons)


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` updated by ``override``; tables merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
