"""Ledger status, balances and account journals over HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery

from ledger.core.entries import BOOKS
from ledger.core.errors import InvalidInput
from ledger.core.money import format_amount
from ledger.core.records import view
from ledger.journal.records import AccountFilter
from ledger.journal.schemas import AccountBalance, AccountJournal, AccountLine, Balances, LedgerStatus
from ledger.journal.service import Ledger, account_journal, balances, chart, latest_kept
from ledger.platform.domain import Role
from ledger.web.auth import access
from ledger.web.params import Limit, Offset

READERS = (Role.AUDITOR, Role.ADMIN, Role.ACCOUNTANT)


def _book(book: str) -> str:
    if book not in BOOKS:
        raise InvalidInput(
            f"book must be one of {', '.join(BOOKS)}: got {book!r}", field="book", rule="known book"
        )
    return book


class LedgerController(Controller):
    """The Beancount ledger and the journal behind it."""

    path = "/api/ledger"
    tags = ["ledger"]

    @get("/status", **access(*READERS), operation_id="ledgerStatus")
    async def status(self, request: Request[Any, Any, Any]) -> LedgerStatus:
        """Run `ledger check` now: Beancount validation, the hash chain, and journal = files.

        The result is kept (``last_kept_check``), so ``/health`` reports it too.
        """
        report = await Ledger.of(request.app.state.settings).check()
        kept = await latest_kept("check")
        last = None
        if kept is not None:
            last = {"at": kept.at.isoformat(), "ok": kept.ok, "entries": kept.entries}
        return LedgerStatus(ok=report.ok, report=report.to_dict(), last_kept_check=last)

    @get("/balances/{book:str}", **access(*READERS), operation_id="ledgerBalances")
    async def balances(self, book: FromPath[str], as_of: FromQuery[dt.date | None] = None) -> Balances:
        """Every account's balance in one book (``insurance`` or ``charity``) as of a date."""
        sums = await balances(_book(book), as_of)
        accounts = chart().accounts
        return Balances(
            book=book,
            as_of=as_of,
            accounts=[
                AccountBalance(
                    account=name,
                    name_cn=accounts[name].cn,
                    code=accounts[name].code,
                    balance=format_amount(sums.get(name, 0)),
                )
                for name in sorted(accounts)
                if accounts[name].book == book
            ],
            total=format_amount(sum(sums.values())),
        )

    @get("/accounts/{account:str}/journal", **access(*READERS), operation_id="accountJournal")
    async def journal(
        self,
        account: FromPath[str],
        date_from: FromQuery[dt.date | None] = None,
        date_to: FromQuery[dt.date | None] = None,
        cause: FromQuery[str | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> AccountJournal:
        """An account's postings, oldest first, with a running balance; filter by date and cause prefix."""
        where = AccountFilter(date_from=date_from, date_to=date_to, cause=cause)
        page = await account_journal(account, where, limit=limit, offset=offset)
        return AccountJournal(
            account=account,
            opening_balance=format_amount(page.opening),
            lines=[
                view(AccountLine, line, amount=format_amount(line.fen), balance=format_amount(running))
                for line, running in zip(page.lines, page.running, strict=True)
            ],
            total=page.total,
            limit=limit,
            offset=offset,
        )


ROUTES: list[Any] = [LedgerController]
