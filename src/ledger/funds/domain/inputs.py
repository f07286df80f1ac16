"""What the funds rules share: checks of plain inputs (whole fen, required text) and the two-leg entry."""

from __future__ import annotations

from ledger.core.entries import Posting
from ledger.core.errors import InvalidInput
from ledger.core.money import Fen, format_amount


def whole_fen(amount: Fen, field: str, *, allow_zero: bool = False) -> Fen:
    """Return ``amount`` if it is a whole number of fen above zero (or zero when allowed)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(f"{field} must be a whole number of fen", field=field, rule="integer fen")
    if amount < 0 or (amount == 0 and not allow_zero):
        rule = "not negative" if allow_zero else "greater than 0"
        raise InvalidInput(f"{field} must be {rule}: got {format_amount(amount)}", field=field, rule=rule)
    return amount


def required_text(value: str, field: str) -> str:
    """Return ``value`` stripped, refusing an empty one (``field`` names the input)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"{field} must not be empty", field=field, rule="required")
    return text


def transfer(debit: str, credit: str, amount_fen: Fen) -> tuple[Posting, Posting]:
    """The two legs of moving ``amount_fen`` (checked, named ``amount``): Dr ``debit`` / Cr ``credit``."""
    whole_fen(amount_fen, "amount")
    return (Posting(debit, amount_fen), Posting(credit, -amount_fen))
