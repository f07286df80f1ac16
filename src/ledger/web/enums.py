"""The values of each ``Choice``, read from the configuration when the app is built, and the OpenAPI
schema plugin that documents every field and parameter marked ``OneOf`` as an ``enum`` of them.

Perils, streets, benefit heads, document types and rejection reasons come from the policy file
(``policy.toml``, or ``LEDGER_POLICY_FILE``): a peril added there is an enum value at the next start,
with no code change. Statuses and actions come from the status machines, roles from the platform,
books from the reports, job names from the schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, cast

from litestar.openapi.spec import Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from ledger.claims.domain import ClaimAction, ClaimStatus, PaymentKind
from ledger.claims.service import HOUSEHOLD_STATUSES, RELATIONS, SCHEMES, policy_of
from ledger.config import Settings
from ledger.funds.domain import ApplicationStatus, GrantStatus, ReceiptKind, Restriction
from ledger.platform.domain import AUDIT_OBJECT_TYPES, Role
from ledger.reports.service import REPORTS
from ledger.scheduler import job_specs
from ledger.web.choices import Choice, OneOf, marker_of

__all__ = ["ChoiceSchemaPlugin", "choice_values"]


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def choice_values(settings: Settings) -> dict[Choice, tuple[str, ...]]:
    """The allowed values of every ``Choice`` under ``settings``, in their configured order.

    Raises:
        PolicyConfigError: the policy file of ``settings`` is invalid (the app does not start).
    """
    policy = policy_of(settings)
    return {
        Choice.PERIL: tuple(peril.code for peril in policy.perils),
        Choice.STREET: policy.district.streets,
        Choice.BENEFIT_HEAD: tuple(head.value for head in policy.heads),
        Choice.DOCUMENT_TYPE: tuple(policy.documents),
        Choice.REJECTION_REASON: tuple(policy.rejection_reasons),
        Choice.SCHEME: SCHEMES,
        Choice.RELATION: RELATIONS,
        Choice.HOUSEHOLD_STATUS: HOUSEHOLD_STATUSES,
        Choice.CLAIM_STATUS: _values(ClaimStatus),
        Choice.CLAIM_ACTION: _values(ClaimAction),
        Choice.PAYMENT_KIND: _values(PaymentKind),
        Choice.RESTRICTION: _values(Restriction),
        Choice.RECEIPT_KIND: _values(ReceiptKind),
        Choice.APPLICATION_STATUS: _values(ApplicationStatus),
        Choice.GRANT_STATUS: _values(GrantStatus),
        Choice.ROLE: _values(Role),
        Choice.REPORT_BOOK: tuple(dict.fromkeys(book for spec in REPORTS.values() for book in spec.books)),
        Choice.JOB: tuple(spec.name for spec in job_specs(settings)),
        Choice.AUDIT_OBJECT: AUDIT_OBJECT_TYPES,
    }


class ChoiceSchemaPlugin(OpenAPISchemaPlugin):
    """Documents a ``str`` marked ``OneOf(choice)`` as ``{"type": "string", "enum": [...]}``.

    Args:
        values: the allowed values of each choice (``choice_values``).
    """

    def __init__(self, values: Mapping[Choice, tuple[str, ...]]) -> None:
        self.values = values

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        """Types alone never carry the marker: see ``is_plugin_supported_field``."""
        del value
        return False

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        """A marked ``str`` itself; ``X | None`` is left to Litestar, which comes back for ``X``."""
        return not field_definition.is_union and marker_of(field_definition) is not None

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        """The enum of the field's choice."""
        del schema_creator
        marker = cast("OneOf", marker_of(field_definition))  # is_plugin_supported_field saw it
        return Schema(type=OpenAPIType.STRING, enum=list(self.values[marker.choice]))
