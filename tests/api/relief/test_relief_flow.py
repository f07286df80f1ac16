"""Households → enrolment → monthly cycles → bank file → return file → reconciliation, through the API,
amounts checked to the fen in the responses, the journal and the Beancount files."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ledger.books import load
from ledger.books.query import balances
from ledger.config import Settings
from ledger.journal.service import balances as journal_balances
from tests.api.claims.conftest import resident_id
from tests.api.relief.conftest import ACCOUNT, Relief

MONTHS = ["2026-09", "2026-10", "2026-11"]


async def _bank(settings: Settings) -> dict[str, int]:
    return {k: v for k, v in (await journal_balances("relief")).items() if v}


async def test_household_registered_with_masked_details_for_readers(relief: Relief) -> None:
    home = await relief.household(1, [{}, {"relation": "child", "categories": ["pupil"], "urban": False}])
    assert home["household_no"] == "HH000001"
    assert home["members"][0]["resident_id"] == resident_id(1)
    assert home["bank_account"] == ACCOUNT
    seen = await relief.call("auditor", "GET", "/households/HH000001")
    assert seen["bank_account"] == "************1234"
    assert seen["members"][0]["resident_id"] == resident_id(1)[:6] + "********" + resident_id(1)[14:]


async def test_one_household_per_person_and_checked_ids(relief: Relief) -> None:
    await relief.household(1, [{}])
    refused = await relief.http.post(
        "/api/relief/households",
        headers=relief.headers["caseworker"],
        json={
            "street": "城阳街道",
            "community": "x",
            "address": "y",
            "bank_code": "qdrcb",
            "bank_account": ACCOUNT,
            "bank_holder": "z",
            "members": [
                {"resident_id": resident_id(2), "name": "a", "relation": "self", "joined_on": "2020-01-01"},
                {"resident_id": resident_id(1), "name": "b", "relation": "spouse", "joined_on": "2020-01-01"},
            ],
        },
    )
    assert refused.status_code == 409
    assert refused.json()["field"] == "members[1].resident_id"
    assert refused.json()["rule"] == "one household per person"
    bad = await relief.http.post(
        "/api/relief/households",
        headers=relief.headers["caseworker"],
        json={
            "street": "城阳街道",
            "community": "x",
            "address": "y",
            "bank_code": "qdrcb",
            "bank_account": ACCOUNT,
            "bank_holder": "z",
            "members": [
                {
                    "resident_id": "360426199101010072",
                    "name": "a",
                    "relation": "self",
                    "joined_on": "2020-01-01",
                }
            ],
        },
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "members[0].resident_id"


async def test_enrolment_reasons_four_eyes_and_exclusive_programmes(relief: Relief) -> None:
    await relief.household(1, [{}, {}], monthly_income="1400.00")
    applied = await relief.call(
        "caseworker", "POST", "/enrolments", 201, json={"household_no": "HH000001", "programme": "dibao"}
    )
    assert [(r["rule"], r["passed"]) for r in applied["reasons"]][:2] == [
        ("members", True),
        ("expenditure_test", False),
    ]
    own = await relief.http.post(
        f"/api/relief/enrolments/{applied['enrolment_no']}/approve",
        headers=relief.headers["caseworker"],
        json={"effective_month": "2026-12"},
    )
    assert own.status_code == 403  # caseworkers do not approve
    refused = await relief.http.post(
        f"/api/relief/enrolments/{applied['enrolment_no']}/approve",
        headers=relief.headers["officer"],
        json={"effective_month": "2026-12"},
    )
    assert refused.status_code == 422
    assert refused.json()["rule"] == "expenditure_test"
    await relief.call(
        "caseworker",
        "PATCH",
        "/households/HH000001",
        json={"effective_on": "2026-12-01", "reason": "失业", "monthly_income": "300.00"},
    )
    approved = await relief.call(
        "officer",
        "POST",
        f"/enrolments/{applied['enrolment_no']}/approve",
        json={"effective_month": "2026-12"},
    )
    assert (approved["status"], approved["effective_month"], approved["decided_by"]) == (
        "active",
        "2026-12",
        "officer",
    )
    tekun = await relief.call(
        "caseworker", "POST", "/enrolments", 201, json={"household_no": "HH000001", "programme": "tekun"}
    )
    clash = {r["rule"]: r for r in tekun["reasons"]}["one_subsistence_programme"]
    assert (clash["passed"], clash["detail"]) == (False, "already enrolled in dibao")
    early = await relief.http.post(
        f"/api/relief/enrolments/{tekun['enrolment_no']}/approve",
        headers=relief.headers["officer"],
        json={"effective_month": "2026-11"},
    )
    assert early.status_code == 422
    assert early.json()["field"] == "effective_month"


async def test_months_paid_once_failed_row_reissued_and_reconciled(
    relief: Relief, settings: Settings
) -> None:
    # Two 低保 households (one with income), one 特困 person unable to look after herself, rural.
    await relief.household(1, [{}, {}, {}], monthly_income="1234.56")
    await relief.household(10, [{}])
    await relief.household(20, [{"able": False, "urban": False}])
    await relief.call(
        "caseworker",
        "PATCH",
        "/households/HH000002",
        json={"effective_on": "2026-09-01", "reason": "r", "bank_holder": "王五"},
    )
    for number, programme in (("HH000001", "dibao"), ("HH000002", "dibao"), ("HH000003", "tekun")):
        # applications dated in the past are approved from September (the clock is 2026-12-01)
        applied = await relief.call(
            "caseworker", "POST", "/enrolments", 201, json={"household_no": number, "programme": programme}
        )
        assert applied["status"] == "applied"
    await relief.call("auditor", "GET", "/enrolments/EN000001")
    approved = [
        await relief.http.post(
            f"/api/relief/enrolments/EN00000{n}/approve",
            headers=relief.headers["officer"],
            json={"effective_month": "2026-12"},
        )
        for n in (1, 2, 3)
    ]
    assert all(r.status_code == 200 for r in approved), [r.text for r in approved]
    dibao = await relief.approved_cycle("dibao", "2026-12")
    assert (dibao["declared_count"], dibao["declared_total"]) == (2, "1405.44")  # 1980.00-1234.56 + 660.00
    tekun = await relief.approved_cycle("tekun", "2026-12")
    assert (tekun["declared_count"], tekun["declared_total"]) == (1, "1890.00")  # 990.00 + rural care 900.00
    again = await relief.http.post(
        "/api/relief/cycles",
        headers=relief.headers["officer"],
        json={"programme": "dibao", "month": "2026-12"},
    )
    assert again.status_code == 409
    rows = await relief.call("auditor", "GET", "/cycles/dibao/2026-12/rows")
    assert [(r["household_no"], r["amount"], r["members"]) for r in rows] == [
        ("HH000001", "745.44", 3),
        ("HH000002", "660.00", 1),
    ]
    assert rows[0]["inputs"]["parts"] == [
        {"code": "standard", "fen": 198000, "count": 3},
        {"code": "income", "fen": -123456, "count": 0},
    ]
    assert "********" in rows[0]["inputs"]["members"][0]["resident_id"]

    await relief.call(
        "accountant",
        "POST",
        "/bank/appropriations",
        201,
        json={"amount": "10000.00", "received_on": "2026-12-01", "reference": "财拨2026-12"},
    )
    first = await relief.call("accountant", "POST", "/bank/files", 201, json={"bank": "qdrcb"})
    assert (first["row_count"], first["total"]) == (3, "3295.44")
    csv = (await relief.call("accountant", "GET", f"/bank/files/{first['file_no']}/csv")).text
    assert csv.splitlines()[0] == "账号,户名,金额,摘要"
    assert csv.splitlines()[-1] == "合计 3,,3295.44,"
    assert hashlib.sha256(csv.encode()).hexdigest() == first["sha256"]
    nothing = await relief.http.post(
        "/api/relief/bank/files", headers=relief.headers["accountant"], json={"bank": "qdrcb"}
    )
    assert nothing.status_code == 409  # every row is in a file already: never paid twice
    returned = await relief.call(
        "accountant",
        "POST",
        f"/bank/files/{first['file_no']}/returns",
        json={"content": "row_no,result,reason\n1,paid,\n2,failed,账户已销户\n3,paid,\n"},
    )
    assert [r["result"] for r in returned["rows"]] == ["paid", "failed", "paid"]
    assert (await relief.call("auditor", "GET", "/cycles/dibao/2026-12"))["status"] == "partly_failed"
    assert (await relief.call("auditor", "GET", "/cycles/tekun/2026-12"))["status"] == "paid"
    twice = await relief.http.post(
        f"/api/relief/bank/files/{first['file_no']}/returns",
        headers=relief.headers["accountant"],
        json={"content": "row_no,result,reason\n1,paid,\n"},
    )
    assert twice.status_code == 409

    await relief.call(
        "caseworker",
        "PATCH",
        "/households/HH000002",
        json={"effective_on": "2026-12-01", "reason": "换卡", "bank_account": "6228480000009999"},
    )
    second = await relief.call("accountant", "POST", "/bank/files", 201, json={"bank": "qdrcb"})
    assert [(r["account_no"], r["amount"]) for r in second["rows"]] == [("6228480000009999", "660.00")]
    await relief.call(
        "accountant",
        "POST",
        f"/bank/files/{second['file_no']}/returns",
        json={"content": "row_no,result,reason\n1,paid,\n"},
    )
    assert (await relief.call("auditor", "GET", "/cycles/dibao/2026-12"))["status"] == "paid"
    closed = await relief.call("officer2", "POST", "/cycles/dibao/2026-12/close")
    assert closed["status"] == "closed"

    assert await _bank(settings) == {
        "Assets:Relief:Bank": 1_000_000 - 329_544,
        "Income:Relief:Appropriation": -1_000_000,
        "Expenses:Relief:Dibao": 140_544,
        "Expenses:Relief:Tekun": 189_000,
    }
    ledger = load(settings.resolved_ledger_dir)
    assert not ledger.errors
    assert {k: v for k, v in balances(ledger.entries, "relief").items() if v} == await _bank(settings)
    trial = await relief.http.get(
        "/api/reports/trial-balance.csv",
        params={"book": "relief", "from": "2026-01-01", "to": "2026-12-31"},
        headers=relief.headers["auditor"],
    )
    assert trial.status_code == 200, trial.text
    assert "500101,业务活动费用—最低生活保障金,0.00,0.00,1405.44,0.00,1405.44,0.00" in trial.text.splitlines()


async def test_statement_reconciles_with_the_bank_account_listing_what_is_unmatched(relief: Relief) -> None:
    await relief.household(1, [{}])
    await relief.household(10, [{}, {}])
    await relief.enrolled("HH000001", "dibao", "2026-12")
    await relief.enrolled("HH000002", "dibao", "2026-12")
    await relief.approved_cycle("dibao", "2026-12")
    await relief.call(
        "accountant",
        "POST",
        "/bank/appropriations",
        201,
        json={"amount": "10000.00", "received_on": "2026-12-01", "reference": "财拨2026-12"},
    )
    planted = await relief.call(  # booked, but the bank never received it: listed on the ledger's side
        "accountant",
        "POST",
        "/bank/appropriations",
        201,
        json={"amount": "500.00", "received_on": "2026-11-30", "reference": "财拨补"},
    )
    file = await relief.call("accountant", "POST", "/bank/files", 201, json={"bank": "qdrcb"})
    await relief.call(
        "accountant",
        "POST",
        f"/bank/files/{file['file_no']}/returns",
        json={"content": "row_no,result,reason\n1,paid,\n2,paid,\n"},
    )
    statement = (
        "date,amount,reference,description\n"
        "2026-12-01,10000.00,财拨2026-12,财政拨款\n"
        f"2026-12-01,-1980.00,{file['file_no']},批量代发\n"
        "2026-12-01,-12.00,FEE,手续费\n"
    )
    imported = await relief.call("accountant", "POST", "/bank/statements", json={"content": statement})
    assert imported["imported"] == 3
    again = await relief.call("accountant", "POST", "/bank/statements", json={"content": statement})
    assert again["imported"] == 0
    found: dict[str, Any] = await relief.call(
        "auditor", "GET", "/bank/reconciliation", params={"from": "2026-11-01", "to": "2026-12-31"}
    )
    assert [(m["reference"], m["fen"], len(m["seqs"])) for m in found["matched"]] == [
        ("财拨2026-12", 1_000_000, 1),
        (file["file_no"], -198_000, 2),
    ]
    assert found["statement_only"] == [
        {"date": "2026-12-01", "reference": "FEE", "fen": -1200, "description": "手续费"}
    ]
    assert found["ledger_only"] == [
        {
            "seq": planted["journal_seq"],
            "date": "2026-11-30",
            "fen": 50_000,
            "cause": "relief-appropriation:财拨补",
        }
    ]
    assert (found["statement_total"], found["ledger_total"], found["balanced"]) == (
        "8008.00",
        "8520.00",
        False,
    )
    nothing_left = await relief.call(
        "auditor", "GET", "/bank/reconciliation", params={"from": "2026-12-02", "to": "2026-12-31"}
    )
    assert (nothing_left["matched"], nothing_left["balanced"]) == ([], True)


async def test_death_after_payment_posts_the_overpayment(relief: Relief, settings: Settings) -> None:
    await relief.household(1, [{}, {}])
    await relief.enrolled("HH000001", "dibao", "2026-12")
    await relief.approved_cycle("dibao", "2026-12")
    file = await relief.call("accountant", "POST", "/bank/files", 201, json={"bank": "qdrcb"})
    await relief.call(
        "accountant",
        "POST",
        f"/bank/files/{file['file_no']}/returns",
        json={"content": "row_no,result,reason\n1,paid,\n"},
    )
    # the deaths in November are reported after December was paid
    home = await relief.call(
        "caseworker",
        "POST",
        "/households/HH000001/departures",
        json={"resident_id": resident_id(2), "left_on": "2026-11-20", "died": True},
    )
    enrolment = home["enrolments"][0]
    assert (enrolment["status"], enrolment["overpaid"]) == (
        "active",
        "660.00",
    )  # December paid for two, due for one
    assert (await _bank(settings))["Assets:Relief:Recoverable"] == 66_000
    home = await relief.call(
        "caseworker",
        "POST",
        "/households/HH000001/departures",
        json={"resident_id": resident_id(1), "left_on": "2026-11-25", "died": True},
    )
    enrolment = home["enrolments"][0]
    assert (enrolment["status"], enrolment["last_month"], enrolment["overpaid"]) == (
        "terminated",
        "2026-11",
        "1320.00",
    )
    # the expense of December is undone: nothing was due for it
    assert await _bank(settings) == {"Assets:Relief:Bank": -132_000, "Assets:Relief:Recoverable": 132_000}


async def test_death_before_the_bank_file_withholds_the_month(relief: Relief, settings: Settings) -> None:
    await relief.household(1, [{}])
    await relief.household(10, [{}])
    await relief.enrolled("HH000001", "dibao", "2026-12")
    await relief.enrolled("HH000002", "dibao", "2026-12")
    await relief.approved_cycle("dibao", "2026-12")
    home = await relief.call(
        "caseworker",
        "POST",
        "/households/HH000001/departures",
        json={"resident_id": resident_id(1), "left_on": "2026-11-28", "died": True},
    )
    assert (home["enrolments"][0]["status"], home["enrolments"][0]["overpaid"]) == ("terminated", "0.00")
    rows = await relief.call("auditor", "GET", "/cycles/dibao/2026-12/rows")
    assert [(r["household_no"], r["status"]) for r in rows] == [
        ("HH000001", "withheld"),
        ("HH000002", "payable"),
    ]
    assert (await relief.call("auditor", "GET", "/cycles/dibao/2026-12"))["status"] == "approved"
    file = await relief.call("accountant", "POST", "/bank/files", 201, json={"bank": "qdrcb"})
    assert (file["row_count"], file["total"]) == (1, "660.00")
    await relief.call(
        "accountant",
        "POST",
        f"/bank/files/{file['file_no']}/returns",
        json={"content": "row_no,result,reason\n1,paid,\n"},
    )
    closed = await relief.call("officer", "POST", "/cycles/dibao/2026-12/close")
    assert (closed["status"], closed["declared_count"], closed["declared_total"]) == ("closed", 2, "1320.00")
    dead = await relief.call("auditor", "GET", "/households/HH000001/history")
    assert [(h["programme"], h["month"], h["amount"], h["status"], h["paid_seq"]) for h in dead] == [
        ("dibao", "2026-12", "660.00", "withheld", None)
    ]
    alive = await relief.call("auditor", "GET", "/households/HH000002/history")
    assert [(h["month"], h["amount"], h["status"]) for h in alive] == [("2026-12", "660.00", "paid")]
    assert alive[0]["paid_seq"] is not None
    assert await _bank(settings) == {"Assets:Relief:Bank": -66_000, "Expenses:Relief:Dibao": 66_000}


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"bank_code": "nobank"}, 422, "bank_code"),
        ({"monthly_income": "-1.00"}, 422, "monthly_income"),
        ({"monthly_income": 100}, 400, "monthly_income"),
        (
            {
                "members": [
                    {
                        "resident_id": "11010519491231002X",
                        "name": "a",
                        "relation": "self",
                        "joined_on": "2027-01-01",
                    }
                ]
            },
            422,
            "members[0].joined_on",
        ),
        ({"bank_account": "12ab"}, 400, "bank_account"),
    ],
)
async def test_bad_household_input_names_the_field(
    relief: Relief, change: dict[str, Any], status: int, field: str
) -> None:
    body = {
        "street": "城阳街道",
        "community": "x",
        "address": "y",
        "bank_code": "qdrcb",
        "bank_account": ACCOUNT,
        "bank_holder": "z",
        "members": [
            {"resident_id": "11010519491231002X", "name": "a", "relation": "self", "joined_on": "2020-01-01"}
        ],
        **change,
    }
    response = await relief.http.post(
        "/api/relief/households", headers=relief.headers["caseworker"], json=body
    )
    assert response.status_code == status, response.text
    problem = response.json()
    fields = (
        {problem.get("field")}
        | {e.get("key") for e in problem.get("extra", [])}
        | {e.get("field") for e in problem.get("errors", [])}
    )
    assert field in fields, problem
    assert (await relief.call("auditor", "GET", "/households"))["total"] == 0


async def test_whoever_drafts_a_cycle_may_not_approve_it(relief: Relief) -> None:
    await relief.household(1, [{}])
    await relief.enrolled("HH000001", "dibao", "2026-12")
    drafted = await relief.call(
        "officer", "POST", "/cycles", 201, json={"programme": "dibao", "month": "2026-12"}
    )
    assert (drafted["status"], drafted["declared_count"], drafted["declared_total"]) == ("draft", 1, "660.00")
    own = await relief.http.post(
        "/api/relief/cycles/dibao/2026-12/approve", headers=relief.headers["officer"]
    )
    assert own.status_code == 403
    assert own.json()["rule"] == "four eyes: preparer and approver differ"
    assert (await relief.call("auditor", "GET", "/cycles/dibao/2026-12"))["status"] == "draft"
    approved = await relief.call("officer2", "POST", "/cycles/dibao/2026-12/approve")
    assert (approved["status"], approved["approved_by"]) == ("approved", "officer2")
    future = await relief.http.post(
        "/api/relief/cycles",
        headers=relief.headers["officer"],
        json={"programme": "dibao", "month": "2027-01"},
    )
    assert (future.status_code, future.json()["field"]) == (422, "month")


async def test_a_retried_bank_file_request_with_its_key_issues_one_file(relief: Relief) -> None:
    await relief.household(1, [{}])
    await relief.enrolled("HH000001", "dibao", "2026-12")
    await relief.approved_cycle("dibao", "2026-12")
    headers = {**relief.headers["accountant"], "Idempotency-Key": "bf-2026-12"}
    first = await relief.http.post("/api/relief/bank/files", headers=headers, json={"bank": "qdrcb"})
    again = await relief.http.post("/api/relief/bank/files", headers=headers, json={"bank": "qdrcb"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = await relief.http.post("/api/relief/bank/files", headers=headers, json={"bank": "other"})
    assert other.status_code == 409
    path = f"/api/relief/bank/files/{first.json()['file_no']}"
    csv_text = (await relief.http.get(f"{path}/csv", headers=relief.headers["accountant"])).text
    xlsx = await relief.http.get(f"{path}/xlsx", headers=relief.headers["accountant"])
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    cells = [[c.value or "" for c in row] for row in sheet.iter_rows()]
    assert cells == [line.split(",") for line in csv_text.splitlines()]
    wrong = await relief.http.get(f"{path}/pdf", headers=relief.headers["accountant"])
    assert (wrong.status_code, wrong.json()["field"]) == (422, "fmt")


async def test_suspend_resume_terminate_and_reject(relief: Relief) -> None:
    await relief.household(1, [{}])
    await relief.household(10, [{}])
    first = await relief.enrolled("HH000001", "dibao", "2026-12")
    await relief.enrolled("HH000002", "dibao", "2026-12")
    number = first["enrolment_no"]
    paused = await relief.call(
        "officer",
        "POST",
        f"/enrolments/{number}/suspend",
        json={"month": "2026-12", "reason": "外出务工核查"},
    )
    assert (paused["status"], paused["pauses"]) == ("suspended", [["2026-12", None]])
    drafted = await relief.call(
        "officer", "POST", "/cycles", 201, json={"programme": "dibao", "month": "2026-12"}
    )
    assert (drafted["declared_count"], drafted["declared_total"]) == (1, "660.00")  # only HH000002
    early = await relief.http.post(
        f"/api/relief/enrolments/{number}/resume",
        headers=relief.headers["officer"],
        json={"month": "2026-12"},
    )
    assert (early.status_code, early.json()["field"]) == (422, "month")
    resumed = await relief.call("officer", "POST", f"/enrolments/{number}/resume", json={"month": "2027-01"})
    assert (resumed["status"], resumed["pauses"]) == ("active", [["2026-12", "2027-01"]])
    ended = await relief.call(
        "officer",
        "POST",
        f"/enrolments/{number}/terminate",
        json={"last_month": "2026-12", "reason": "收入超标"},
    )
    assert (ended["status"], ended["last_month"], ended["end_reason"]) == (
        "terminated",
        "2026-12",
        "收入超标",
    )
    again = await relief.http.post(
        f"/api/relief/enrolments/{number}/resume",
        headers=relief.headers["officer"],
        json={"month": "2027-02"},
    )
    assert (again.status_code, again.json()["rule"]) == (409, "resume from suspended")

    applied = await relief.call(
        "caseworker", "POST", "/enrolments", 201, json={"household_no": "HH000001", "programme": "tekun"}
    )
    rejected = await relief.call(
        "officer", "POST", f"/enrolments/{applied['enrolment_no']}/reject", json={"reason": "有赡养人"}
    )
    assert (rejected["status"], rejected["decided_by"], rejected["end_reason"]) == (
        "rejected",
        "officer",
        "有赡养人",
    )
