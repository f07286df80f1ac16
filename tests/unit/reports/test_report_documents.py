"""Document value types: validation, totals, content hash, vouchers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from reports_samples import BALANCE_ROWS, GENERATED_AT, make_statement, sample_voucher

from ledger.reports import documents as d


def test_std_columns_use_gbt_24589_names() -> None:
    names = [d.std_column(key).title_cn for key in ("account_code", "account_name", "voucher_no")]
    assert names == ["科目编码", "科目名称", "凭证号"]
    assert d.std_column("debit").kind == "money"
    assert d.std_column("voucher_date").kind == "date"
    with pytest.raises(KeyError):
        d.std_column("nonsense")


def test_column_rejects_unknown_kind_and_bad_width() -> None:
    with pytest.raises(ValueError, match="kind"):
        d.Column("x", "甲", kind="float")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="width_mm"):
        d.Column("x", "甲", width_mm=0)


def test_table_refuses_float_money_and_wrong_shapes() -> None:
    columns = (d.Column("name", "名称"), d.Column("amount", "金额", kind="money"))
    with pytest.raises(TypeError, match="expected int fen, got float"):
        d.Table(columns, (("a", 12.5),))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got bool"):
        d.Table(columns, (("a", True),))
    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        d.Table(columns, (("a",),))
    with pytest.raises(ValueError, match="duplicate column keys"):
        d.Table((columns[0], columns[0]), ())
    with pytest.raises(TypeError, match=r"datetime\.date"):
        d.Table((d.Column("day", "日期", kind="date"),), ((dt.datetime(2025, 1, 1),),))


def test_totals_row_and_money_totals() -> None:
    columns = (
        d.Column("name", "名称"),
        d.Column("n", "笔数", kind="int"),
        d.Column("fen", "金额", kind="money"),
    )
    rows = (("a", 1, 100), ("b", 2, None), ("c", 3, -5))
    assert d.totals_row(columns, rows) == ("合计", None, 95)
    table = d.Table(columns, rows, d.totals_row(columns, rows))
    assert d.money_totals(table) == {"fen": 95}
    assert table.money_keys() == ("fen",)


def test_content_hash_is_deterministic_and_ignores_generation_time() -> None:
    first = make_statement()
    later = make_statement(generated_at=GENERATED_AT + dt.timedelta(days=3))
    assert d.content_hash(first) == d.content_hash(make_statement())
    assert d.content_hash(first) == d.content_hash(later)
    assert len(d.content_hash(first)) == 64


def test_content_hash_changes_with_one_fen_or_an_error() -> None:
    base = d.content_hash(make_statement())
    changed_rows = ((*BALANCE_ROWS[0][:5], 176543212), *BALANCE_ROWS[1:])
    assert d.content_hash(make_statement(balance_rows=changed_rows)) != base
    assert d.content_hash(make_statement(errors=("差异 0.01 元",))) != base
    assert d.content_hash(make_statement(check_passed=False)) != base
    footer = dataclasses.replace(make_statement().footer, chain_head_hash="f" * 64)
    assert d.content_hash(dataclasses.replace(make_statement(), footer=footer)) != base


def test_content_hash_tells_a_date_from_its_text() -> None:
    as_date = d.Table((d.Column("x", "甲", kind="date"),), ((dt.date(2025, 1, 2),),))
    as_text = d.Table((d.Column("x", "甲", kind="date"),), ((None,),))
    statement = make_statement()
    one = dataclasses.replace(statement, sections=(d.Section("s", tables=(as_date,)),))
    two = dataclasses.replace(statement, sections=(d.Section("s", tables=(as_text,)),))
    assert d.content_hash(one) != d.content_hash(two)


def test_statement_needs_an_aware_generation_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_statement(generated_at=dt.datetime(2025, 4, 1, 10, 0))


def test_voucher_total_number_and_capital_numerals() -> None:
    voucher = sample_voucher(seq=123, fen=1_234_567)
    assert voucher.total_fen == 1_234_567
    assert voucher.total_capital == "壹万贰仟叁佰肆拾伍元陆角柒分"
    assert voucher.number == "记-000123"


def test_voucher_must_balance_and_lines_take_one_side() -> None:
    line = d.VoucherLine("1002", "银行存款", "Assets:Charity:Bank", debit_fen=100)
    with pytest.raises(ValueError, match="debits 100 != credits 0"):
        d.Voucher(1, dt.date(2025, 1, 1), "charity", "x", (line,), "王")
    with pytest.raises(ValueError, match="exactly one"):
        d.VoucherLine("1002", "银行存款", "Assets:Charity:Bank", debit_fen=1, credit_fen=1)
    with pytest.raises(ValueError, match="non-negative"):
        d.VoucherLine("1002", "银行存款", "Assets:Charity:Bank", debit_fen=-1)


def test_voucher_hash_covers_amounts() -> None:
    assert d.content_hash(sample_voucher()) == d.content_hash(sample_voucher())
    assert d.content_hash(sample_voucher(fen=1)) != d.content_hash(sample_voucher(fen=2))
    assert d.vouchers_hash([sample_voucher(1), sample_voucher(2)]) != d.vouchers_hash(
        [sample_voucher(2), sample_voucher(1)]
    )
