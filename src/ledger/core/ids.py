"""Chinese identity numbers: resident ID (GB 11643-1999) and unified social credit code (GB 32100-2015).

Check characters come from python-stdnum; we add the rules it does not know (birth date not in the
future, the 15 -> 18 digit upgrade) and masking for roles that must not see the full number.
"""

from __future__ import annotations

import datetime as dt

from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from ledger.core import clock
from ledger.core.errors import InvalidInput

_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK = "10X98765432"


def _known_area(code: str) -> bool:
    return any(props for _part, props in numdb.get("cn/loc").info(code))


def upgrade_ric15(number: str) -> str:
    """Return the 18-character form of a 15-digit first-generation resident ID.

    The 15-digit form has a 2-digit birth year (all 19xx) and no check character.
    """
    body = number[:6] + "19" + number[6:]
    check = _RIC_CHECK[sum(int(d) * w for d, w in zip(body, _RIC_WEIGHTS, strict=True)) % 11]
    return body + check


def validate_resident_id(value: str, *, field: str = "resident_id", today: dt.date | None = None) -> str:
    """Return the canonical resident ID (18 characters, upper-case X) or raise ``InvalidInput``.

    Args:
        value: what the user typed; spaces are ignored, a 15-digit old number is upgraded.
        field: the input name used in the error message.
        today: the date a birth date may not pass (default: today in the business time zone).
    """
    number = value.replace(" ", "").upper()
    if len(number) == 15 and number.isdigit():
        number = upgrade_ric15(number)
    if len(number) != 18:
        raise InvalidInput(
            f"{field} must have 18 characters (GB 11643): got {len(number)}",
            field=field,
            rule="GB 11643 length",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidInput(
            f"{field} must be 17 digits and a check digit or X (GB 11643)",
            field=field,
            rule="GB 11643 format",
        )
    if number[17] != ric.calc_check_digit(number):
        raise InvalidInput(
            f"{field} has a wrong check character: expected {ric.calc_check_digit(number)} (GB 11643)",
            field=field,
            rule="GB 11643 check character",
        )
    try:
        birth = ric.get_birth_date(number)
    except ValidationError:
        raise InvalidInput(
            f"{field} has an impossible birth date: {number[6:14]}", field=field, rule="GB 11643 birth date"
        ) from None
    # stdnum's place check also demands that the county existed in the birth year, which refuses valid
    # numbers of people born before a county was created, so only the area code itself is checked.
    if not _known_area(number[:6]):
        raise InvalidInput(
            f"{field} has an unknown area code: {number[:6]}", field=field, rule="GB 11643 area code"
        )
    if birth > (today or clock.today()):
        raise InvalidInput(
            f"{field} has a birth date in the future: {birth.isoformat()}",
            field=field,
            rule="birth date not in future",
        )
    return number


def mask_resident_id(number: str) -> str:
    """Return ``number`` with the birth date and sequence hidden: ``370214********1234``."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "********" + number[14:]


def validate_credit_code(value: str, *, field: str = "credit_code") -> str:
    """Return the canonical unified social credit code (18 characters) or raise ``InvalidInput``."""
    code = value.replace(" ", "").upper()
    try:
        uscc.validate(code)
    except ValidationError as exc:
        raise InvalidInput(
            f"{field} is not a valid unified social credit code (GB 32100): {exc}",
            field=field,
            rule="GB 32100",
        ) from None
    return code
