"""Assessing a claim line: the checks of a line, the calculation with its trail, lowering with a reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from ledger.claims.domain.limits import LimitLayer, LimitUsage, check_fen
from ledger.claims.domain.status import member_of
from ledger.claims.errors import AboveRuleAmount, ReasonRequired
from ledger.claims.policy import BenefitHead, HeadTerms, RuleVersion
from ledger.core.errors import InvalidInput
from ledger.core.money import Fen, format_cny, percent_of


@dataclass(frozen=True, slots=True)
class Step:
    """One line of an assessment's explanation trail.

    Args:
        code: stable code: ``claimed``, ``unreimbursed``, ``deductible``, ``coinsurance``, ``limit``,
            ``uplift``, ``grade_ratio``, ``head_remaining``, ``household_remaining``,
            ``event_remaining``, ``peril_year_remaining``, ``policy_year_remaining``, ``payable``,
            ``lowered``.
        label_en: English label.
        label_cn: Chinese label.
        amount_fen: the running amount after this step.
        value_fen: the step's money figure (the limit, what remains of it, the deductible), if any.
        percent: the step's percentage (co-insurance, uplift, grade ratio), if any.
        note: how the figure came about, and whether it cut the amount or a limit is exhausted.
        note_cn: the same in Chinese, for the pages (empty where the note is the user's own words).
    """

    code: str
    label_en: str
    label_cn: str
    amount_fen: Fen
    value_fen: Fen | None = None
    percent: Decimal | None = None
    note: str = ""
    note_cn: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    """The assessed payable amount of one benefit line, with the trail that explains it.

    Args:
        rule_version: the ``RuleVersion.version`` it was computed under (store it).
        peril: the peril code.
        head: the benefit head.
        claimed_fen: what was claimed.
        rule_fen: what the rules allow: the ceiling for any later lowering.
        payable_fen: what is payable now (``rule_fen`` unless lowered with a reason).
        limited_by: the limit layer that last cut the amount (``None`` if no limit did).
        exceeds_event_limit: whether this line takes its event past the per-event limit, so the
            event's payouts must be scaled back (``scale_back``).
        trail: the explanation, step by step.
        grade: the disability grade, for the disability head.
        uplift_applied: whether the 低保/特困 uplift raised the limit.
        lowered_reason: the reason given when the amount was lowered (empty otherwise).
    """

    rule_version: str
    peril: str
    head: BenefitHead
    claimed_fen: Fen
    rule_fen: Fen
    payable_fen: Fen
    limited_by: LimitLayer | None
    exceeds_event_limit: bool
    trail: tuple[Step, ...]
    grade: int | None = None
    uplift_applied: bool = False
    lowered_reason: str = ""

    @property
    def lowered(self) -> bool:
        """Whether the payable amount was lowered below what the rules allow."""
        return self.payable_fen < self.rule_fen


def as_head(value: BenefitHead | str, where: str = "") -> BenefitHead:
    """``value`` as a benefit head (``field`` ``head``, after the prefix ``where``)."""
    return member_of(BenefitHead, value, f"{where}head", "benefit head")


def check_line(
    head: BenefitHead | str,
    claimed_fen: Fen,
    *,
    grade: int | None = None,
    unreimbursed_fen: Fen | None = None,
    where: str = "",
) -> BenefitHead:
    """Check one benefit line on its own: a known head, a grade only (and always) for disability, an
    unreimbursed part only for medical and at most the claimed amount. Returns the head.

    Args:
        head: the benefit head.
        claimed_fen: what is claimed under it (>= 0).
        grade: the disability grade 1..10, ``None`` for other heads.
        unreimbursed_fen: medical only: the part 医保 left unpaid, or ``None``.
        where: prefix of the field names in errors, e.g. ``"lines[0]."``.

    Raises:
        InvalidInput: ``field`` ``head``, ``claimed``, ``grade`` or ``unreimbursed`` after ``where``.
    """
    head = as_head(head, where)
    check_fen(claimed_fen, f"{where}claimed")
    if head is BenefitHead.DISABILITY:
        if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 10:
            raise InvalidInput(
                f"disability needs a grade from 1 to 10: got {grade!r}",
                field=f"{where}grade",
                rule="integer 1..10",
            )
    elif grade is not None:
        raise InvalidInput(
            f"a grade applies only to disability, not {head}",
            field=f"{where}grade",
            rule="only for disability",
        )
    if unreimbursed_fen is not None:
        if head is not BenefitHead.MEDICAL:
            raise InvalidInput(
                f"an unreimbursed amount applies only to medical, not {head}",
                field=f"{where}unreimbursed",
                rule="only for medical",
            )
        check_fen(unreimbursed_fen, f"{where}unreimbursed")
        if unreimbursed_fen > claimed_fen:
            raise InvalidInput(
                f"unreimbursed {format_cny(unreimbursed_fen)} is more than claimed {format_cny(claimed_fen)}",
                field=f"{where}unreimbursed",
                rule="at most the claimed amount",
            )
    return head


def check_claim_heads(peril: str, heads: Sequence[BenefitHead], covered: Iterable[str], field: str) -> None:
    """Check a claim's heads together: each covered under the peril, and at most one line per head.

    Args:
        peril: the claim's peril code.
        heads: the heads of its lines, in order.
        covered: the heads the peril covers (``PolicyConfig.peril(peril).heads``).
        field: the name of the lines input, e.g. ``"lines"``.

    Raises:
        InvalidInput: ``field`` ``<field>[i].head`` for the first head not covered or claimed twice.
    """
    allowed = tuple(covered)
    seen: set[BenefitHead] = set()
    for index, head in enumerate(heads):
        where = f"{field}[{index}].head"
        if head not in allowed:
            raise InvalidInput(
                f"peril {peril!r} does not cover {head}",
                field=where,
                rule=f"heads covered under {peril}: " + ", ".join(allowed),
            )
        if head in seen:
            raise InvalidInput(f"{head} is claimed twice", field=where, rule="one line per head")
        seen.add(head)


class _Trail:
    """Collects steps and remembers which limit cut the amount last."""

    def __init__(self, amount: Fen) -> None:
        self.amount = amount
        self.steps: list[Step] = []
        self.limited_by: LimitLayer | None = None

    def add(
        self,
        code: str,
        label_en: str,
        label_cn: str,
        *,
        value_fen: Fen | None = None,
        percent: Decimal | None = None,
        note: str = "",
        note_cn: str = "",
    ) -> None:
        self.steps.append(Step(code, label_en, label_cn, self.amount, value_fen, percent, note, note_cn))

    def cap(self, layer: LimitLayer, label_en: str, label_cn: str, limit: Fen, used: Fen) -> None:
        """Cut the amount to what remains of ``limit`` after ``used``."""
        remaining = max(0, limit - used)
        note = f"limit {format_cny(limit)} - used {format_cny(used)} = {format_cny(remaining)}"
        note_cn = f"限额 {format_cny(limit)} − 已使用 {format_cny(used)} = {format_cny(remaining)}"
        if self.amount > remaining:
            if remaining == 0:
                note += f"; {layer.value} limit exhausted"
                note_cn += "；该限额已用完"
            note += f"; cuts {format_cny(self.amount)} to {format_cny(remaining)}"
            note_cn += f"；由 {format_cny(self.amount)} 调减至 {format_cny(remaining)}"
            self.amount = remaining
            self.limited_by = layer
        self.add(
            f"{layer.value}_remaining", label_en, label_cn, value_fen=remaining, note=note, note_cn=note_cn
        )


def assess_line(
    rules: RuleVersion,
    peril: str,
    head: BenefitHead | str,
    claimed_fen: Fen,
    *,
    grade: int | None = None,
    unreimbursed_fen: Fen | None = None,
    household_uplift: bool,
    usage: LimitUsage,
) -> Assessment:
    """Compute the payable amount of one benefit line and explain it.

    Order: claimed -> (medical: the part 医保 left unpaid) -> less deductible -> co-insurance share ->
    capped at the head limit (raised by the uplift, times the grade ratio for disability) less what this
    person/household already used of it -> capped at what remains of the household, peril-year and
    policy-year limits. The per-event limit is reported (``event_remaining`` step,
    ``exceeds_event_limit``) but not applied per line: when an event's approved total exceeds it, all
    its payouts are scaled back pro rata with ``scale_back``.

    Args:
        rules: the rule version in force on the incident date (``PolicyConfig.rules_on``).
        peril: the peril code.
        head: the benefit head.
        claimed_fen: what the claimant asks for under this head (>= 0). Death, property and
            resettlement pay it up to the limit; disability pays it up to limit × grade ratio.
        grade: disability grade 1..10 (grade 1 = 100 %, each grade 10 points less, grade 10 = 10 %);
            required for disability, refused for other heads.
        unreimbursed_fen: medical only: the part of the cost basic medical insurance (医保) left
            unpaid, at most ``claimed_fen``; ``None`` takes the whole claimed amount as unreimbursed.
        household_uplift: whether the victim's household qualifies for the 低保/特困 uplift
            (``rules.uplift.applies(status)``); ignored, with a note, when the uplift is switched off.
        usage: what is already used of each limit layer.

    Raises:
        InvalidInput: ``field`` ``peril``, ``head``, ``claimed``, ``grade``, ``unreimbursed`` or ``usage``.
    """
    head = as_head(head)
    terms = rules.terms(peril, head)
    peril_rules = rules.peril_rules(peril)
    for name in ("head_fen", "household_fen", "event_fen", "peril_year_fen", "policy_year_fen"):
        check_fen(getattr(usage, name), "usage")
    check_line(head, claimed_fen, grade=grade, unreimbursed_fen=unreimbursed_fen)

    trail = _Trail(claimed_fen)
    _before_limits(trail, head, terms, claimed_fen, unreimbursed_fen)
    uplift_applied = _head_limit(trail, rules, head, terms.limit_fen, grade, household_uplift, usage)
    _wider_limits(trail, rules, peril_rules.per_peril_year_fen, usage)
    exceeds_event = _event_limit(trail, rules, usage)
    trail.add("payable", "payable", "应付金额")
    return Assessment(
        rule_version=rules.version,
        peril=peril,
        head=head,
        claimed_fen=claimed_fen,
        rule_fen=trail.amount,
        payable_fen=trail.amount,
        limited_by=trail.limited_by,
        exceeds_event_limit=exceeds_event,
        trail=tuple(trail.steps),
        grade=grade,
        uplift_applied=uplift_applied,
    )


def _before_limits(
    trail: _Trail, head: BenefitHead, terms: HeadTerms, claimed_fen: Fen, unreimbursed_fen: Fen | None
) -> None:
    """Claimed -> (medical: the part 医保 left unpaid) -> less deductible -> co-insurance share."""
    trail.add("claimed", "claimed", "申请金额")
    if head is BenefitHead.MEDICAL:
        trail.amount = claimed_fen if unreimbursed_fen is None else unreimbursed_fen
        trail.add(
            "unreimbursed",
            "left unpaid by basic medical insurance",
            "医保未报销部分",
            note="taken as the whole claimed amount" if unreimbursed_fen is None else "",
            note_cn="未填写，按申请金额全额计" if unreimbursed_fen is None else "",
        )
    trail.amount = max(0, trail.amount - terms.deductible_fen)
    trail.add("deductible", "less deductible", "扣除免赔额", value_fen=terms.deductible_fen)
    trail.amount = percent_of(trail.amount, terms.coinsurance_percent)
    trail.add(
        "coinsurance",
        "co-insurance share",
        "赔付比例",
        percent=terms.coinsurance_percent,
        note="rounded half up to the fen",
        note_cn="四舍五入到分",
    )


def _head_limit(
    trail: _Trail,
    rules: RuleVersion,
    head: BenefitHead,
    limit: Fen,
    grade: int | None,
    household_uplift: bool,
    usage: LimitUsage,
) -> bool:
    """Cap at the head limit (raised by the uplift, times the grade ratio) less what the person or
    household already used of it; return whether the uplift was applied."""
    unit = "household" if head.per_household else "person"
    unit_cn = "每户" if head.per_household else "每人"
    trail.add("limit", f"{head} limit per {unit}", f"{unit_cn}限额", value_fen=limit)
    uplift_applied = household_uplift and rules.uplift.enabled
    if household_uplift:
        if uplift_applied:
            limit = percent_of(limit, Decimal(100) + rules.uplift.percent)
            trail.add(
                "uplift",
                "低保/特困 household uplift",
                "低保、特困家庭上浮",
                value_fen=limit,
                percent=rules.uplift.percent,
            )
        else:
            trail.add(
                "uplift",
                "低保/特困 household uplift",
                "低保、特困家庭上浮",
                note=f"uplift is switched off in rule version {rules.version}",
                note_cn=f"规则版本 {rules.version} 未启用上浮",
            )
    if grade is not None:
        ratio = Decimal(110 - 10 * grade)
        limit = percent_of(limit, ratio)
        trail.add(
            "grade_ratio",
            f"disability grade {grade} ratio",
            f"伤残{grade}级赔付比例",
            value_fen=limit,
            percent=ratio,
        )
    trail.cap(
        LimitLayer.HEAD,
        f"remaining {head} limit of this {unit}",
        f"{unit_cn}该项剩余限额",
        limit,
        usage.head_fen,
    )
    return uplift_applied


def _wider_limits(trail: _Trail, rules: RuleVersion, per_peril_year_fen: Fen, usage: LimitUsage) -> None:
    """Cap at what remains of the household, peril-year and policy-year limits."""
    if rules.per_household_event_fen is not None:
        trail.cap(
            LimitLayer.HOUSEHOLD,
            "remaining household limit for the event",
            "每户每次事故剩余限额",
            rules.per_household_event_fen,
            usage.household_fen,
        )
    trail.cap(
        LimitLayer.PERIL_YEAR,
        "remaining peril limit for the policy year",
        "该险种年度剩余限额",
        per_peril_year_fen,
        usage.peril_year_fen,
    )
    trail.cap(
        LimitLayer.POLICY_YEAR,
        "remaining policy-year limit",
        "保单年度累计剩余限额",
        rules.per_policy_year_fen,
        usage.policy_year_fen,
    )


def _event_limit(trail: _Trail, rules: RuleVersion, usage: LimitUsage) -> bool:
    """Report what remains of the event's limit (not applied per line); return whether the line
    takes the event past it."""
    event_remaining = max(0, rules.per_event_fen - usage.event_fen)
    exceeds_event = trail.amount > event_remaining
    trail.add(
        "event_remaining",
        "remaining event limit",
        "每次事故剩余限额",
        value_fen=event_remaining,
        note=(
            f"limit {format_cny(rules.per_event_fen)} - used {format_cny(usage.event_fen)}; "
            + (
                "this line takes the event past its limit: scale back all its payouts pro rata"
                if exceeds_event
                else "not applied per line: an event past its limit is scaled back pro rata"
            )
        ),
        note_cn=(
            f"限额 {format_cny(rules.per_event_fen)} − 已使用 {format_cny(usage.event_fen)}；"
            + (
                "本项使该事故超过限额：其全部赔付按比例调减"
                if exceeds_event
                else "不逐项适用：事故超过限额时按比例调减"
            )
        ),
    )
    return exceeds_event


def lower_amount(assessment: Assessment, new_fen: Fen, reason: str) -> Assessment:
    """Return ``assessment`` with its payable amount lowered by the adjuster or approver.

    Args:
        assessment: the line as assessed (possibly already lowered).
        new_fen: the new payable amount; at most ``assessment.rule_fen`` (what the rules allow), so a
            lowered amount may be raised again, but never above the rule.
        reason: why; must not be blank. It is kept as ``lowered_reason`` and in a ``lowered`` step.

    Raises:
        InvalidInput: ``field="amount"`` for a negative or non-integer amount.
        AboveRuleAmount: ``field="amount"`` when ``new_fen`` is above the rule amount.
        ReasonRequired: ``field="reason"`` when the reason is blank.
    """
    check_fen(new_fen, "amount")
    if new_fen > assessment.rule_fen:
        ceiling = format_cny(assessment.rule_fen)
        raise AboveRuleAmount(
            f"{format_cny(new_fen)} is above what the rules allow for this line: {ceiling}",
            field="amount",
            rule=f"at most the rule amount {ceiling}",
        )
    if not reason.strip():
        raise ReasonRequired(
            "lowering an assessed amount needs a reason", field="reason", rule="non-empty reason"
        )
    step = Step(
        "lowered",
        "lowered by the adjuster",
        "人工调减",
        new_fen,
        value_fen=assessment.rule_fen,
        note=reason.strip(),
    )
    return replace(
        assessment, payable_fen=new_fen, lowered_reason=reason.strip(), trail=(*assessment.trail, step)
    )
