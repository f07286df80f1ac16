"""Money: integer fen in storage, ``Decimal`` in rules and reports, 2-place decimal strings in the API.

Every conversion between these forms lives here, so no other module needs to know how many fen make
a yuan or how a string is parsed. No ``float`` is ever involved.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ledger.core.errors import InvalidInput

Fen = int
CURRENCY = "CNY"
_CENT = Decimal("0.01")
MAX_FEN: Fen = 10**15
"""The largest amount the API takes, 10,000,000,000,000.00 yuan: far above any relief figure, and small
enough that a stored amount (``BigInt``, 64 bits) and the sums of thousands of them fit, and that capital
numerals (16 digits) can print it. A larger one was an OverflowError in the driver: a 500."""


def to_decimal(fen: Fen) -> Decimal:
    """Return ``fen`` as a yuan ``Decimal`` with exactly two places (``1234567`` -> ``12345.67``)."""
    return Decimal(fen).scaleb(-2).quantize(_CENT)


def from_decimal(amount: Decimal, *, field: str = "amount") -> Fen:
    """Return the whole number of fen in ``amount``.

    Args:
        amount: a yuan amount; it must be finite and have at most two decimal places.
        field: the input name used in the error message.

    Raises:
        InvalidInput: when ``amount`` is not finite or has fractions of a fen.
    """
    if not amount.is_finite():
        raise InvalidInput(f"{field} must be a finite number", field=field, rule="finite")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise InvalidInput(
            f"{field} has more than 2 decimal places: {amount}", field=field, rule="at most 2 decimal places"
        )
    return int(fen)


def parse_amount(
    text: object, *, field: str = "amount", allow_zero: bool = False, allow_negative: bool = False
) -> Fen:
    """Parse an API amount string such as ``"12345.67"`` into fen.

    Args:
        text: the value from the request; only a string is accepted, because a JSON number may already
            have been rounded by a float somewhere on its way.
        field: the input name used in error messages.
        allow_zero: whether ``"0"`` / ``"0.00"`` is acceptable.
        allow_negative: whether a leading minus is acceptable.

    Raises:
        InvalidInput: naming ``field`` and the rule the value breaks.
    """
    if isinstance(text, bool) or not isinstance(text, str):
        raise InvalidInput(
            f'{field} must be a decimal string such as "12345.67", not a JSON {type(text).__name__}',
            field=field,
            rule="decimal string",
        )
    stripped = text.strip()
    if not stripped or any(c not in "0123456789.-" for c in stripped):
        raise InvalidInput(
            f'{field} must be a decimal string such as "12345.67": got {text!r}',
            field=field,
            rule="decimal string",
        )
    try:
        amount = Decimal(stripped)
    except InvalidOperation:
        raise InvalidInput(
            f'{field} must be a decimal string such as "12345.67": got {text!r}',
            field=field,
            rule="decimal string",
        ) from None
    if amount < 0 and not allow_negative:
        raise InvalidInput(f"{field} must not be negative: got {text}", field=field, rule="not negative")
    most = to_decimal(MAX_FEN)
    if abs(amount) > most:  # checked on the Decimal, so no huge int is ever built
        raise InvalidInput(f"{field} must be at most {most}: got {text}", field=field, rule=f"at most {most}")
    fen = from_decimal(amount, field=field)
    if fen == 0 and not allow_zero:
        raise InvalidInput(f"{field} must be greater than 0", field=field, rule="greater than 0")
    return fen


def format_amount(fen: Fen) -> str:
    """Return the API form of ``fen``: ``"12345.67"``, ``"-0.05"``."""
    return str(to_decimal(fen))


def format_cny(fen: Fen) -> str:
    """Return ``fen`` with thousands separators for printing: ``"12,345.67"``."""
    return f"{to_decimal(fen):,.2f}"


def capital_numerals(fen: Fen) -> str:
    """Return the amount in Chinese capital numerals (大写金额), e.g. 壹万贰仟叁佰肆拾伍元陆角柒分.

    Args:
        fen: a non-negative amount in fen; fed to cn2an as a Decimal-derived string, never a float.
    """
    import cn2an  # imported on use: it costs ~0.15 s, which every CLI start would otherwise pay

    if fen < 0:
        return "负" + capital_numerals(-fen)
    text: str = cn2an.an2cn(format_amount(fen), "rmb")
    return text


def share(fen: Fen, numerator: int, denominator: int) -> Fen:
    """Return ``fen * numerator / denominator`` rounded half up to the fen."""
    exact = Decimal(fen) * Decimal(numerator) / Decimal(denominator)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(fen: Fen, percent: Decimal) -> Fen:
    """Return ``percent`` % of ``fen``, rounded half up to the fen."""
    exact = Decimal(fen) * percent / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
