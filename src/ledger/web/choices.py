"""Closed sets of values (perils, statuses, roles ...): a marker for fields and query parameters.

A field or parameter annotated ``Annotated[str, OneOf(Choice.PERIL)]`` takes one of a set whose
values come from the configuration or a status machine when the app is built
(``ledger.web.enums.choice_values``). The marker makes the value an ``enum`` in the OpenAPI document
(``ledger.web.enums.ChoiceSchemaPlugin``) and, on a query parameter, makes an unknown value a 422
naming the parameter and the allowed values (``choice_guard``, run by every route with roles).
Request bodies are checked by the services, which name the field the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import ParameterKwarg
from litestar.typing import FieldDefinition

from ledger.core.errors import InvalidInput

STATE_KEY = "choices"
"""Where the app keeps the values of each ``Choice`` (in ``app.state``)."""


class Choice(StrEnum):
    """The name of a closed set of values."""

    PERIL = "peril"
    STREET = "street"
    BENEFIT_HEAD = "benefit_head"
    DOCUMENT_TYPE = "document_type"
    REJECTION_REASON = "rejection_reason"
    SCHEME = "scheme"
    RELATION = "relation"
    HOUSEHOLD_STATUS = "household_status"
    CLAIM_STATUS = "claim_status"
    CLAIM_ACTION = "claim_action"
    PAYMENT_KIND = "payment_kind"
    RESTRICTION = "restriction"
    RECEIPT_KIND = "receipt_kind"
    APPLICATION_STATUS = "application_status"
    GRANT_STATUS = "grant_status"
    ROLE = "role"
    REPORT_BOOK = "report_book"
    JOB = "job"
    AUDIT_OBJECT = "audit_object"


@dataclass(frozen=True, slots=True)
class OneOf:
    """Marks a ``str`` as one of the values of ``choice`` (put it in ``Annotated``)."""

    choice: Choice


PerilCode = Annotated[str, OneOf(Choice.PERIL)]
StreetName = Annotated[str, OneOf(Choice.STREET)]
BenefitHeadCode = Annotated[str, OneOf(Choice.BENEFIT_HEAD)]
DocumentTypeCode = Annotated[str, OneOf(Choice.DOCUMENT_TYPE)]
RejectionReasonCode = Annotated[str, OneOf(Choice.REJECTION_REASON)]
SchemeCode = Annotated[str, OneOf(Choice.SCHEME)]
RelationCode = Annotated[str, OneOf(Choice.RELATION)]
HouseholdStatusCode = Annotated[str, OneOf(Choice.HOUSEHOLD_STATUS)]
ClaimStatusCode = Annotated[str, OneOf(Choice.CLAIM_STATUS)]
ClaimActionCode = Annotated[str, OneOf(Choice.CLAIM_ACTION)]
PaymentKindCode = Annotated[str, OneOf(Choice.PAYMENT_KIND)]
RestrictionCode = Annotated[str, OneOf(Choice.RESTRICTION)]
ReceiptKindCode = Annotated[str, OneOf(Choice.RECEIPT_KIND)]
ApplicationStatusCode = Annotated[str, OneOf(Choice.APPLICATION_STATUS)]
GrantStatusCode = Annotated[str, OneOf(Choice.GRANT_STATUS)]
RoleName = Annotated[str, OneOf(Choice.ROLE)]
ReportBook = Annotated[str, OneOf(Choice.REPORT_BOOK)]
JobName = Annotated[str, OneOf(Choice.JOB)]
AuditObjectType = Annotated[str, OneOf(Choice.AUDIT_OBJECT)]


def marker_of(field: FieldDefinition) -> OneOf | None:
    """The ``OneOf`` marker of a field or parameter itself, or ``None``."""
    return next((item for item in field.metadata if isinstance(item, OneOf)), None)


def choice_of(field: FieldDefinition) -> Choice | None:
    """The choice a field or parameter is marked with, looking inside ``X | None``; else ``None``."""
    for candidate in (field, *field.inner_types):
        marker = marker_of(candidate)
        if marker is not None:
            return marker.choice
    return None


def check_choice(value: str, allowed: Iterable[str], *, field: str) -> str:
    """Return ``value`` if it is one of ``allowed``; else raise ``InvalidInput`` naming them.

    Args:
        value: what the client sent.
        allowed: the values of the choice.
        field: the name the client used (a query parameter's or a body field's).
    """
    listed = list(allowed)
    if value not in listed:
        raise InvalidInput(
            f"{field} must be one of {', '.join(listed)}: got {value!r}",
            field=field,
            rule="one of " + ", ".join(listed),
            extra={"allowed": listed},
        )
    return value


def choice_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Refuse a query parameter marked ``OneOf`` whose value is not one of its choice (422)."""
    values: Mapping[Choice, tuple[str, ...]] = connection.app.state[STATE_KEY]
    for name, field in handler.parsed_fn_signature.parameters.items():
        choice = choice_of(field)
        if choice is None or name in connection.path_params:
            continue
        kwarg = field.kwarg_definition
        key = kwarg.query if isinstance(kwarg, ParameterKwarg) and kwarg.query else name
        for value in connection.query_params.getall(key, []):
            check_choice(value, values[choice], field=key)
