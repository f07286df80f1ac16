"""Document checklists ("any N of" groups), uploads, deadlines, and the purity of the claims rules."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from ledger.claims import domain
from ledger.claims import policy as policy_module
from ledger.claims.domain import (
    advance_payment_due,
    check_upload,
    checklist,
    decision_due,
    documents_complete,
    is_overdue,
    is_time_barred,
    limitation_ends,
    missing_documents,
    payment_due,
    rejection_notice_due,
)
from ledger.claims.policy import PolicyConfig
from ledger.core.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType

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
