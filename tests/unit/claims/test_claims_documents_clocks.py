"""Document checklists ("any N of" groups), uploads, deadlines, and the purity of the claims rules."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from ledger.claims import domain
from ledger.claims import policy as policy_module
from ledger.claims.domain import (
    ClaimStatus,
    ClaimTimeBarred,
    OverdueClock,
    ReasonRequired,
    advance_payment_due,
    check_limitation,
    check_line,
    check_upload,
    checklist,
    decision_due,
    documents_complete,
    is_overdue,
    is_time_barred,
    limitation_ends,
    missing_documents,
    overdue_clocks,
    payment_due,
    rejection_notice_due,
)
from ledger.claims.policy import PolicyConfig
from ledger.core.errors import InvalidInput, PayloadTooLarge, PermissionDenied, UnsupportedMediaType

ALWAYS = ["claim_form", "claimant_id", "bank_card", "authority_certificate"]

# ---- checklists


def test_death_checklist(policy: PolicyConfig) -> None:
    codes = [r.code for r in checklist(policy, "fire_explosion", ["death"])]
    assert codes == [*ALWAYS, "death_proof", "heirs_relationship_proof"]
    group = policy.requirements["death_proof"]
    assert group.is_group
    assert group.need == 2
    assert group.of == ("hukou_cancellation", "cremation_certificate", "medical_death_certificate")


def test_heroic_act_adds_its_certification_and_lists_each_document_once(policy: PolicyConfig) -> None:
    codes = [r.code for r in checklist(policy, "heroic_act", ["medical", "disability", "medical"])]
    assert codes == [
        *ALWAYS,
        "heroic_act_certification",
        "medical_invoices",
        "itemised_costs",
        "medical_insurance_settlement",
        "disability_grading_report",
    ]


def test_checklist_refuses_a_head_the_peril_does_not_cover(policy: PolicyConfig) -> None:
    with pytest.raises(InvalidInput) as info:
        checklist(policy, "heroic_act", ["property"])
    assert info.value.field == "heads"
    with pytest.raises(InvalidInput) as peril:
        checklist(policy, "meteor", ["death"])
    assert peril.value.field == "peril"


def test_missing_documents_as_one_list_with_any_two_of_three(policy: PolicyConfig) -> None:
    required = checklist(policy, "natural_disaster", ["death"])
    received = {*ALWAYS, "cremation_certificate"}
    missing = missing_documents(required, received)
    assert [(m.requirement.code, m.still_needed, m.choices) for m in missing] == [
        ("death_proof", 1, ("hukou_cancellation", "medical_death_certificate")),
        ("heirs_relationship_proof", 1, ("heirs_relationship_proof",)),
    ]
    assert not documents_complete(required, received)
    done = received | {"medical_death_certificate", "heirs_relationship_proof"}
    assert missing_documents(required, done) == ()
    assert documents_complete(required, done)
    assert documents_complete(required, [*done, "hukou_cancellation"])


def test_nothing_received_lists_everything(policy: PolicyConfig) -> None:
    required = checklist(policy, "traffic_accident", ["medical"])
    missing = missing_documents(required, set())
    assert [m.requirement.code for m in missing] == [r.code for r in required]
    assert "no_liable_party_proof" in [m.requirement.code for m in missing]


# ---- uploads


def test_upload_limits(policy: PolicyConfig) -> None:
    limits = policy.uploads
    assert check_upload(10 * 1024 * 1024, "application/PDF; charset=binary", limits) == "application/pdf"
    assert check_upload(1, "image/png", limits) == "image/png"
    with pytest.raises(PayloadTooLarge) as big:
        check_upload(10 * 1024 * 1024 + 1, "image/jpeg", limits)
    assert big.value.field == "file"
    with pytest.raises(UnsupportedMediaType) as kind:
        check_upload(100, "application/zip", limits)
    assert kind.value.field == "content_type"


# ---- clocks


def test_decision_is_due_30_days_after_complete_documents_plus_pauses(policy: PolicyConfig) -> None:
    clocks = policy.clocks
    assert decision_due(dt.date(2026, 3, 1), 0, clocks) == dt.date(2026, 3, 31)
    assert decision_due(dt.date(2026, 3, 1), 5, clocks) == dt.date(2026, 4, 5)
    assert advance_payment_due(dt.date(2026, 3, 1), 0, clocks) == dt.date(2026, 4, 30)
    with pytest.raises(InvalidInput) as info:
        decision_due(dt.date(2026, 3, 1), -1, clocks)
    assert info.value.field == "paused_days"


def test_payment_due_10_days_after_approval_or_same_day_when_small(policy: PolicyConfig) -> None:
    clocks = policy.clocks
    approved = dt.date(2026, 3, 25)
    assert payment_due(approved, clocks) == dt.date(2026, 4, 4)
    assert payment_due(approved, clocks, 200_000) == approved  # 2,000.00: same day (Rizhao)
    assert payment_due(approved, clocks, 200_001) == dt.date(2026, 4, 4)
    assert rejection_notice_due(dt.date(2026, 12, 30), clocks) == dt.date(2027, 1, 2)


def test_limitation_two_years(policy: PolicyConfig) -> None:
    clocks = policy.clocks
    assert limitation_ends(dt.date(2026, 3, 10), clocks) == dt.date(2028, 3, 10)
    assert limitation_ends(dt.date(2024, 2, 29), clocks) == dt.date(2026, 2, 28)
    assert not is_time_barred(dt.date(2026, 3, 10), dt.date(2028, 3, 10), clocks)
    assert is_time_barred(dt.date(2026, 3, 10), dt.date(2028, 3, 11), clocks)


def test_overdue_marking() -> None:
    due = dt.date(2026, 3, 31)
    assert not is_overdue(due, dt.date(2026, 3, 31))
    assert is_overdue(due, dt.date(2026, 4, 1))
    assert not is_overdue(due, dt.date(2026, 5, 1), done_on=dt.date(2026, 3, 30))
    assert is_overdue(due, dt.date(2026, 5, 1), done_on=dt.date(2026, 4, 2))


def test_limitation_refuses_a_day_late_naming_the_last_day(policy: PolicyConfig) -> None:
    clocks = policy.clocks
    incident = dt.date(2026, 3, 10)
    assert check_limitation(incident, dt.date(2028, 3, 10), clocks) is False
    with pytest.raises(ClaimTimeBarred) as info:
        check_limitation(incident, dt.date(2028, 3, 11), clocks)
    assert (info.value.field, info.value.rule) == (
        "incident_date",
        "limitation period: 2 years after the incident",
    )
    assert info.value.extra == {"limitation_ends": "2028-03-10"}
    assert "2028-03-10" in str(info.value)


def test_limitation_override_is_for_approvers_with_a_reason(policy: PolicyConfig) -> None:
    late = (dt.date(2026, 3, 10), dt.date(2028, 3, 11), policy.clocks)
    with pytest.raises(PermissionDenied) as denied:
        check_limitation(*late, override_reason="late report", overrider_is_approver=False)
    assert denied.value.field == "limitation_override_reason"
    with pytest.raises(ReasonRequired):
        check_limitation(*late, override_reason=" ", overrider_is_approver=True)
    assert check_limitation(*late, override_reason="late report", overrider_is_approver=True) is True
    # an override of a claim in time changes nothing
    assert (
        check_limitation(dt.date(2026, 3, 10), dt.date(2026, 3, 11), policy.clocks, override_reason="x")
        is False
    )


def test_overdue_clocks_run_only_in_their_statuses_and_start_the_day_after_due() -> None:
    due = dt.date(2026, 3, 31)
    every = dict.fromkeys(OverdueClock, due)
    on_due, after = dt.date(2026, 3, 31), dt.date(2026, 4, 1)
    assert overdue_clocks(ClaimStatus.UNDER_REVIEW, every, on_due) == ()
    assert overdue_clocks(ClaimStatus.UNDER_REVIEW, every, after) == (
        OverdueClock.DECISION,
        OverdueClock.ADVANCE_PAYMENT,
    )
    assert overdue_clocks("assessed", every, after) == (OverdueClock.DECISION, OverdueClock.ADVANCE_PAYMENT)
    assert overdue_clocks("approved", every, after) == (OverdueClock.PAYMENT,)
    assert overdue_clocks("partly_paid", every, after) == (OverdueClock.PAYMENT,)
    assert overdue_clocks("rejected", every, after) == (OverdueClock.REJECTION_NOTICE,)
    for done in ("registered", "documents_pending", "paid", "closed", "withdrawn"):
        assert overdue_clocks(done, every, after) == ()
    assert overdue_clocks("rejected", {OverdueClock.REJECTION_NOTICE: None}, after) == ()


def test_line_checks_name_the_line_field() -> None:
    with pytest.raises(InvalidInput) as info:
        check_line("disability", 100, where="lines[1].")
    assert (info.value.field, info.value.rule) == ("lines[1].grade", "integer 1..10")
    with pytest.raises(InvalidInput) as info:
        check_line("medical", 100, unreimbursed_fen=101)
    assert (info.value.field, info.value.rule) == ("unreimbursed", "at most the claimed amount")
    assert check_line("disability", 100, grade=10) == "disability"


# ---- purity


@pytest.mark.parametrize(
    ("module", "allowed"),
    [(domain, set()), (policy_module, {"msgspec"})],  # the policy file is decoded by msgspec
)
def test_claims_rules_import_no_framework_and_use_no_float(module: object, allowed: set[str]) -> None:
    source = Path(str(getattr(module, "__file__", ""))).read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Name):
            assert node.id != "float", "no float in the claims rules"
    assert not imported & ({"beancount", "litestar", "piccolo", "msgspec", "sqlite3", "asyncpg"} - allowed)
