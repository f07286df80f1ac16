"""Statements from the Beancount ledger, cross-checked with the database journal, as PDF / CSV / XLSX.

One request loads the ledger once (``books.statements.load_checked``: Beancount's validations, the hash
chain and the reconciliation with the journal on that one load). Every figure comes from the loaded
files; the claims and funds tables only add what the ledger does not hold (names, approvals, limits)
and are compared with it claim by claim and grant by grant. Any difference is printed on the statement
in red. Nothing here writes: reports read the database and the files.

Loading, building and rendering run in a worker thread so the event loop keeps serving.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from ledger.books import CheckReport, LoadedLedger
from ledger.books import statements as figures
from ledger.claims import service as claims_reads
from ledger.claims.domain import ClaimStatus
from ledger.claims.policy import PolicyConfig
from ledger.claims.service import DECIDED, policy_of
from ledger.config import Settings
from ledger.core import clock
from ledger.core.entries import BOOKS, JournalEntry
from ledger.core.errors import Conflict, InvalidInput, NotFound
from ledger.funds import service as funds
from ledger.funds.records import GrantOfPeriod
from ledger.journal.repository import JournalRepository
from ledger.journal.service import Ledger, chart
from ledger.reports import documents as d
from ledger.reports import domain
from ledger.reports.domain import ALL_BOOKS, CLOSE_CAUSE, EARLIEST_DAY, LATEST_DAY, BadDate, Context, Period
from ledger.reports.exports import to_csv, to_xlsx
from ledger.reports.pdf import render_statement, render_vouchers

ClaimUse = claims_reads.repository.DecidedClaimUse
"""What a decided claim uses of its limits, as the claims service hands it out."""

FORMATS: dict[str, str] = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True, slots=True)
class ReportSpec:
    """A report that can be asked for by name.

    Args:
        name: the URL / CLI name.
        title_cn: the Chinese title.
        title_en: the English title.
        books: the books it can be made for (the first is the default); ``all`` means the whole ledger.
        csv_table: which table of the statement the CSV export holds (the XLSX holds them all).
    """

    name: str
    title_cn: str
    title_en: str
    books: tuple[str, ...]
    csv_table: int = 0


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec("trial-balance", "试算平衡表", "Trial balance", BOOKS),
        ReportSpec("balance-sheet", "资产负债表", "Statement of financial position", ("charity",)),
        ReportSpec("activities", "业务活动表", "Statement of activities", ("charity",)),
        ReportSpec("insurance-programme", "保险项目报表", "Insurance programme statement", ("insurance",), 1),
        ReportSpec("claims-register", "理赔明细表", "Claims register", ("insurance",)),
        ReportSpec("grant-register", "资助项目登记表", "Grant register", ("charity",)),
        ReportSpec("vouchers", "记账凭证", "Accounting vouchers", (*BOOKS, ALL_BOOKS), 1),
        ReportSpec("integrity", "账本完整性证明", "Ledger integrity certificate", (ALL_BOOKS,), 1),
        ReportSpec("chart-of-accounts", "会计科目表", "Chart of accounts", (ALL_BOOKS, *BOOKS)),
    )
}
"""Every report by name."""


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """A validated request for a report.

    Args:
        spec: the report.
        book: the book (one of ``spec.books``).
        period: the period.
    """

    spec: ReportSpec
    book: str
    period: Period

    def filename(self, fmt: str) -> str:
        """``trial-balance_charity_2026-01-01_2026-12-31.pdf``."""
        return f"{self.spec.name}_{self.book}_{self.period.start}_{self.period.end}.{fmt}"


def report_request(
    name: str, *, book: str | None, start: dt.date | None, end: dt.date | None, today: dt.date
) -> ReportRequest:
    """Validate a report's parameters; the period defaults to the year to ``today``.

    Args:
        name: the report name.
        book: the book; ``None`` for the report's default.
        start: the first day; ``None`` for 1 January of the end's year.
        end: the last day; ``None`` for ``today``.
        today: the business date.

    Raises:
        NotFound: ``field="name"`` for an unknown report.
        InvalidInput: ``field="book"`` for a book the report is not made for; ``field="from"`` when
            the period starts after it ends or before ``EARLIEST_DAY``; ``field="to"`` when it ends
            outside ``EARLIEST_DAY`` .. ``LATEST_DAY``.
    """
    spec = REPORTS.get(name)
    if spec is None:
        raise NotFound(f"unknown report {name!r}", field="name", rule="one of " + ", ".join(sorted(REPORTS)))
    chosen = spec.books[0] if book is None else book
    if chosen not in spec.books:
        raise InvalidInput(
            f"report {name!r} is not made for book {chosen!r}",
            field="book",
            rule="one of " + ", ".join(spec.books),
        )
    last = end or today
    if not EARLIEST_DAY <= last <= LATEST_DAY:
        raise InvalidInput(
            f"the period must end between {EARLIEST_DAY} and {LATEST_DAY}: got {last}",
            field="to",
            rule=f"{EARLIEST_DAY} <= to <= {LATEST_DAY}",
        )
    first = start or dt.date(last.year, 1, 1)
    if first < EARLIEST_DAY:
        raise InvalidInput(
            f"the period must start on {EARLIEST_DAY} or later (statements show the year before): {first}",
            field="from",
            rule=f"from >= {EARLIEST_DAY}",
        )
    if first > last:
        raise InvalidInput(
            f"the period starts ({first}) after it ends ({last})", field="from", rule="from <= to"
        )
    return ReportRequest(spec, chosen, Period(first, last))


def parse_day(text: str | None, field: str) -> dt.date | None:
    """Parse an optional ``YYYY-MM-DD`` parameter.

    Raises:
        BadDate: naming ``field`` when ``text`` is not such a date.
    """
    if text is None or text == "":
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadDate(
            f"{field} must be a date YYYY-MM-DD, got {text!r}", field=field, rule="YYYY-MM-DD"
        ) from None


def check_format(fmt: str) -> str:
    """Return ``fmt`` if it is a known export format.

    Raises:
        NotFound: ``field="format"`` otherwise.
    """
    if fmt not in FORMATS:
        raise NotFound(f"unknown format {fmt!r}", field="format", rule="one of " + ", ".join(FORMATS))
    return fmt


@dataclass(frozen=True, slots=True)
class Rendered:
    """A finished download.

    Args:
        filename: the file name offered to the browser.
        media_type: its content type.
        content: the bytes.
        content_hash: the statement's content hash (sha256 of the figures, generation time excluded).
    """

    filename: str
    media_type: str
    content: bytes
    content_hash: str


@dataclass(frozen=True, slots=True)
class Preview:
    """A report's tables for a page.

    Args:
        request: what was asked for.
        sections: the headed tables, in print order.
        errors: the cross-check differences the statement prints in red.
        footer: the ledger's head hash and check result (``None`` for vouchers).
        content_hash: the same hash the downloads carry in ``X-Content-Hash``.
    """

    request: ReportRequest
    sections: tuple[d.Section, ...]
    errors: tuple[str, ...]
    footer: d.Footer | None
    content_hash: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The ledger as loaded for one request, with its check against the journal."""

    loaded: LoadedLedger
    report: CheckReport
    journal_count: int
    journal_sums: Mapping[str, int]

    def context(self, request: ReportRequest, generated_at: dt.datetime) -> Context:
        """The shared parts of a statement: book, period, footer and the check's errors."""
        footer, errors = domain.check_findings(self.report)
        return Context(request.book, request.period, footer, errors, generated_at)


