"""What every statement shares: its period and context, the limits on dates, the statement
frame, and the check findings printed in its footer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.books.check import CheckReport
from ledger.core.errors import BadRequest
from ledger.reports import documents as d

CLOSE_CAUSE = "period-close:"
ALL_BOOKS = "all"
CURRENCY_PARAM = ("币种 Currency", "人民币 CNY")
EARLIEST_DAY = dt.date(dt.MINYEAR + 1, 1, 1)
"""The first day a period may start on: a statement also reads the day before it (the opening balance)
and the same days a year earlier (the comparative column), which must be calendar days too."""
LATEST_DAY = dt.date.max - dt.timedelta(days=1)
"""The last day a period may end on: a register reads up to the start of the day after it."""


class BadDate(BadRequest):
    """A date parameter is not a calendar date written YYYY-MM-DD."""


@dataclass(frozen=True, slots=True)
class Period:
    """A closed range of days.

    Args:
        start: first day.
        end: last day (inclusive).
    """

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        """``2026年1月1日至2026年12月31日``."""
        return f"{cn_date(self.start)}至{cn_date(self.end)}"

    def year_earlier(self) -> Period:
        """The same days one year earlier (the comparative period; 29 February becomes the 28th)."""
        return Period(year_earlier(self.start), year_earlier(self.end))


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def year_earlier(day: dt.date) -> dt.date:
    if day.month == 2 and day.day == 29:
        return dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


@dataclass(frozen=True, slots=True)
class Context:
    """What every statement of one request shares.

    Args:
        book: ``insurance``, ``charity`` or ``all``.
        period: the reporting period.
        footer: chain head and check result.
        errors: the cross-check differences of the ledger (printed in red).
        generated_at: the generation time (not part of the content hash).
    """

    book: str
    period: Period
    footer: d.Footer
    errors: tuple[str, ...]
    generated_at: dt.datetime


def new_statement(
    ctx: Context,
    kind: str,
    title: tuple[str, str],
    sections: Sequence[d.Section],
    *,
    errors: Sequence[str] = (),
    parameters: Sequence[tuple[str, str]] = (),
    period_label: str | None = None,
) -> d.Statement:
    params = (("报表 Report", kind), *parameters, CURRENCY_PARAM)
    return d.Statement(
        kind=kind,
        title_cn=title[0],
        title_en=title[1],
        book=ctx.book,
        period_label=ctx.period.label if period_label is None else period_label,
        parameters=params,
        sections=tuple(sections),
        footer=ctx.footer,
        generated_at=ctx.generated_at,
        errors=(*ctx.errors, *errors),
    )


# Check findings: footer text and error lines.


def check_findings(report: CheckReport) -> tuple[d.Footer, tuple[str, ...]]:
    """Return the footer and the error lines a check report puts on every statement.

    File names are printed relative to the ledger directory, so the text (and the content hash) depends
    on the ledger's content, not on where it lies.

    Args:
        report: the ledger check (Beancount, hash chain, reconciliation with the journal).
    """
    chain = report.chain
    root = f"{report.directory}/"
    errors: list[str] = []
    for error in report.errors:
        where = f"{(error.filename or '').replace(root, '')}:{error.lineno}: " if error.filename else ""
        errors.append(f"Beancount 校验错误 {where}{error.message.replace(root, '')}")
    errors += [f"哈希链 {p.kind}: {p.message.replace(root, '')}" for p in chain.problems]
    errors += [f"日记账与账本不一致 journal ≠ ledger: {diff.message}" for diff in report.differences]
    if report.ok:
        text = (
            f"bean-check 通过；哈希链完整（{chain.count} 条，链头 #{chain.head_seq}）；与数据库日记账核对一致"
        )
    else:
        text = (
            f"校验未通过 FAILED：Beancount 错误 {len(report.errors)} 项，"
            f"哈希链问题 {len(chain.problems)} 项，与日记账差异 {len(report.differences)} 项"
        )
    return d.Footer(chain.head_hash, text, report.ok), tuple(errors)
