"""The claim status machine: every legal and every illegal transition, and what a transition records."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from ledger.claims.domain import (
    TRANSITIONS,
    ClaimAction,
    ClaimStatus,
    IllegalTransition,
    ReasonRequired,
    allowed_actions,
    next_status,
    transition,
)
from ledger.core.errors import Conflict, InvalidInput

S = ClaimStatus
A = ClaimAction

# Written out independently of TRANSITIONS, so a change to the table must be a change to this test.
LEGAL: dict[tuple[ClaimStatus, ClaimAction], ClaimStatus] = {
    (S.REGISTERED, A.REQUEST_DOCUMENTS): S.DOCUMENTS_PENDING,
    (S.UNDER_REVIEW, A.REQUEST_DOCUMENTS): S.DOCUMENTS_PENDING,
    (S.REGISTERED, A.DOCUMENTS_COMPLETE): S.UNDER_REVIEW,
    (S.DOCUMENTS_PENDING, A.DOCUMENTS_COMPLETE): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, A.ASSESS): S.ASSESSED,
    (S.ASSESSED, A.APPROVE): S.APPROVED,
    (S.REGISTERED, A.REJECT): S.REJECTED,
    (S.DOCUMENTS_PENDING, A.REJECT): S.REJECTED,
    (S.UNDER_REVIEW, A.REJECT): S.REJECTED,
    (S.ASSESSED, A.REJECT): S.REJECTED,
    (S.APPROVED, A.PAY_PARTIAL): S.PARTLY_PAID,
    (S.PARTLY_PAID, A.PAY_PARTIAL): S.PARTLY_PAID,
    (S.APPROVED, A.PAY_FINAL): S.PAID,
    (S.PARTLY_PAID, A.PAY_FINAL): S.PAID,
    (S.PAID, A.CLOSE): S.CLOSED,
    (S.REJECTED, A.CLOSE): S.CLOSED,
    (S.REGISTERED, A.WITHDRAW): S.WITHDRAWN,
    (S.DOCUMENTS_PENDING, A.WITHDRAW): S.WITHDRAWN,
    (S.UNDER_REVIEW, A.WITHDRAW): S.WITHDRAWN,
    (S.ASSESSED, A.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, A.WITHDRAW): S.WITHDRAWN,
    (S.REJECTED, A.REOPEN): S.UNDER_REVIEW,
    (S.WITHDRAWN, A.REOPEN): S.UNDER_REVIEW,
    (S.CLOSED, A.REOPEN): S.UNDER_REVIEW,
}
ILLEGAL = [pair for pair in itertools.product(ClaimStatus, ClaimAction) if pair not in LEGAL]
NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(("current", "action"), list(LEGAL), ids=str)
def test_every_legal_transition(current: ClaimStatus, action: ClaimAction) -> None:
    assert next_status(current, action) is LEGAL[current, action]
    assert next_status(current.value, action.value) is LEGAL[current, action]
    assert action in allowed_actions(current)


@pytest.mark.parametrize(("current", "action"), ILLEGAL, ids=str)
def test_every_illegal_transition_is_a_409_naming_the_status(
    current: ClaimStatus, action: ClaimAction
) -> None:
    with pytest.raises(IllegalTransition) as info:
        next_status(current, action)
    error = info.value
    assert isinstance(error, Conflict)
    assert error.field == "status"
    assert error.message.startswith(f"claim is '{current}'; '{action}' is allowed only from ")
    assert error.extra["status"] == current.value
    assert error.extra["action"] == action.value
    assert current.value not in error.extra["allowed_from"]
    assert action not in allowed_actions(current)


def test_the_table_matches_the_written_out_list() -> None:
    table = {(s, a): rule.to for a, rule in TRANSITIONS.items() for s in rule.allowed_from}
    assert table == LEGAL
    assert len(LEGAL) + len(ILLEGAL) == 100


def test_message_of_the_issue_example() -> None:
    with pytest.raises(IllegalTransition) as info:
        next_status("approved", "assess")
    assert info.value.message == "claim is 'approved'; 'assess' is allowed only from 'under_review'"
    assert info.value.rule == "'assess' is allowed only from 'under_review'"
    assert info.value.extra["allowed_actions"] == ["pay_partial", "pay_final", "withdraw"]
    with pytest.raises(IllegalTransition) as several:
        next_status("paid", "reopen")
    assert several.value.message == (
        "claim is 'paid'; 'reopen' is allowed only from 'rejected', 'withdrawn' or 'closed'"
    )


def test_unknown_status_or_action_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as info:
        next_status("registered", "approve_quickly")
    assert info.value.field == "action"
    with pytest.raises(InvalidInput) as status:
        next_status("lost", "assess")
    assert status.value.field == "status"


def test_allowed_actions_of_terminal_and_open_statuses() -> None:
    assert allowed_actions(S.PAID) == (A.CLOSE,)
    assert allowed_actions(S.CLOSED) == (A.REOPEN,)
    assert allowed_actions(S.PARTLY_PAID) == (A.PAY_PARTIAL, A.PAY_FINAL)
    assert S.DOCUMENTS_PENDING.cn == "待材料"
    assert (S.ASSESSED.cn, S.APPROVED.cn, S.REJECTED.cn) == ("已核定", "已批准", "已拒绝")
    assert S.PARTLY_PAID.en == "partly paid"


def test_a_transition_records_actor_time_and_reason() -> None:
    record = transition("assessed", "reject", actor="li.approver", at=NOW, reason=" liable_third_party ")
    assert record.from_status is S.ASSESSED
    assert record.to_status is S.REJECTED
    assert record.action is A.REJECT
    assert (record.actor, record.at, record.reason) == ("li.approver", NOW, "liable_third_party")
    plain = transition("under_review", "assess", actor="wang.adjuster", at=NOW)
    assert plain.reason == ""


@pytest.mark.parametrize(
    ("current", "action"), [(S.ASSESSED, A.REJECT), (S.UNDER_REVIEW, A.WITHDRAW), (S.CLOSED, A.REOPEN)]
)
def test_reject_withdraw_and_reopen_need_a_reason(current: ClaimStatus, action: ClaimAction) -> None:
    with pytest.raises(ReasonRequired) as info:
        transition(current, action, actor="li", at=NOW, reason="  ")
    assert info.value.field == "reason"


def test_transition_refuses_naive_time_blank_actor_and_illegal_moves() -> None:
    with pytest.raises(InvalidInput) as naive:
        transition("under_review", "assess", actor="li", at=dt.datetime(2026, 3, 1, 9, 30))
    assert naive.value.field == "at"
    with pytest.raises(InvalidInput) as blank:
        transition("under_review", "assess", actor=" ", at=NOW)
    assert blank.value.field == "actor"
    with pytest.raises(IllegalTransition):
        transition("paid", "reject", actor="li", at=NOW, reason="late")