def file_digests(directory: Path) -> list[tuple[str, int, str]]:
    """(name, size, sha256) of every ``*.beancount`` file of the ledger directory, by name."""
    found = []
    for path in sorted(directory.glob("*.beancount")):
        content = path.read_bytes()
        found.append((path.name, len(content), hashlib.sha256(content).hexdigest()))
    return found


class ReportService:
    """Builds statements and vouchers and renders them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.ledger = Ledger.of(settings)

    def today(self) -> dt.date:
        """The business date."""
        return clock.today()

    async def snapshot(self) -> Snapshot:
        """Read the journal's summary, then load and check the files once (in a worker thread)."""
        summary = await self.ledger.summary()
        loaded, report = await asyncio.to_thread(figures.load_checked, self.ledger.directory, summary)
        return Snapshot(loaded, report, summary.count, summary.sums)

    async def statement(self, request: ReportRequest, generated_at: dt.datetime | None = None) -> d.Statement:
        """Build the statement ``request`` names (any report except ``vouchers``).

        Args:
            request: the validated request.
            generated_at: the generation time; default now.
        """
        snap = await self.snapshot()
        ctx = snap.context(request, generated_at or clock.local_now())
        name = request.spec.name
        if name in {"claims-register", "insurance-programme"}:
            return await self._insurance(name, snap, ctx)
        if name == "grant-register":
            grants = await funds.grants_made_by(ctx.period.end)
            return await asyncio.to_thread(_grant_register, snap, ctx, grants)
        if name == "integrity":
            files = await asyncio.to_thread(file_digests, self.ledger.directory)
            return await asyncio.to_thread(_integrity, snap, ctx, files)
        return await asyncio.to_thread(_ledger_statement, name, snap, ctx)

    async def _insurance(self, name: str, snap: Snapshot, ctx: Context) -> d.Statement:
        decided = {s.value for s in DECIDED}
        claims = [
            msgspec.convert({**msgspec.structs.asdict(c), "decided": c.status in decided}, domain.ClaimRecord)
            for c in await claims_reads.claims_of_period(ctx.period.start, ctx.period.end)
        ]
        policy = policy_of(self.settings)
        if name == "claims-register":
            return await asyncio.to_thread(_claims_register, snap, ctx, policy, claims)
        years = [y for y in policy.policy_years if y.starts <= ctx.period.end and y.ends >= ctx.period.start]
        usage = await claims_reads.decided_uses([y.code for y in years])
        return await asyncio.to_thread(_programme, snap, ctx, policy, claims, usage)

    async def vouchers(
        self, *, book: str | None = None, period: Period | None = None, seq: int | None = None
    ) -> list[d.Voucher]:
        """The vouchers of the ledger entries of a book and period, or of entry ``seq``, from the files.

        Raises:
            NotFound: ``field="seq"`` when entry ``seq`` is not in the ledger files.
            Conflict: ``field="seq"`` when the files' entry differs from the journal's.
        """
        snap = await self.snapshot()
        entries = figures.journal_entries(
            snap.loaded.entries,
            book=None if book in (None, ALL_BOOKS) else book,
            start=period.start if period else None,
            end=period.end if period else None,
            seq=seq,
        )
        if seq is not None:
            if not entries:
                raise NotFound(f"journal entry {seq} is not in the ledger files", field="seq")
            stored = await JournalRepository().entry(seq)
            if stored != entries[0]:
                raise Conflict(
                    f"entry {seq} in the ledger files differs from the journal: "
                    "run `relief-ledger ledger check`",
                    field="seq",
                    rule="ledger equals journal",
                )
        return await self._with_backing(entries)

    async def _with_backing(self, entries: Sequence[JournalEntry]) -> list[d.Voucher]:
        claims = sorted({v for e in entries for k, v in e.links if k == "claim"})
        grants = sorted({v for e in entries for k, v in e.links if k == "grant"})
        backing = {
            **{
                c.claim_no: domain.Backing(c.approvers, c.document_types)
                for c in await claims_reads.approvals_of(claims)
            },
            **{
                g.grant_no: domain.Backing(
                    (g.decided_by,) if g.decided_by else (),
                    (f"资助协议 {g.agreement_no}",) if g.agreement_no else (),
                )
                for g in await funds.grant_approvals(grants)
            },
        }
        table = chart()
        out = []
        for entry in entries:
            links = dict(entry.links)
            key = links.get("claim") or links.get("grant") or ""
            out.append(domain.voucher(table, entry, backing.get(key, domain.Backing())))
        return out

    async def render(self, request: ReportRequest, fmt: str) -> Rendered:
        """Build and render a report in ``fmt`` (``pdf``, ``csv`` or ``xlsx``)."""
        check_format(fmt)
        now = clock.local_now()
        if request.spec.name == "vouchers":
            vouchers = await self.vouchers(book=request.book, period=request.period)
            if not vouchers:
                raise NotFound(
                    f"no journal entries in {request.book} "
                    f"from {request.period.start} to {request.period.end}",
                    field="from",
                )
            content = await asyncio.to_thread(_render_vouchers, vouchers, fmt, now, self.settings.pdf_font)
            chash = d.vouchers_hash(vouchers)
        else:
            statement = await self.statement(request, now)
            content = await asyncio.to_thread(
                _render_statement, statement, fmt, request.spec.csv_table, self.settings.pdf_font
            )
            chash = d.content_hash(statement)
        return Rendered(request.filename(fmt), FORMATS[fmt], content, chash)

    async def render_voucher(self, seq: int, fmt: str = "pdf") -> Rendered:
        """One entry's voucher (记账凭证) as PDF, CSV or XLSX."""
        check_format(fmt)
        vouchers = await self.vouchers(seq=seq)
        now = clock.local_now()
        content = await asyncio.to_thread(_render_vouchers, vouchers, fmt, now, self.settings.pdf_font)
        return Rendered(f"voucher_{seq:06d}.{fmt}", FORMATS[fmt], content, d.vouchers_hash(vouchers))

    async def preview(self, request: ReportRequest) -> Preview:
        """The report's tables as the CSV and XLSX downloads hold them, for showing in a page.

        The same build as ``render``: a page shows exactly the figures of the files it links to.
        """
        if request.spec.name == "vouchers":
            vouchers = await self.vouchers(book=request.book, period=request.period)
            section = d.Section("", "", domain.voucher_tables(vouchers))  # the page heads it with the title
            return Preview(request, (section,), (), None, d.vouchers_hash(vouchers))
        statement = await self.statement(request)
        return Preview(
            request, statement.sections, statement.errors, statement.footer, d.content_hash(statement)
        )


