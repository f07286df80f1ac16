"""Chinese identity numbers: resident ID (GB 11643-1999) and unified social credit code (GB 32100-2015).

Check characters come from python-stdnum; we add the rules it does not know (birth date not in the
future, the 15 -> 18 digit upgrade) and masking for roles that must not see the full number.
"""

from __future__ import annotations

import datetime as dt

from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.iso7064 import mod_11_2

from ledger.core import clock
from ledger.core.errors import InvalidInput


def _known_area(code: str) -> bool:
    return any(props for _part, props in numdb.get("cn/loc").info(code))


def upgrade_ric15(number: str) -> str:
    """Return the 18-character form of a 15-digit first-generation resident ID.

    The 15-digit form has a 2-digit birth year (all 19xx) and no check character; GB 11643's check
    character is ISO 7064 MOD 11-2 of the 17 digits before it.

    Args:
        number: the 15 digits.
    """
    body = number[:6] + "19" + number[6:]
    return body + mod_11_2.calc_check_digit(body)


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
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise InvalidInput(
            f"{field} has a wrong check character: expected {expected} (GB 11643)",
            field=field,
            rule="GB 11643 check character",
            extra={"expected": expected},
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
    except InvalidChecksum:
        expected = uscc.calc_check_digit(code[:17])
        raise InvalidInput(
            f"{field} has a wrong check character: expected {expected} (GB 32100)",
            field=field,
            rule="GB 32100 check character",
            extra={"expected": expected},
        ) from None
    except ValidationError as exc:
        raise InvalidInput(
            f"{field} is not a valid unified social credit code (GB 32100): {exc}",
            field=field,
            rule="GB 32100",
        ) from None
    return code
