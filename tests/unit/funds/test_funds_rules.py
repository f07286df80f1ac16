"""Rules of calls, applications and grants: matching, four eyes, conflicts of interest, status
machines, tranche schedules and order, review scores, grantees and receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.errors import (
    Conflict,
    FourEyesViolation,
    IllegalTransition,
    InvalidInput,
    PermissionDenied,
    RuleViolation,
)
from ledger.funds import domain as d
from ledger.funds.domain import ApplicationAction, ApplicationStatus, GrantAction, GrantStatus
from ledger.funds.errors import (
    CallBudgetExceeded,
    ConflictOfInterest,
    MatchingRuleBroken,
    OutsideCallWindow,
    ReportNotAccepted,
    TrancheOutOfOrder,
)

HALF = d.MatchingRule()  # the fund pays at most 50%, the rest must be pledged
SOCIAL_ORG = "51370214MJ1234567P"  # registration authority 5 (civil affairs)
COMPANY = "91370214MA12345673"  # registration authority 9 (market regulation)

# ---------------------------------------------------------------------------------------------------
# Matching rule
# ---------------------------------------------------------------------------------------------------


def test_matching_accepts_exactly_half_and_full_funding() -> None:
    d.check_matching(HALF, 20_000_000, 10_000_000, 10_000_000)
    d.check_matching(HALF, 20_000_000, 10_000_000, 10_000_000, approved_fen=10_000_000)
    d.check_matching(HALF, 20_000_000, 6_000_000, 15_000_000, approved_fen=1)  # over-pledged is fine


def test_fund_share_above_the_percent_is_refused() -> None:
    with pytest.raises(MatchingRuleBroken) as err:
        d.check_matching(HALF, 20_000_000, 10_000_001, 9_999_999)
    assert isinstance(err.value, RuleViolation)
    assert err.value.field == "requested_amount"
    assert "50% of the project budget 200000.00 = 100000.00" in err.value.message


def test_fund_share_rounds_down_to_the_fen() -> None:
    assert d.max_fund_share_fen(HALF, 33_333_333) == 16_666_666  # 166,666.665 → 166,666.66
    d.check_matching(HALF, 33_333_333, 16_666_666, 16_666_667)
    with pytest.raises(MatchingRuleBroken):
        d.check_matching(HALF, 33_333_333, 16_666_667, 16_666_666)
    third = d.MatchingRule(max_fund_share_percent=Decimal("33.33"))
    assert d.max_fund_share_fen(third, 10_000) == 3_333


def test_unfunded_rest_is_refused_on_pledged_amount() -> None:
    with pytest.raises(MatchingRuleBroken) as err:
        d.check_matching(HALF, 20_000_000, 10_000_000, 9_999_999)
    assert err.value.field == "pledged_amount"
    assert err.value.extra == {"shortfall": "0.01"}
    relaxed = d.MatchingRule(require_full_funding=False)
    d.check_matching(relaxed, 20_000_000, 10_000_000, 0)


def test_approved_must_not_exceed_requested() -> None:
    with pytest.raises(MatchingRuleBroken) as err:
        d.check_matching(HALF, 20_000_000, 8_000_000, 12_000_000, approved_fen=8_000_001)
    assert err.value.field == "approved_amount"
    with pytest.raises(InvalidInput) as bad:
        d.check_matching(HALF, 20_000_000, 8_000_000, 12_000_000, approved_fen=0)
    assert bad.value.field == "approved_amount"


def test_per_project_cap() -> None:
    capped = d.MatchingRule(max_grant_fen=5_000_000)
    assert d.max_fund_share_fen(capped, 20_000_000) == 5_000_000
    with pytest.raises(MatchingRuleBroken, match=r"per-project cap of 50000\.00"):
        d.check_matching(capped, 20_000_000, 5_000_001, 15_000_000)


@pytest.mark.parametrize(
    ("budget", "requested", "pledged", "field"),
    [(0, 1, 1, "project_budget"), (10, 0, 10, "requested_amount"), (10, 5, -1, "pledged_amount")],
)
def test_matching_amounts_are_validated(budget: int, requested: int, pledged: int, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        d.check_matching(HALF, budget, requested, pledged)
    assert err.value.field == field


@pytest.mark.parametrize("percent", [Decimal(0), Decimal(-5), Decimal("100.01"), Decimal("NaN")])
def test_matching_rule_refuses_nonsense(percent: Decimal) -> None:
    with pytest.raises(InvalidInput):
        d.MatchingRule(max_fund_share_percent=percent)


@given(budget=st.integers(1, 10**10), requested=st.integers(1, 10**10), pledged=st.integers(0, 10**10))
def test_matching_property(budget: int, requested: int, pledged: int) -> None:
    try:
        d.check_matching(HALF, budget, requested, pledged)
    except MatchingRuleBroken:
        assert requested * 2 > budget or requested + pledged < budget
    else:
        assert requested * 2 <= budget
        assert requested + pledged >= budget


# ---------------------------------------------------------------------------------------------------
# Calls
# ---------------------------------------------------------------------------------------------------


def test_call_window_and_budget() -> None:
    opens, closes = dt.date(2025, 3, 1), dt.date(2025, 3, 31)
    d.check_call(50_000_000, opens, closes)
    d.check_in_window(opens, closes, opens)
    d.check_in_window(opens, closes, closes)
    with pytest.raises(OutsideCallWindow) as err:
        d.check_in_window(opens, closes, dt.date(2025, 4, 1))
    assert err.value.field == "submitted_on"
    with pytest.raises(InvalidInput) as bad:
        d.check_call(50_000_000, closes, opens)
    assert bad.value.field == "closes_on"
    with pytest.raises(InvalidInput):
        d.check_call(0, opens, closes)

    d.check_call_budget(50_000_000, 40_000_000, 10_000_000)
    with pytest.raises(CallBudgetExceeded) as over:
        d.check_call_budget(50_000_000, 40_000_000, 10_000_001)
    assert over.value.field == "approved_amount"
    assert over.value.extra == {"left": "100000.00", "asked": "100000.01"}


# ---------------------------------------------------------------------------------------------------
# Four eyes and conflicts of interest
# ---------------------------------------------------------------------------------------------------


def test_a_third_person_may_decide() -> None:
    d.check_decider("wang", recorded_by="li", reviewers=["zhao", "qian"], conflicted_users=["sun"])
    d.check_decider(7, recorded_by=3, reviewers=(4, 5), conflicted_users=set())


def test_the_recorder_may_not_decide() -> None:
    with pytest.raises(FourEyesViolation) as err:
        d.check_decider("li", recorded_by="li", reviewers=["zhao"], conflicted_users=[])
    assert isinstance(err.value, PermissionDenied)
    assert err.value.field == "decided_by"
    assert err.value.rule == "four-eyes: the recorder may not decide"
    assert "recorded" in err.value.message


def test_user_names_compare_without_case_or_blanks() -> None:
    with pytest.raises(FourEyesViolation):
        d.check_decider(" Li ", recorded_by="li", reviewers=[], conflicted_users=[])
    with pytest.raises(FourEyesViolation):
        d.check_decider("ZHAO", recorded_by="li", reviewers=["zhao"], conflicted_users=[])
    with pytest.raises(ConflictOfInterest):
        d.check_reviewer("Sun", ["sun "])


def test_a_reviewer_may_not_decide() -> None:
    with pytest.raises(FourEyesViolation, match="reviewed") as err:
        d.check_decider("zhao", recorded_by="li", reviewers=["qian", "zhao"], conflicted_users=[])
    assert err.value.field == "decided_by"
    assert err.value.rule == "four-eyes: a reviewer may not decide"


def test_a_linked_user_may_not_decide_even_if_otherwise_allowed() -> None:
    with pytest.raises(ConflictOfInterest) as err:
        d.check_decider("sun", recorded_by="li", reviewers=["zhao"], conflicted_users=["sun"])
    assert isinstance(err.value, RuleViolation)
    assert err.value.field == "decided_by"
    # conflict of interest is reported first when both apply
    with pytest.raises(ConflictOfInterest):
        d.check_decider("li", recorded_by="li", reviewers=[], conflicted_users=["li"])


def test_report_acceptance_uses_the_same_check_with_its_own_field() -> None:
    with pytest.raises(FourEyesViolation) as err:
        d.check_decider("li", recorded_by="li", reviewers=[], conflicted_users=[], field="accepted_by")
    assert err.value.field == "accepted_by"


def test_reviewer_checks() -> None:
    d.check_reviewer("zhao", ["sun"])
    d.check_reviewer("zhao", ["sun"], recorded_by="li")
    with pytest.raises(ConflictOfInterest) as err:
        d.check_reviewer("sun", ["sun"])
    assert err.value.field == "reviewed_by"
    with pytest.raises(FourEyesViolation) as four:
        d.check_reviewer("li", [], recorded_by="li")
    assert four.value.field == "reviewed_by"
    assert four.value.rule == "four-eyes: the recorder may not review"


def test_error_messages_default_to_the_docstring() -> None:
    assert FourEyesViolation().message.startswith("Four eyes: a decision must be made by someone other")
    assert ConflictOfInterest().message.startswith("This user is linked to the applicant organisation")


# ---------------------------------------------------------------------------------------------------
# Status machines
# ---------------------------------------------------------------------------------------------------


def test_application_happy_paths() -> None:
    status = ApplicationStatus.DRAFT
    for action in (
        ApplicationAction.SUBMIT,
        ApplicationAction.REVIEW,
        ApplicationAction.REVIEW,
        ApplicationAction.APPROVE,
    ):
        status = d.next_application_status(status, action)
    assert status is ApplicationStatus.APPROVED
    assert (
        d.next_application_status(ApplicationStatus.UNDER_REVIEW, ApplicationAction.REJECT)
        is ApplicationStatus.REJECTED
    )
    assert (
        d.next_application_status(ApplicationStatus.SUBMITTED, ApplicationAction.REJECT)
        is ApplicationStatus.REJECTED
    )
    assert d.next_application_status("under_review", "withdraw") is ApplicationStatus.WITHDRAWN


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (ApplicationStatus.DRAFT, ApplicationAction.APPROVE),
        (ApplicationStatus.SUBMITTED, ApplicationAction.APPROVE),  # nobody reviewed it
        (ApplicationStatus.APPROVED, ApplicationAction.APPROVE),
        (ApplicationStatus.APPROVED, ApplicationAction.WITHDRAW),
        (ApplicationStatus.REJECTED, ApplicationAction.REVIEW),
        (ApplicationStatus.WITHDRAWN, ApplicationAction.SUBMIT),
    ],
)
def test_application_refusals_name_status_and_action(
    status: ApplicationStatus, action: ApplicationAction
) -> None:
    with pytest.raises(IllegalTransition) as err:
        d.next_application_status(status, action)
    assert isinstance(err.value, Conflict)
    assert err.value.field == "status"
    assert str(status) in err.value.message
    assert str(action) in err.value.message
    assert err.value.extra["status"] == status
    assert err.value.extra["action"] == action
    assert err.value.extra["allowed_actions"] == sorted(d.application_actions(status))


def test_unknown_status_or_action_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as err:
        d.next_grant_status("paid", GrantAction.CLOSE)
    assert err.value.field == "status"
    with pytest.raises(InvalidInput) as bad:
        d.next_application_status(ApplicationStatus.DRAFT, "publish")
    assert bad.value.field == "action"


def test_final_application_statuses_have_no_actions() -> None:
    for status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN):
        assert d.application_actions(status) == frozenset()
    assert d.application_actions(ApplicationStatus.UNDER_REVIEW) == {
        ApplicationAction.REVIEW,
        ApplicationAction.APPROVE,
        ApplicationAction.REJECT,
        ApplicationAction.WITHDRAW,
    }
    with pytest.raises(IllegalTransition, match="is final"):
        d.next_application_status(ApplicationStatus.APPROVED, ApplicationAction.REJECT)


def test_rejection_needs_a_reason() -> None:
    assert d.check_rejection_reason("  项目预算不合理  ") == "项目预算不合理"
    with pytest.raises(InvalidInput) as err:
        d.check_rejection_reason("   ")
    assert err.value.field == "reason"


def test_grant_life_60_40() -> None:
    steps = [
        (GrantAction.SIGN, GrantStatus.COMMITTED),
        (GrantAction.PAY_TRANCHE, GrantStatus.IN_PROGRESS),
        (GrantAction.SUBMIT_REPORT, GrantStatus.REPORT_SUBMITTED),
        (GrantAction.SEND_BACK_REPORT, GrantStatus.IN_PROGRESS),
        (GrantAction.SUBMIT_REPORT, GrantStatus.REPORT_SUBMITTED),
        (d.report_acceptance_action(1, 2), GrantStatus.REPORT_ACCEPTED),
        (GrantAction.PAY_TRANCHE, GrantStatus.IN_PROGRESS),
        (GrantAction.SUBMIT_REPORT, GrantStatus.REPORT_SUBMITTED),
        (d.report_acceptance_action(2, 2), GrantStatus.FINAL_ACCEPTED),
        (GrantAction.RECORD_RETURN, GrantStatus.FINAL_ACCEPTED),
        (GrantAction.CLOSE, GrantStatus.CLOSED),
    ]
    status = GrantStatus.AGREEMENT_PENDING
    for action, expected in steps:
        status = d.next_grant_status(status, action)
        assert status is expected
    assert d.grant_actions(GrantStatus.CLOSED) == frozenset()


@pytest.mark.parametrize(
    "status",
    [
        GrantStatus.AGREEMENT_PENDING,
        GrantStatus.COMMITTED,
        GrantStatus.IN_PROGRESS,
        GrantStatus.REPORT_SUBMITTED,
        GrantStatus.REPORT_ACCEPTED,
    ],
)
def test_open_grants_can_be_cancelled_and_then_only_take_returns(status: GrantStatus) -> None:
    cancelled = d.next_grant_status(status, GrantAction.CANCEL)
    assert cancelled is GrantStatus.CANCELLED
    assert d.grant_actions(cancelled) == {GrantAction.RECORD_RETURN}


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (GrantStatus.AGREEMENT_PENDING, GrantAction.PAY_TRANCHE),  # no agreement, no money
        (GrantStatus.IN_PROGRESS, GrantAction.PAY_TRANCHE),  # the report on the last tranche is not accepted
        (GrantStatus.REPORT_SUBMITTED, GrantAction.PAY_TRANCHE),
        (GrantStatus.COMMITTED, GrantAction.CLOSE),
        (GrantStatus.REPORT_ACCEPTED, GrantAction.CLOSE),  # only after the final report
        (GrantStatus.FINAL_ACCEPTED, GrantAction.CANCEL),
        (GrantStatus.CLOSED, GrantAction.RECORD_RETURN),
        (GrantStatus.CANCELLED, GrantAction.PAY_TRANCHE),
        (GrantStatus.CANCELLED, GrantAction.CANCEL),
    ],
)
def test_grant_refusals(status: GrantStatus, action: GrantAction) -> None:
    with pytest.raises(IllegalTransition) as err:
        d.next_grant_status(status, action)
    assert err.value.field == "status"
    assert f"cannot {action} a grant that is {status}" in err.value.message


# ---------------------------------------------------------------------------------------------------
# Tranches
# ---------------------------------------------------------------------------------------------------


def test_tranche_schedule_60_40_to_the_fen() -> None:
    assert d.tranche_schedule(33_333_333, [60, 40]) == (19_999_999, 13_333_334)
    assert d.tranche_schedule(100_000_000, [60, 40]) == (60_000_000, 40_000_000)
    assert d.tranche_schedule(10_000_001, (30, 30, 40)) == (3_000_000, 3_000_000, 4_000_001)
    assert d.tranche_schedule(1, [100]) == (1,)


def test_tranche_schedule_three_ways() -> None:
    assert d.tranche_schedule(1_000, [34, 33, 33]) == (340, 330, 330)
    assert d.tranche_schedule(1_001, [34, 33, 33]) == (340, 330, 331)


@pytest.mark.parametrize("percents", [[], [60, 30], [60, 50], [0, 100], [-10, 110], [60.0, 40.0], [True, 99]])
def test_tranche_percents_must_be_whole_and_sum_to_100(percents: list[int]) -> None:
    with pytest.raises(InvalidInput) as err:
        d.tranche_schedule(10_000, percents)
    assert err.value.field == "tranche_percents"


def test_tranche_schedule_refuses_zero_fen_tranches() -> None:
    with pytest.raises(InvalidInput) as err:
        d.tranche_schedule(1, [60, 40])
    assert err.value.field == "amount"


@given(
    amount=st.integers(100, 10**12),
    percents=st.lists(st.integers(1, 99), min_size=1, max_size=5).filter(lambda p: sum(p) < 100),
)
def test_tranche_schedule_property(amount: int, percents: list[int]) -> None:
    percents = [*percents, 100 - sum(percents)]
    schedule = d.tranche_schedule(amount, percents)
    assert sum(schedule) == amount
    assert len(schedule) == len(percents)
    # never ahead of the percentages: each running total is at most its share
    running, share = 0, 0
    for tranche, percent in zip(schedule[:-1], percents[:-1], strict=True):
        running += tranche
        share += percent
        assert running * 100 <= amount * share
        assert amount * percent - tranche * 100 < 100  # off by less than one fen


def test_tranche_order() -> None:
    d.check_tranche_order(1, tranche_count=2, paid_tranches=0, accepted_reports=0)
    d.check_tranche_order(2, tranche_count=2, paid_tranches=1, accepted_reports=1)
    with pytest.raises(ReportNotAccepted) as err:
        d.check_tranche_order(2, tranche_count=2, paid_tranches=1, accepted_reports=0)
    assert isinstance(err.value, RuleViolation)
    assert err.value.field == "tranche"
    assert "report on tranche 1" in err.value.message
    with pytest.raises(TrancheOutOfOrder, match="already paid"):
        d.check_tranche_order(1, tranche_count=2, paid_tranches=1, accepted_reports=1)
    with pytest.raises(TrancheOutOfOrder, match="not next"):
        d.check_tranche_order(2, tranche_count=3, paid_tranches=0, accepted_reports=0)
    with pytest.raises(TrancheOutOfOrder) as out:
        d.check_tranche_order(3, tranche_count=2, paid_tranches=2, accepted_reports=2)
    assert isinstance(out.value, Conflict)
    assert out.value.field == "tranche"


# ---------------------------------------------------------------------------------------------------
# Reviews, grantees, receipts
# ---------------------------------------------------------------------------------------------------


def test_scores() -> None:
    scale = d.ScoreScale()
    assert d.check_score(0, scale) == 0
    assert d.check_score(100, scale) == 100
    for bad in (-1, 101, 85.5, True, "90"):
        with pytest.raises(InvalidInput) as err:
            d.check_score(bad, scale)  # type: ignore[arg-type]
        assert err.value.field == "score"
    assert d.mean_score([]) is None
    assert d.mean_score([80, 85, 86]) == Decimal("83.67")
    with pytest.raises(InvalidInput):
        d.ScoreScale(minimum=0, maximum=10, pass_mark=60)


def test_grantee_must_be_a_social_organisation() -> None:
    assert d.validate_grantee_credit_code(" 51370214mj1234567p ") == SOCIAL_ORG
    with pytest.raises(InvalidInput) as err:
        d.validate_grantee_credit_code(COMPANY)
    assert err.value.field == "credit_code"
    assert "registration authority is 9" in err.value.message
    assert d.validate_grantee_credit_code(COMPANY, registration_authorities=("5", "9")) == COMPANY
    with pytest.raises(InvalidInput, match="GB 32100"):
        d.validate_grantee_credit_code("51370214MJ1234567X")  # wrong check character


def test_receipt_checks() -> None:
    today = dt.date(2025, 6, 30)
    d.check_receipt(
        d.ReceiptKind.DONATION,
        20_000_000,
        donor="青岛某企业",
        agreement="JZ-2025-001",
        reference="BR-1",
        received_on=today,
        today=today,
    )
    cases: list[tuple[dict[str, object], str]] = [
        ({"amount_fen": 0}, "amount"),
        ({"donor": " "}, "donor"),
        ({"agreement": ""}, "agreement"),
        ({"reference": "  "}, "reference"),
        ({"received_on": dt.date(2025, 7, 1)}, "received_on"),
    ]
    for change, field in cases:
        args: dict[str, object] = {
            "kind": d.ReceiptKind.GOVERNMENT_GRANT,
            "amount_fen": 100_000_000,
            "donor": "城阳区财政局",
            "agreement": "城财〔2025〕1号",
            "reference": "BR-2025-1",
            "received_on": today,
            "today": today,
        }
        args.update(change)
        with pytest.raises(InvalidInput) as err:
            d.check_receipt(**args)  # type: ignore[arg-type]
        assert err.value.field == field


def test_a_date_through_the_latest_closed_period_is_closed() -> None:
    latest = d.ClosedPeriod("2026-10", dt.date(2026, 10, 31))
    assert d.closed_period_of(dt.date(2026, 10, 31), latest) == latest
    assert d.closed_period_of(dt.date(2025, 1, 1), latest) == latest
    assert d.closed_period_of(dt.date(2026, 11, 1), latest) is None
    assert d.closed_period_of(dt.date(2000, 1, 1), None) is None
    assert d.period_end("2026-10") == latest.ends_on


def test_monthly_flows_sum_each_kind_by_month_and_keep_the_empty_months() -> None:
    flows = d.monthly_flows(
        {
            "received": [(dt.date(2026, 10, 9), 100_000_000), (dt.date(2026, 10, 31), 55)],
            "committed": [(dt.date(2027, 1, 2), 3_000_000)],
            "paid": [(dt.date(2026, 12, 1), 1_800_000)],
        }
    )
    assert flows == [
        d.MonthFlow("2026-10", received=100_000_055),
        d.MonthFlow("2026-11"),
        d.MonthFlow("2026-12", paid=1_800_000),
        d.MonthFlow("2027-01", committed=3_000_000),
    ]
    assert d.monthly_flows({}) == []


def test_programme_totals_net_releases_and_returns_per_area() -> None:
    totals = d.programme_totals(
        [
            ("助老", d.GrantBalance(amount=5_000_000, paid=3_000_000, returned=100, released=2_000_000)),
            ("助残", d.GrantBalance(amount=4_000_000)),
            ("助老", d.GrantBalance(amount=1_000_000, paid=600_000)),
        ]
    )
    assert totals == [
        d.ProgrammeTotal("助老", granted=4_000_000, paid=3_599_900),
        d.ProgrammeTotal("助残", granted=4_000_000, paid=0),
    ]
