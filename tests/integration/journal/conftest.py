"""Fixtures of the journal tests: claim payments posted straight to the journal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from ledger import db
from ledger.config import Settings
from ledger.core.entries import Posting
from ledger.journal import service
from ledger.journal.service import Ledger

PostPayment = Callable[[int], Awaitable[None]]


async def _post_payment(n: int) -> None:
    """Post payment ``n``: 2026-05-``n``, ``n * 100.01`` yuan, cause ``claim-payment:n``."""
    async with db.write_transaction():
        await service.post(
            date=dt.date(2026, 5, n),
            book="insurance",
            narration=f"赔付 {n}",
            postings=[
                Posting("Expenses:Insurance:Claims:NaturalDisaster", n * 10001),
                Posting("Assets:Insurance:Bank", -n * 10001),
            ],
            cause=f"claim-payment:{n}",
            actor="approver",
        )


@pytest.fixture
def post_payment(database: Any) -> PostPayment:
    """Post claim payment ``n`` to the journal (not exported)."""
    return _post_payment


@pytest.fixture
async def exported_five(post_payment: PostPayment, settings: Settings) -> Ledger:
    """Payments 1 to 5 posted and exported (2026.beancount)."""
    for n in range(1, 6):
        await post_payment(n)
    ledger = Ledger.of(settings)
    await ledger.export()
    return ledger