# ---------------------------------------------------------------------------------------------------
# Worker-thread bodies: pure given the snapshot.


def _ledger_statement(name: str, snap: Snapshot, ctx: Context) -> d.Statement:
    entries, book, period = snap.loaded.entries, ctx.book, ctx.period
    table = chart()
    if name == "trial-balance":
        return domain.trial_balance(table, ctx, figures.turnover(entries, book, period.start, period.end))
    if name == "chart-of-accounts":
        return domain.chart_of_accounts(table, ctx)
    day_before = period.start - dt.timedelta(days=1)
    opening = figures.sums(entries, book, end=day_before)
    closing = figures.sums(entries, book, end=period.end)
    if name == "balance-sheet":
        return domain.balance_sheet(table, ctx, opening, closing)
    prior = period.year_earlier()
    skip = (CLOSE_CAUSE,)
    current = figures.sums(entries, book, start=period.start, end=period.end, exclude_causes=skip)
    before = figures.sums(entries, book, start=prior.start, end=prior.end, exclude_causes=skip)
    change = sum(domain.net_assets(closing)) - sum(domain.net_assets(opening))
    return domain.statement_of_activities(
        ctx, domain.activities_of(table, book, current), domain.activities_of(table, book, before), change
    )


def _paid_errors(
    recorded: Mapping[str, int], snap: Snapshot, *, key: str, cause: str, account: str, sign: int, what: str
) -> list[str]:
    every = figures.link_sums(snap.loaded.entries, key=key, cause=cause, account_prefix=account)
    ledger = {number: sign * every.get(number, 0) for number in recorded}
    return domain.reconcile_paid(recorded, ledger, what)


