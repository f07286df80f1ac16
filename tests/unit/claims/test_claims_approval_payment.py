"""Approval (four eyes, second approver), payments and their postings, and duplicate relief."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.claims.domain import (
    INSURANCE_BANK_ACCOUNT,
    PREMIUM_INCOME_ACCOUNT,
    ApprovedAboveAssessed,
    ClaimAction,
    ClaimStatus,
    DuplicateClaim,
    ExistingClaim,
    FourEyesViolation,
    Overpayment,
    PaymentKind,
    PaymentNotAllowed,
    ReasonRequired,
    approval_ceiling,
    approvals_required,
    approved_reduction,
    check_duplicate,
    check_four_eyes,
    check_payment,
    find_duplicate,
    needs_second_approval,
    payment_postings,
    premium_postings,
)
from ledger.claims.policy import PolicyConfig, RuleVersion
from ledger.core.errors import Conflict, InvalidInput, PermissionDenied

# ---- approval


def test_an_approver_may_reduce_with_a_reason_but_never_raise() -> None:
    assert approved_reduction(123_456, None, "") is None  # as assessed
    assert approved_reduction(123_456, 123_456, "") is None  # the same amount is no reduction
    assert approved_reduction(123_456, 100_000, "  住院天数核减 ") == 100_000
    assert approved_reduction(123_456, 1, "nominal") == 1
    for wrong in (0, -1, 123_457):
        with pytest.raises(ApprovedAboveAssessed) as info:
            approved_reduction(123_456, wrong, "a reason")
        assert info.value.field == "approved_amount"
        assert info.value.rule == "0 < approved <= assessed"
        assert info.value.extra["assessed"] == "1234.56"
    with pytest.raises(ReasonRequired) as missing:
        approved_reduction(123_456, 100_000, "   ")
    assert missing.value.field == "reduction_reason"
    assert approval_ceiling(123_456, None) == 123_456
    assert approval_ceiling(123_456, 100_000) == 100_000


def test_second_approver_needed_strictly_above_50000(rules: RuleVersion) -> None:
    assert not needs_second_approval(5_000_000, rules)
    assert needs_second_approval(5_000_001, rules)
    assert approvals_required(5_000_000, rules) == 1
    assert approvals_required(10_000_000, rules) == 2


@pytest.mark.parametrize(
    ("decider", "did", "role"),
    [
        ("wang", "registered", "registrar"),
        ("LI ", "assessed", "assessor"),
        ("zhao", "already approved", "first approver"),
    ],
)
def test_four_eyes_refuses_anyone_who_handled_the_claim(decider: str, did: str, role: str) -> None:
    with pytest.raises(FourEyesViolation) as info:
        check_four_eyes(decider, "wang", "li", "zhao")
    assert isinstance(info.value, PermissionDenied)  # answered 403: who decides, not what is decided
    assert info.value.field == "approver"
    assert info.value.rule == f"four-eyes: the {role} may not approve or reject"
    assert f"{decider} {did} this claim" in info.value.message
    assert "Four eyes" in (FourEyesViolation.__doc__ or "")


def test_four_eyes_lets_a_fresh_approver_decide() -> None:
    check_four_eyes("chen", "wang", "li")
    check_four_eyes("chen", "wang", None, None)
    check_four_eyes("zhao", "wang", "li", "chen")


# ---- payments


APPROVED = 8_000_000  # 80,000.00


def test_advance_interim_then_final_pay_exactly_the_approved_amount() -> None:
    paid = 0
    paid += check_payment(APPROVED, paid, 2_000_000, PaymentKind.ADVANCE)
    paid += check_payment(APPROVED, paid, 3_000_000, PaymentKind.INTERIM)
    final = check_payment(APPROVED, paid, None, PaymentKind.FINAL)
    assert final == 3_000_000
    assert paid + final == APPROVED
    assert check_payment(APPROVED, paid, 3_000_000, "final") == 3_000_000  # type: ignore[arg-type]
    assert check_payment(APPROVED, 0, None, PaymentKind.FINAL) == APPROVED


def test_overpayment_is_refused_with_the_figures() -> None:
    with pytest.raises(Overpayment) as info:
        check_payment(APPROVED, 5_000_000, 4_000_000, PaymentKind.INTERIM)
    assert info.value.message == (
        "payment would exceed the approved amount: approved 80,000.00, paid 50,000.00, asked 40,000.00"
    )
    assert info.value.field == "amount"
    with pytest.raises(Overpayment):
        check_payment(APPROVED, 5_000_000, 3_000_001, PaymentKind.FINAL)


def test_scaled_back_below_what_was_paid_is_an_overpayment() -> None:
    with pytest.raises(Overpayment):
        check_payment(4_000_000, 5_000_000, None, PaymentKind.FINAL)


def test_final_pays_exactly_the_rest_and_part_payments_leave_something() -> None:
    with pytest.raises(PaymentNotAllowed, match=r"pays exactly the rest 30,000\.00"):
        check_payment(APPROVED, 5_000_000, 1_000_000, PaymentKind.FINAL)
    with pytest.raises(PaymentNotAllowed, match="make it the final payment"):
        check_payment(APPROVED, 5_000_000, 3_000_000, PaymentKind.INTERIM)
    with pytest.raises(PaymentNotAllowed, match="nothing is left"):
        check_payment(APPROVED, APPROVED, None, PaymentKind.FINAL)


@pytest.mark.parametrize("amount", [None, 0, -1])
def test_part_payment_needs_a_positive_amount(amount: int | None) -> None:
    with pytest.raises(InvalidInput) as info:
        check_payment(APPROVED, 0, amount, PaymentKind.ADVANCE)
    assert info.value.field == "amount"


def test_payment_kind_maps_to_its_status_action() -> None:
    assert PaymentKind.ADVANCE.action is ClaimAction.PAY_PARTIAL
    assert PaymentKind.INTERIM.action is ClaimAction.PAY_PARTIAL
    assert PaymentKind.FINAL.action is ClaimAction.PAY_FINAL


def test_payment_postings_debit_the_peril_and_credit_the_bank(policy: PolicyConfig) -> None:
    for peril in policy.perils:
        legs = payment_postings(peril.account, 8_000_000)
        assert [(p.account, p.fen, p.currency) for p in legs] == [
            (peril.account, 8_000_000, "CNY"),
            (INSURANCE_BANK_ACCOUNT, -8_000_000, "CNY"),
        ]
        assert sum(p.fen for p in legs) == 0
    assert INSURANCE_BANK_ACCOUNT == "Assets:Insurance:Bank"


def test_premium_postings(policy: PolicyConfig) -> None:
    premium = policy.policy_years[0].premium_fen
    legs = premium_postings(premium)
    assert [(p.account, p.fen) for p in legs] == [
        ("Assets:Insurance:Bank", 350_000_000),
        (PREMIUM_INCOME_ACCOUNT, -350_000_000),
    ]


@pytest.mark.parametrize(
    ("account", "amount", "field"),
    [
        ("Expenses:Charity:Programs", 100, "account"),
        ("Expenses:Insurance:Claims:", 100, "account"),
        ("Expenses:Insurance:Claims:FireExplosion", 0, "amount"),
        ("Expenses:Insurance:Claims:FireExplosion", -100, "amount"),
    ],
)
def test_bad_postings_are_refused(account: str, amount: int, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        payment_postings(account, amount)
    assert info.value.field == field


# ---- duplicates


def claim(
    claim_id: int,
    *,
    victim: str = "11010519491231002X",
    event: int | None = 7,
    peril: str = "fire_explosion",
    day: dt.date = dt.date(2026, 3, 1),
    status: ClaimStatus = ClaimStatus.UNDER_REVIEW,
) -> ExistingClaim:
    """A claim on file; by default for event 7, fire, 2026-03-01, under review."""
    return ExistingClaim(claim_id, victim, event, peril, day, status)


def test_same_victim_same_event_is_a_duplicate() -> None:
    other = claim(1, peril="natural_disaster")
    found = find_duplicate(
        "11010519491231002x", 7, "fire_explosion", dt.date(2026, 3, 2), [other], window_days=365
    )
    assert found is other


def test_same_victim_same_peril_within_the_window() -> None:
    day = dt.date(2026, 3, 1)
    edge = claim(2, event=8, day=day + dt.timedelta(days=365))
    beyond = claim(3, event=9, day=day + dt.timedelta(days=366))
    assert find_duplicate(edge.victim_id, 1, "fire_explosion", day, [edge], window_days=365) is edge
    assert find_duplicate(edge.victim_id, 1, "fire_explosion", day, [beyond], window_days=365) is None
    assert find_duplicate(edge.victim_id, None, "fire_explosion", day, [edge], window_days=365) is edge


def test_not_a_duplicate() -> None:
    day = dt.date(2026, 3, 1)
    others = [
        claim(1, victim="440524188001010014"),  # another person
        claim(2, event=8, peril="natural_disaster"),  # other event, other peril
        claim(3, status=ClaimStatus.WITHDRAWN),  # withdrawn claims never count
        claim(4, status=ClaimStatus.REJECTED),  # nor rejected ones
    ]
    assert find_duplicate("11010519491231002X", 7, "fire_explosion", day, others, window_days=365) is None


def test_same_event_match_wins_over_a_window_match() -> None:
    window = claim(1, event=8)
    same_event = claim(2, peril="natural_disaster")
    found = find_duplicate(
        "11010519491231002X", 7, "fire_explosion", dt.date(2026, 3, 1), [window, same_event], window_days=365
    )
    assert found is same_event


def test_duplicate_refused_naming_the_other_claim_unless_an_approver_overrides() -> None:
    other = claim(41, status=ClaimStatus.PAID)
    check_duplicate(None)
    with pytest.raises(DuplicateClaim) as info:
        check_duplicate(other)
    assert isinstance(info.value, Conflict)
    assert "claim 41" in info.value.message
    assert "11010519491231002X" not in info.value.message  # the ID number is personal data
    assert info.value.extra == {"claim_id": 41}
    with pytest.raises(PermissionDenied):
        check_duplicate(other, override_reason="second injury", overrider_is_approver=False)
    with pytest.raises(ReasonRequired) as reason:
        check_duplicate(other, override_reason=" ", overrider_is_approver=True)
    assert reason.value.field == "override_reason"
    check_duplicate(other, override_reason="separate house fire two months later", overrider_is_approver=True)
