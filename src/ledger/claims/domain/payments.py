"""Payments of an approved claim and the postings of payouts and premium receipts."""

from __future__ import annotations

from enum import StrEnum

from ledger.claims.domain.limits import check_fen
from ledger.claims.domain.status import ClaimAction
from ledger.claims.errors import Overpayment, PaymentNotAllowed
from ledger.claims.policy import CLAIMS_ACCOUNT_PREFIX
from ledger.core.entries import Posting
from ledger.core.errors import InvalidInput
from ledger.core.money import Fen, format_cny

INSURANCE_BANK_ACCOUNT = "Assets:Insurance:Bank"
"""The insurance book's bank account: credited by payouts, debited by premium receipts."""

PREMIUM_INCOME_ACCOUNT = "Income:Insurance:Premium"
"""Premium income of the insurance book."""


class PaymentKind(StrEnum):
    """How a payment relates to the approved amount.

    ``advance`` (先予支付, the undisputed part when the amount is not fixed within 60 days) and
    ``interim`` are part payments and must leave something to pay; ``final`` pays exactly the rest.
    """

    ADVANCE = "advance"
    INTERIM = "interim"
    FINAL = "final"

    @property
    def action(self) -> ClaimAction:
        """The status action the payment takes: ``pay_final`` or ``pay_partial``."""
        return ClaimAction.PAY_FINAL if self is PaymentKind.FINAL else ClaimAction.PAY_PARTIAL


def check_payment(approved_fen: Fen, paid_so_far_fen: Fen, amount_fen: Fen | None, kind: PaymentKind) -> Fen:
    """Check a payment against what is approved and already paid; return the amount to pay.

    Args:
        approved_fen: the approved total of the claim (after any event scale-back).
        paid_so_far_fen: the sum of its earlier payments.
        amount_fen: the amount asked for; ``None`` for a final payment means "the rest".
        kind: advance, interim or final.

    Returns:
        The amount to pay: ``amount_fen``, or the rest for a final payment given ``None``.

    Raises:
        InvalidInput: ``field="amount"`` for a missing, zero or negative part payment.
        Overpayment: ``field="amount"``: "payment would exceed the approved amount: approved X,
            paid Y, asked Z" (also when the approved amount was scaled back below what is paid).
        PaymentNotAllowed: ``field="amount"`` when a part payment would pay everything (make it the
            final payment), a final payment is not exactly the rest, or nothing is left to pay.
    """
    check_fen(approved_fen, "approved")
    check_fen(paid_so_far_fen, "paid")
    kind = PaymentKind(kind)
    rest = approved_fen - paid_so_far_fen
    if amount_fen is None:
        if kind is not PaymentKind.FINAL:
            raise InvalidInput(
                f"an {kind} payment needs an amount", field="amount", rule="required for a part payment"
            )
        amount_fen = max(rest, 0)
    check_fen(amount_fen, "amount")
    if amount_fen > rest:
        raise Overpayment(
            "payment would exceed the approved amount: "
            f"approved {format_cny(approved_fen)}, paid {format_cny(paid_so_far_fen)}, "
            f"asked {format_cny(amount_fen)}",
            field="amount",
            rule=f"at most the unpaid rest {format_cny(max(rest, 0))}",
        )
    if rest == 0:
        raise PaymentNotAllowed(
            "nothing is left to pay on this claim", field="amount", rule="approved amount not yet fully paid"
        )
    if kind is PaymentKind.FINAL and amount_fen != rest:
        raise PaymentNotAllowed(
            f"a final payment pays exactly the rest {format_cny(rest)}, not {format_cny(amount_fen)}",
            field="amount",
            rule=f"final payment = approved - paid = {format_cny(rest)}",
        )
    if kind is not PaymentKind.FINAL:
        if amount_fen == 0:
            raise InvalidInput("a part payment must be greater than 0", field="amount", rule="greater than 0")
        if amount_fen == rest:
            raise PaymentNotAllowed(
                f"this {kind} payment would pay the whole rest {format_cny(rest)}: make it the final payment",
                field="amount",
                rule=f"a part payment is less than the unpaid rest {format_cny(rest)}",
            )
    return amount_fen


def payment_postings(peril_account: str, amount_fen: Fen) -> tuple[Posting, ...]:
    """The postings of one claim payment: Dr the peril's expense account / Cr the insurance bank.

    Args:
        peril_account: ``Peril.account``, e.g. ``Expenses:Insurance:Claims:FireExplosion``.
        amount_fen: the payment (> 0).

    Raises:
        InvalidInput: ``field="account"`` for an account outside ``Expenses:Insurance:Claims:``,
            ``field="amount"`` for an amount that is not positive.
    """
    if not peril_account.startswith(CLAIMS_ACCOUNT_PREFIX) or peril_account == CLAIMS_ACCOUNT_PREFIX:
        raise InvalidInput(
            f"{peril_account!r} is not a claims expense account",
            field="account",
            rule=f"an account under {CLAIMS_ACCOUNT_PREFIX}",
        )
    amount = _positive(amount_fen)
    return (Posting(peril_account, amount), Posting(INSURANCE_BANK_ACCOUNT, -amount))


def premium_postings(amount_fen: Fen) -> tuple[Posting, ...]:
    """The postings of a premium receipt: Dr ``Assets:Insurance:Bank`` / Cr ``Income:Insurance:Premium``.

    Raises:
        InvalidInput: ``field="amount"`` for an amount that is not positive.
    """
    amount = _positive(amount_fen)
    return (Posting(INSURANCE_BANK_ACCOUNT, amount), Posting(PREMIUM_INCOME_ACCOUNT, -amount))


def _positive(fen: Fen) -> Fen:
    if check_fen(fen, "amount") == 0:
        raise InvalidInput("amount must be greater than 0", field="amount", rule="greater than 0")
    return fen
