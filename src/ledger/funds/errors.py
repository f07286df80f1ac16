"""The funds domain's named errors: the rules of ``funds.domain`` and the checks of ``funds.service``.

Each subclasses one base of ``ledger.core.errors`` (which decides its HTTP status); its docstring is the
default message and ``field`` names the input at fault. ``IllegalTransition`` and ``FourEyesViolation``
are shared with the claims domain and live in ``ledger.core.errors``.
"""

from __future__ import annotations

from ledger.core.errors import Conflict, InvalidInput, NotFound, RuleViolation

# -- Not found ----------------------------------------------------------------------------------------


class FundNotFound(NotFound):
    """No fund has this id."""


class GranteeNotFound(NotFound):
    """No grantee organisation has this id."""


class CallNotFound(NotFound):
    """No call for applications has this id."""


class ApplicationNotFound(NotFound):
    """No application has this id."""


class GrantNotFound(NotFound):
    """No grant has this id."""


class ReportNotFound(NotFound):
    """This grant has no report with this id."""


class UserNotFound(NotFound):
    """No user has this name."""


# -- Invalid input ------------------------------------------------------------------------------------


class FutureDate(InvalidInput):
    """The date lies in the future."""


# -- Conflicts with the current state -----------------------------------------------------------------


class TrancheOutOfOrder(Conflict):
    """Tranches are paid one at a time, in order, each once."""


class PeriodAlreadyClosed(Conflict):
    """This period has already been closed."""


class DuplicateFund(Conflict):
    """A fund with this code exists already."""


class DuplicateGrantee(Conflict):
    """An organisation with this unified social credit code exists already."""


class DuplicateConflictLink(Conflict):
    """This user is already linked to this organisation."""


class DuplicateReceipt(Conflict):
    """A receipt with this bank reference has been recorded already."""


class DuplicateReview(Conflict):
    """This reviewer has already reviewed this application."""


class ReportNotPending(Conflict):
    """Only a submitted report can be accepted or sent back."""


class PeriodOutOfOrder(Conflict):
    """Periods are closed in order: this one ends on or before the last closed period."""


# -- Business rules -----------------------------------------------------------------------------------


class InsufficientFunds(RuleViolation):
    """The fund does not have enough available money for this amount."""


class ExceedsCommitment(RuleViolation):
    """The amount is more than the commitment still open for it."""


class ExceedsPaid(RuleViolation):
    """The amount returned is more than was paid out and not yet returned."""


class MatchingRuleBroken(RuleViolation):
    """The application breaks the call's matching rule."""


class CallBudgetExceeded(RuleViolation):
    """Approving this amount would take the call over its budget."""


class OutsideCallWindow(RuleViolation):
    """The call is not open on this date."""


class ConflictOfInterest(RuleViolation):
    """This user is linked to the applicant organisation and may not review or decide its applications."""


class ReportNotAccepted(RuleViolation):
    """A later tranche is paid only after the report on the previous one has been accepted."""


class PeriodClosed(RuleViolation):
    """The date falls in a period of the charity book that is already closed."""


class PeriodNotOver(RuleViolation):
    """A period can be closed only after its last day."""
