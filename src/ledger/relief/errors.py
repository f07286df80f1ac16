"""The relief domain's named errors. Each subclasses one base of ``ledger.core.errors`` (which decides its
HTTP status); its docstring is the default message. ``IllegalTransition`` and ``FourEyesViolation`` are
shared with the other domains and live in ``ledger.core.errors``.
"""

from __future__ import annotations

from ledger.core.errors import Conflict, NotFound, RuleViolation

# -- Not found ---------------------------------------------------------------------------------------


class HouseholdNotFound(NotFound):
    """No household has this number."""


class EnrolmentNotFound(NotFound):
    """No enrolment has this number."""


class CycleNotFound(NotFound):
    """No payroll cycle has this programme and month."""


class BankFileNotFound(NotFound):
    """No bank file has this number."""


# -- Conflicts ---------------------------------------------------------------------------------------


class PersonInAnotherHousehold(Conflict):
    """This resident ID is already a current member of another household: one household per person."""


class CycleExists(Conflict):
    """The programme's cycle for this month already exists: a month is paid once."""


class NothingToIssue(Conflict):
    """No payable row waits for a bank file."""


class ReturnRowUnknown(Conflict):
    """The bank return file names a row that is not in the bank file, or one already settled."""


# -- Business rules ----------------------------------------------------------------------------------


class NotEligible(RuleViolation):
    """The household does not meet the programme's eligibility rules."""


class EffectiveMonthTooEarly(RuleViolation):
    """The effective month may not be before the month of the application."""


class MonthNotOver(RuleViolation):
    """A cycle may be drafted only for the current month or an earlier one."""


class DeclaredTotalsDiffer(RuleViolation):
    """The cycle's declared count and total differ from its rows, postings or bank file."""
