"""The claims domain's named errors: the rules of ``claims.domain`` and the checks of ``claims.service``.

Each subclasses one base of ``ledger.core.errors`` (which decides its HTTP status); its docstring is the
default message. ``IllegalTransition`` and ``FourEyesViolation`` are shared with the funds domain and
live in ``ledger.core.errors``.
"""

from __future__ import annotations

from ledger.core.errors import Conflict, NotFound, RuleViolation

# -- Not found ---------------------------------------------------------------------------------------


class ClaimNotFound(NotFound):
    """No claim has this number."""


class EventNotFound(NotFound):
    """No event has this number."""


class PolicyYearNotFound(NotFound):
    """No policy year has this code."""


class DocumentNotFound(NotFound):
    """The claim has no document with this id."""


# -- Conflicts with the claim's state ----------------------------------------------------------------


class ClaimNotEditable(Conflict):
    """The claim can no longer be changed: it is assessed or decided."""


class DuplicateClaim(Conflict):
    """The victim already has a claim for this event, or for this peril within the duplicate window."""


class NoDuplicateFound(Conflict):
    """No duplicate of this claim is found, so there is nothing to override."""


class DuplicateReference(Conflict):
    """This payment reference is already recorded."""


# -- Business rules ----------------------------------------------------------------------------------


class ReasonRequired(RuleViolation):
    """A reason is required for this decision."""


class AboveRuleAmount(RuleViolation):
    """An assessed amount may be lowered, never raised above what the rules allow."""


class ApprovedAboveAssessed(RuleViolation):
    """An approver may approve a claim for less than assessed, never for more, and for more than 0."""


class Overpayment(RuleViolation):
    """The payment would exceed the approved amount."""


class PaymentNotAllowed(RuleViolation):
    """The payment does not fit what is approved and already paid."""


class DocumentsIncomplete(RuleViolation):
    """The verified documents do not yet satisfy the checklist."""


class NothingMissing(RuleViolation):
    """Every document on the checklist has been received; verify them and mark the documents complete."""


class EventLimitExhausted(RuleViolation):
    """Scaling the event back to its limit would leave a claim below what it has already been paid."""


class PremiumExceeded(RuleViolation):
    """The receipts would exceed the policy year's premium."""


class ClaimTimeBarred(RuleViolation):
    """The claim is time-barred: the limitation period after the incident has ended."""