_CLAIM_PAID = {"key": "claim", "cause": "claim-payment:", "account": "Expenses:Insurance:Claims:"}


def _claims_paid(snap: Snapshot, ctx: Context) -> dict[str, int]:
    """Claim number -> paid by the ledger up to the end of the period."""
    return figures.link_sums(
        snap.loaded.entries,
        key=_CLAIM_PAID["key"],
        cause=_CLAIM_PAID["cause"],
        account_prefix=_CLAIM_PAID["account"],
        end=ctx.period.end,
    )


def _claims_register(
    snap: Snapshot, ctx: Context, policy: PolicyConfig, claims: Sequence[domain.ClaimRecord]
) -> d.Statement:
    errors = _paid_errors({c.claim_no: c.paid_fen for c in claims}, snap, **_CLAIM_PAID, sign=1, what="赔案")
    return domain.claims_register(
        ctx,
        claims,
        {p.code: p.cn for p in policy.perils},
        {s.value: s.cn for s in ClaimStatus},
        _claims_paid(snap, ctx),
        errors,
    )


def _programme(
    snap: Snapshot,
    ctx: Context,
    policy: PolicyConfig,
    claims: Sequence[domain.ClaimRecord],
    usage: Sequence[ClaimUse],
) -> d.Statement:
    period = ctx.period
    period_sums = figures.sums(snap.loaded.entries, ctx.book, start=period.start, end=period.end)
    premium = -sum(fen for account, fen in period_sums.items() if account.startswith("Income:"))
    data = domain.Programme(
        premium_fen=premium,
        expense_by_peril={p.code: period_sums.get(p.account, 0) for p in policy.perils},
        perils={p.code: p.cn for p in policy.perils},
        claims=claims,
        ledger_paid=_claims_paid(snap, ctx),
        limits=_limits(policy, period, usage),
    )
    errors = _paid_errors({c.claim_no: c.paid_fen for c in claims}, snap, **_CLAIM_PAID, sign=1, what="赔案")
    return domain.insurance_programme(ctx, data, errors)


