"""Statements from a real ledger: totals equal the ledger's sums to the fen, Chinese intact, fonts
embedded, exports round-trip, deterministic content hashes, and differences printed, never hidden."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from ledger import db
from ledger.books import Account, account_postings, balances, load
from ledger.claims.tables import ClaimRow
from ledger.config import Settings
from ledger.core.entries import Posting
from ledger.core.money import format_cny
from ledger.journal import service as journal
from ledger.journal.service import Ledger
from ledger.platform.jobs import run_job
from ledger.reports import documents as d
from ledger.reports.jobs import job_specs
from ledger.reports.pdf import render_statement
from ledger.reports.service import REPORTS, ReportRequest, ReportService, report_request
from tests.exported_files import column_sums, csv_rows, printed_totals, xlsx_rows
from tests.integration.reports.sample import VICTIM_ID, Sample

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
AT = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _request(
    name: str, book: str | None = None, start: dt.date = YEAR[0], end: dt.date = YEAR[1]
) -> ReportRequest:
    return report_request(name, book=book, start=start, end=end, today=end)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def _ledger_turnover(settings: Settings, book: str) -> tuple[int, int]:
    """Debits and credits of the book in 2026, summed posting by posting from the Beancount files."""
    entries = load(Ledger.of(settings).directory).entries
    fens = [
        row.fen
        for account in _chart_accounts(book)
        for row in account_postings(entries, account.name, YEAR[0], YEAR[1])
    ]
    return sum(f for f in fens if f > 0), -sum(f for f in fens if f < 0)


@pytest.mark.parametrize("book", ["charity", "insurance"])
async def test_trial_balance_totals_equal_the_ledger(settings: Settings, sample: Sample, book: str) -> None:
    statement = await ReportService(settings).statement(_request("trial-balance", book), AT)
    assert statement.errors == ()
    assert statement.footer.check_passed
    table = next(statement.tables())
    totals = dict(zip([c.key for c in table.columns], table.totals or (), strict=True))
    debit, credit = _ledger_turnover(settings, book)
    assert totals["debit_total"] == totals["credit_total"] == debit == credit
    expected = sample.charity_2026_debits if book == "charity" else sample.insurance_2026_debits
    assert debit == expected
    closing = balances(load(Ledger.of(settings).directory).entries, book, as_of=YEAR[1])
    for row in table.rows:
        account = next(a.name for a in _chart_accounts(book) if a.code == row[0])
        assert int(row[6] or 0) - int(row[7] or 0) == closing.get(account, 0)  # type: ignore[arg-type]
    text = _text(render_statement(statement))
    assert "试算平衡表" in text
    assert "Trial balance" in text
    assert text.count(format_cny(debit)) >= 2  # the debit and the credit turnover totals
    assert "第 1 页 / 共" in text
    assert statement.footer.chain_head_hash in text


def _pdffonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def _chart_accounts(book: str) -> list[Account]:
    return [a for a in journal.chart().accounts.values() if a.book == book]


async def test_charity_statements_balance_and_compare(settings: Settings, sample: Sample) -> None:
    service = ReportService(settings)
    sheet = await service.statement(_request("balance-sheet"), AT)
    activities = await service.statement(_request("activities"), AT)
    assert sheet.errors == ()
    assert activities.errors == ()
    rows = {str(r[0]).strip(): r for r in next(sheet.tables()).rows}
    assert rows["资产总计 Total assets"][3] == 95_888_939
    assert rows["负债和净资产总计 Total liabilities and net assets"][3] == 95_888_939
    assert rows["资产总计 Total assets"][2] == rows["负债和净资产总计 Total liabilities and net assets"][2]
    lines = {str(r[0]).strip(): r for r in next(activities.tables()).rows}
    change = lines["四、净资产变动额 Change in net assets"]
    assert change[1:4] == (12_888_889, -12_000_000, 888_889)
    assert change[4:7] == (-12_000_000, 107_000_050, 95_000_050)  # 2025, the comparative period
    text = _text(render_statement(activities))
    for word in ("业务活动表", "非限定性", "限定性", "合计", "上年同期", "8,888.89", "950,000.50"):
        assert word in text


async def test_programme_and_registers(settings: Settings, sample: Sample) -> None:
    service = ReportService(settings)
    programme = await service.statement(_request("insurance-programme"), AT)
    register = await service.statement(_request("claims-register"), AT)
    grants = await service.statement(_request("grant-register"), AT)
    assert programme.errors == register.errors == grants.errors == ()
    summary = {r[0]: r for r in next(programme.tables()).rows}
    assert summary["保费收入 Premium income"][1] == sample.premium
    assert summary["赔付支出 Claims expense"][1] == sample.claims_paid
    assert summary["未决赔款 Claims outstanding"][1] == 3_000_000 - 1_000_001
    assert str(summary["简单赔付率 Paid loss ratio"][2]).startswith("8.46%")
    text = _text(render_statement(register))
    assert "370214********1234" in text
    assert VICTIM_ID not in text
    assert "张**" in text
    assert format_cny(sample.claims_paid) in text
    grant_text = _text(render_statement(grants))
    assert "300,000.00" in grant_text
    assert "52370214MJD123456X" not in grant_text


async def test_a_difference_between_tables_and_ledger_is_printed(settings: Settings, sample: Sample) -> None:
    async with db.write_transaction():
        await ClaimRow.update({ClaimRow.paid_fen: 3_000_000}).where(ClaimRow.claim_no == "CL-2026-000003")
    statement = await ReportService(settings).statement(_request("claims-register"), AT)
    assert any("CL-2026-000003" in e and "30,000.00" in e and "10,000.01" in e for e in statement.errors)
    assert "核对差异" in _text(render_statement(statement))


async def test_tampered_year_file_in_a_copy_shows_errors(
    settings: Settings, sample: Sample, tmp_path: Path
) -> None:
    copy = tmp_path / "ledger-copy"
    shutil.copytree(Ledger.of(settings).directory, copy)
    year_file = copy / "2026.beancount"
    text = year_file.read_text(encoding="utf-8")
    assert text.count("45678.90 CNY") == 2
    year_file.write_text(text.replace("45678.90 CNY", "45678.99 CNY"), encoding="utf-8")
    tampered = dataclasses.replace(settings, ledger_dir=copy)
    statement = await ReportService(tampered).statement(_request("trial-balance", "insurance"), AT)
    assert not statement.footer.check_passed
    assert any("edited" in e for e in statement.errors)
    assert any("journal ≠ ledger" in e and "FireExplosion" in e for e in statement.errors)
    pdf_text = _text(render_statement(statement))
    assert "核对差异" in pdf_text
    assert "校验未通过" in pdf_text
    clean = await ReportService(settings).statement(_request("trial-balance", "insurance"), AT)
    assert clean.errors == ()


async def test_content_hash_is_deterministic_and_follows_the_ledger(
    settings: Settings, sample: Sample
) -> None:
    service = ReportService(settings)
    request = _request("trial-balance", "charity")
    first = await service.statement(request, AT)
    again = await service.statement(request, AT + dt.timedelta(hours=5))
    assert d.content_hash(first) == d.content_hash(again)
    assert render_statement(first) == render_statement(dataclasses.replace(again, generated_at=AT))
    async with db.write_transaction():
        await journal.post(
            date=dt.date(2027, 1, 5),
            book="insurance",
            narration="下一年保费",
            postings=[Posting("Assets:Insurance:Bank", 100), Posting("Income:Insurance:Premium", -100)],
            cause="premium:2",
            actor="wang.kuaiji",
        )
    await Ledger.of(settings).export()
    later = await service.statement(request, AT)
    assert d.content_hash(later) != d.content_hash(first)
    assert later.footer.chain_head_hash != first.footer.chain_head_hash


@pytest.mark.parametrize("name", sorted(set(REPORTS) - {"vouchers"}))
async def test_every_statement_renders_with_the_cjk_font_embedded(
    settings: Settings, sample: Sample, name: str, tmp_path: Path
) -> None:
    request = _request(name, None)
    rendered = await ReportService(settings).render(request, "pdf")
    pdf = tmp_path / rendered.filename
    pdf.write_bytes(rendered.content)
    fonts = await asyncio.to_thread(_pdffonts, pdf)
    cjk = [line for line in fonts.splitlines() if re.search(r"WenQuanYi|WQY|Hei|Ming|Song", line, re.I)]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk), fonts
    assert REPORTS[name].title_cn[:4] in _text(rendered.content)


@pytest.mark.parametrize(
    ("name", "book"),
    [
        ("trial-balance", "charity"),
        ("claims-register", None),
        ("grant-register", None),
        ("vouchers", "insurance"),
        ("chart-of-accounts", None),
    ],
)
async def test_exports_round_trip_to_the_same_totals(
    settings: Settings, sample: Sample, name: str, book: str | None
) -> None:
    service = ReportService(settings)
    request = _request(name, book)
    if name == "vouchers":
        from ledger.reports.domain import voucher_tables

        table = voucher_tables(await service.vouchers(book=request.book, period=request.period))[1]
    else:
        table = next((await service.statement(request, AT)).tables())
    csv = (await service.render(request, "csv")).content
    xlsx = (await service.render(request, "xlsx")).content
    expected = d.money_totals(table)
    assert column_sums(csv_rows(csv), table) == expected
    rows = xlsx_rows(xlsx, sheet=1 if name == "vouchers" else 0)
    assert column_sums(rows, table, totals_row=table.totals is not None) == expected
    if table.totals is not None:
        assert printed_totals(rows, table) == expected
    header = csv_rows(csv)[0]
    assert header == [c.title_cn for c in table.columns]
    if name == "trial-balance":
        assert {"科目编码", "科目名称", "借方发生额", "贷方发生额"} <= set(header)
        assert expected["debit_total"] == sample.charity_2026_debits


async def test_voucher_has_capital_amount_approvers_and_documents(settings: Settings, sample: Sample) -> None:
    rendered = await ReportService(settings).render_voucher(12)
    text = _text(rendered.content)
    assert "记账凭证" in text
    assert "记-000012" in text
    assert "肆万伍仟陆佰柒拾捌元玖角" in text
    assert "zhao.shenpi" in text
    assert "wang.kuaiji" in text
    assert "CL-2026-000001-P1" in text


async def test_monthly_archive_runs_once_per_period(settings: Settings, sample: Sample) -> None:
    spec = job_specs(settings)[0]
    outcome = await run_job(spec, "2026-03")
    assert outcome.status == "done", outcome.result
    folder = settings.data_dir / "archive" / "2026-03"
    names = sorted(p.name for p in folder.iterdir())
    assert "trial-balance_charity_2026-03-01_2026-03-31.pdf" in names
    assert "SHA256SUMS" in names
    assert not any(n.endswith(".part") for n in names)
    assert (await run_job(spec, "2026-03")).status == "skipped"
