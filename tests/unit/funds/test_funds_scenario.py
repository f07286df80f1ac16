"""The worked example of ADR 0002, pinned to the fen: receipts, two grants, 60/40 tranches, a
cancellation, a return and the period close, with the fund position and the books in step."""

from __future__ import annotations

from collections.abc import Callable

from ledger.core.entries import Posting
from ledger.funds import domain as d
from ledger.funds.domain import FundPosition, GrantBalance

R = d.Restriction.RESTRICTED
Fold = Callable[..., dict[str, int]]


def _yuan(text: str) -> int:
    """'1,000,000.00' -> 100000000 fen (test helper, no floats)."""
    whole, _, cents = text.replace(",", "").partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int(cents or 0))


def test_worked_example(fold: Fold) -> None:  # noqa: PLR0915 - the ADR's table, step by step
    books: dict[str, int] = {}
    pos = FundPosition()

    # guidance grant and a matching donation
    pos = d.after_receipt(pos, _yuan("1,000,000.00"))
    books = fold(books, d.receipt_postings(d.ReceiptKind.GOVERNMENT_GRANT, R, _yuan("1,000,000.00")))
    pos = d.after_receipt(pos, _yuan("200,000.00"))
    books = fold(books, d.receipt_postings(d.ReceiptKind.DONATION, R, _yuan("200,000.00")))
    assert (books[d.BANK], pos.available) == (_yuan("1,200,000.00"), _yuan("1,200,000.00"))

    # grant A 333,333.33, approved and signed; its 60/40 schedule
    a = GrantBalance(_yuan("333,333.33"))
    schedule = d.tranche_schedule(a.amount, [60, 40])
    assert schedule == (_yuan("199,999.99"), _yuan("133,333.34"))
    pos = d.after_commit(pos, a.amount)
    books = fold(books, d.commitment_postings(a.amount, R))
    assert (books[d.GRANTS_PAYABLE], pos.available) == (-_yuan("333,333.33"), _yuan("866,666.67"))

    # grant B 100,000.00, approved unsigned, then signed
    b = GrantBalance(_yuan("100,000.00"))
    pos = d.after_commit(pos, b.amount, signed=False)
    assert (pos.available, pos.unsigned, books[d.GRANTS_PAYABLE]) == (
        _yuan("766,666.67"),
        b.amount,
        -a.amount,
    )
    pos = d.after_signing(pos, b.amount)
    books = fold(books, d.commitment_postings(b.amount, R))
    assert (books[d.GRANTS_PAYABLE], pos.available) == (-_yuan("433,333.33"), _yuan("766,666.67"))

    # A: tranche 1
    d.check_tranche_order(1, tranche_count=2, paid_tranches=0, accepted_reports=0)
    pos = d.after_tranche_paid(pos, schedule[0])
    a = d.grant_after_tranche_paid(a, schedule[0])
    books = fold(books, d.tranche_payment_postings(schedule[0]))
    assert books[d.BANK] == _yuan("1,000,000.01")
    assert books[d.GRANTS_PAYABLE] == -_yuan("233,333.34")
    assert pos.available == _yuan("766,666.67")

    # B cancelled before any payment: its commitment is released
    pos = d.after_cancel(pos, b.unpaid)
    books = fold(books, d.cancellation_postings(b.unpaid, R))
    b = d.grant_after_release(b, b.unpaid)
    assert (books[d.GRANTS_PAYABLE], pos.available) == (-_yuan("133,333.34"), _yuan("866,666.67"))

    # A: report accepted, tranche 2
    d.check_tranche_order(2, tranche_count=2, paid_tranches=1, accepted_reports=1)
    pos = d.after_tranche_paid(pos, schedule[1])
    a = d.grant_after_tranche_paid(a, schedule[1])
    books = fold(books, d.tranche_payment_postings(schedule[1]))
    assert a.unpaid == 0
    assert d.GRANTS_PAYABLE not in books
    assert (books[d.BANK], pos.available) == (_yuan("866,666.67"), _yuan("866,666.67"))

    # A: final report accepted, 10,000.00 unspent comes back
    pos = d.after_return(pos, _yuan("10,000.00"))
    a = d.grant_after_return(a, _yuan("10,000.00"))
    books = fold(books, d.return_postings(_yuan("10,000.00"), R))
    assert (books[d.BANK], pos.available) == (_yuan("876,666.67"), _yuan("876,666.67"))
    assert a.paid_net == _yuan("323,333.33")

    # before the close: restricted net assets carry the release, income is still open
    assert books[d.PROGRAM_COSTS] == _yuan("323,333.33")
    assert books[d.NET_ASSETS_RESTRICTED] == _yuan("323,333.33")
    assert books[d.NET_ASSETS_UNRESTRICTED] == -_yuan("323,333.33")

    close = d.period_close_postings(books)
    assert close == (
        Posting(d.PROGRAM_COSTS, -_yuan("323,333.33")),
        Posting(d.DONATIONS_RESTRICTED, _yuan("200,000.00")),
        Posting(d.GOVERNMENT_GRANT_RESTRICTED, _yuan("1,000,000.00")),
        Posting(d.NET_ASSETS_UNRESTRICTED, _yuan("323,333.33")),
        Posting(d.NET_ASSETS_RESTRICTED, -_yuan("1,200,000.00")),
    )
    books = fold(books, close)
    assert books == {
        d.BANK: _yuan("876,666.67"),
        d.NET_ASSETS_RESTRICTED: -_yuan("876,666.67"),
    }
    assert pos == FundPosition(
        received=_yuan("1,200,000.00"),
        committed_unpaid=0,
        unsigned=0,
        paid=_yuan("333,333.33"),
        returned=_yuan("10,000.00"),
    )
    assert pos.received == pos.available + pos.committed_unpaid + pos.paid_net


def test_release_on_payment_would_leave_unrestricted_net_assets_negative(fold: Fold) -> None:
    """Why ADR 0002 releases on signing: the alternative, checked with numbers."""
    amount, first = _yuan("333,333.33"), _yuan("199,999.99")
    receipt = d.receipt_postings(d.ReceiptKind.GOVERNMENT_GRANT, R, _yuan("1,000,000.00"))

    ours = fold({}, receipt)
    ours = fold(ours, d.commitment_postings(amount, R))
    ours = fold(ours, d.tranche_payment_postings(first))
    ours = fold(ours, d.period_close_postings(ours))
    assert d.NET_ASSETS_UNRESTRICTED not in ours
    assert ours[d.NET_ASSETS_RESTRICTED] == -_yuan("666,666.67")
    assert ours[d.BANK] + ours[d.GRANTS_PAYABLE] == _yuan("666,666.67")

    alternative = fold({}, receipt)
    alternative = fold(alternative, d.commitment_postings(amount, d.Restriction.UNRESTRICTED))  # no release
    alternative = fold(alternative, d.tranche_payment_postings(first))
    alternative = fold(alternative, d.restriction_release_postings(first))  # released on payment
    alternative = fold(alternative, d.period_close_postings(alternative))
    assert alternative[d.NET_ASSETS_UNRESTRICTED] == _yuan("133,333.34")  # a debit: negative net assets
    assert alternative[d.NET_ASSETS_RESTRICTED] == -_yuan("800,000.01")