def _limits(policy: PolicyConfig, period: Period, usage: Sequence[ClaimUse]) -> list[domain.Limit]:
    """Limit usage per policy year, per peril and year, and per event with an incident in the period."""
    by_year: dict[str, int] = {}
    by_peril: dict[tuple[str, str], int] = {}
    by_event: dict[str, tuple[dt.date, str, int]] = {}
    for use in usage:
        code, peril, fen = use.policy_year, use.peril, use.approved_fen
        by_year[code] = by_year.get(code, 0) + fen
        by_peril[(code, peril)] = by_peril.get((code, peril), 0) + fen
        if period.start <= use.incident_date <= period.end:
            _, _, used = by_event.get(use.event_no, (use.incident_date, peril, 0))
            by_event[use.event_no] = (use.incident_date, peril, used + fen)
    names = {p.code: p.cn for p in policy.perils}
    limits: list[domain.Limit] = []
    for year in policy.policy_years:
        if not (year.starts <= period.end and year.ends >= period.start):
            continue
        rules = policy.rules_on(year.starts)
        limits.append(
            domain.Limit(
                "保单年度累计", f"{year.code} 保单年度", rules.per_policy_year_fen, by_year.get(year.code, 0)
            )
        )
        limits += [
            domain.Limit(
                "险种年度",
                f"{year.code} {peril.cn}",
                rules.peril_rules(peril.code).per_peril_year_fen,
                by_peril.get((year.code, peril.code), 0),
            )
            for peril in policy.perils
            if peril.code in rules.perils
        ]
    for event, (incident, peril, used) in sorted(by_event.items()):
        limits.append(
            domain.Limit(
                "每次事故",
                f"{event} {names.get(peril, peril)} {incident}",
                policy.rules_on(incident).per_event_fen,
                used,
            )
        )
    return limits


