"""The base types of every error Relief Ledger raises on purpose, and the errors two domains share.

Each domain error subclasses exactly one base below (never ``LedgerError`` itself); the base alone decides
the HTTP status, in one table (``ledger.web.errors.STATUS_OF``), so no error carries a status. As in Fava,
an error's default message is its class docstring; ``field`` names the input at fault and ``rule`` states
the rule it broke, so every 4xx answer says what to fix. A domain's own errors live beside its rules
(``claims/errors.py``, ``funds/errors.py``, ``reports/domain.py`` ...); the ones both claims and funds raise
are at the end of this module.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=StrEnum)


class LedgerError(Exception):
    """Something went wrong in Relief Ledger."""

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        rule: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or (self.__doc__ or "").strip()
        self.field = field
        self.rule = rule
        self.extra = dict(extra or {})
        super().__init__(self.message)


class BadRequest(LedgerError):
    """The request is malformed: a parameter is not written the way the API expects."""


class InvalidInput(LedgerError):
    """The request contains a value that breaks a rule."""


def member_of(kind: type[E], value: E | str, field: str, what: str) -> E:
    """``value`` as a member of the enum ``kind``, or ``InvalidInput`` naming ``field`` and the choices.

    Args:
        kind: the enum.
        value: a member or its value as sent.
        field: the input it came from.
        what: how the message names the kind, e.g. ``claim status``.
    """
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(
            f"unknown {what} {value!r}", field=field, rule="one of " + ", ".join(m.value for m in kind)
        ) from None


class NotFound(LedgerError):
    """The requested object does not exist."""


class Conflict(LedgerError):
    """The request conflicts with the current state of the object."""


class RuleViolation(LedgerError):
    """The request is well-formed but a business rule forbids it."""


class Unauthenticated(LedgerError):
    """Authentication is required: send a valid, unexpired bearer token."""


class PermissionDenied(LedgerError):
    """Your role does not allow this action."""


class PayloadTooLarge(LedgerError):
    """The uploaded content is larger than allowed."""


class UnsupportedMediaType(LedgerError):
    """The uploaded content type is not allowed."""


class AccountLocked(LedgerError):
    """Too many failed logins: the account is locked for a while."""


class LedgerValidationFailed(LedgerError):
    """The ledger failed validation."""


# -- Errors of rules that claims and funds share -------------------------------------------------------


class FourEyesViolation(PermissionDenied):
    """Four eyes: a decision must be made by someone other than whoever recorded, assessed, reviewed or
    already approved the case."""


class IllegalTransition(Conflict):
    """The current status of the claim, application or grant does not allow this action."""