def _grant_register(snap: Snapshot, ctx: Context, grants: Sequence[GrantOfPeriod]) -> d.Statement:
    paid = {"key": "grant", "cause": "grant-tranche:", "account": "Assets:Charity:Bank"}
    errors = _paid_errors({g.grant_no: g.paid_fen for g in grants}, snap, **paid, sign=-1, what="资助")
    until_end = figures.link_sums(
        snap.loaded.entries,
        key="grant",
        cause="grant-tranche:",
        account_prefix="Assets:Charity:Bank",
        end=ctx.period.end,
    )
    return domain.grant_register(ctx, grants, {k: -v for k, v in until_end.items()}, errors)


def _integrity(snap: Snapshot, ctx: Context, files: Sequence[tuple[str, int, str]]) -> d.Statement:
    ledger_sums = figures.sums(snap.loaded.entries, None)
    return domain.integrity_certificate(
        chart(), ctx, snap.report, snap.journal_count, snap.journal_sums, ledger_sums, files
    )


def _render_statement(statement: d.Statement, fmt: str, csv_table: int, font: Path | None) -> bytes:
    if fmt == "pdf":
        return render_statement(statement, font)
    tables = list(statement.tables())
    if fmt == "csv":
        return to_csv(tables[min(csv_table, len(tables) - 1)])
    return to_xlsx(tables)


def _render_vouchers(vouchers: Sequence[d.Voucher], fmt: str, now: dt.datetime, font: Path | None) -> bytes:
    if fmt == "pdf":
        return render_vouchers(vouchers, font, generated_at=now)
    head, lines = domain.voucher_tables(vouchers)
    return to_csv(lines) if fmt == "csv" else to_xlsx([head, lines])


ARCHIVED: tuple[tuple[str, str], ...] = (
    ("trial-balance", "insurance"),
    ("trial-balance", "charity"),
    ("balance-sheet", "charity"),
    ("activities", "charity"),
    ("insurance-programme", "insurance"),
    ("claims-register", "insurance"),
    ("grant-register", "charity"),
    ("integrity", ALL_BOOKS),
)
"""The statements the monthly archive keeps (as PDF and XLSX)."""


def month_period(month: str) -> Period:
    """``2026-10`` -> 1 to 31 October 2026.

    Raises:
        InvalidInput: ``field="period"`` for anything but ``YYYY-MM``.
    """
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InvalidInput(f"period must be YYYY-MM, got {month!r}", field="period", rule="YYYY-MM") from None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1))


async def archive_month(settings: Settings, month: str) -> list[Path]:
    """Write the month's statements into ``<data_dir>/archive/YYYY-MM/`` with a ``SHA256SUMS`` manifest.

    Each file is written under a temporary name and renamed, so a crash leaves no half file; the job key
    (``reports-archive:YYYY-MM``) makes sure a month is archived once.

    Args:
        settings: the installation.
        month: ``YYYY-MM``.
    """
    period = month_period(month)
    folder = settings.data_dir / "archive" / month
    folder.mkdir(parents=True, exist_ok=True)
    service = ReportService(settings)
    written: list[Path] = []
    sums: list[str] = []
    for name, book in ARCHIVED:
        request = ReportRequest(REPORTS[name], book, period)
        for fmt in ("pdf", "xlsx"):
            rendered = await service.render(request, fmt)
            path = folder / rendered.filename
            temporary = path.with_suffix(path.suffix + ".part")
            temporary.write_bytes(rendered.content)
            temporary.replace(path)
            written.append(path)
            sums.append(f"{hashlib.sha256(rendered.content).hexdigest()}  {path.name}\n")
    manifest = folder / "SHA256SUMS"
    manifest.write_text("".join(sums), encoding="utf-8")
    return [*written, manifest]
