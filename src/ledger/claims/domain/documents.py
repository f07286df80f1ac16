"""The documents checklist of a claim and the checks of an upload."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ledger.claims.domain.assessment import as_head
from ledger.claims.policy import BenefitHead, PolicyConfig, RequiredDocument, UploadLimits
from ledger.core.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType


@dataclass(frozen=True, slots=True)
class MissingDocument:
    """A checklist line that is not yet satisfied.

    Args:
        requirement: the checklist line.
        still_needed: how many more documents it needs (1 for a single document).
        choices: the document codes that would count and are not yet present.
    """

    requirement: RequiredDocument
    still_needed: int
    choices: tuple[str, ...]


def checklist(
    policy: PolicyConfig, peril: str, heads: Iterable[BenefitHead | str]
) -> tuple[RequiredDocument, ...]:
    """The documents a claim needs, each listed once, in a stable order.

    Order: the documents every claim needs, the peril's, then per head in the order given.

    Args:
        policy: the configuration.
        peril: the claim's peril code.
        heads: the benefit heads claimed.

    Raises:
        InvalidInput: ``field="peril"`` for an unknown peril, ``field="heads"`` for a head the peril
            does not cover.
    """
    covered = policy.peril(peril).heads
    by_peril = policy.checklist.perils.get(peril, {})
    codes: list[str] = [*policy.checklist.all, *by_peril.get("all", ())]
    for value in heads:
        head = as_head(value)
        if head not in covered:
            raise InvalidInput(
                f"peril {peril!r} does not cover {head}",
                field="heads",
                rule=f"heads covered under {peril}: " + ", ".join(covered),
            )
        codes += [*policy.checklist.heads.get(head, ()), *by_peril.get(head.value, ())]
    return tuple(policy.requirements[code] for code in dict.fromkeys(codes))


def missing_documents(
    required: Iterable[RequiredDocument], present: Iterable[str]
) -> tuple[MissingDocument, ...]:
    """What is still missing, as one list for the one-time notice (一次性告知).

    Args:
        required: the claim's checklist (``checklist(...)``).
        present: the document codes on file. Pass the *received* codes to build the notice, the
            *verified* codes to decide whether the documents are complete.
    """
    have = set(present)
    missing = []
    for requirement in required:
        needed = requirement.still_needed(have)
        if needed:
            choices = tuple(code for code in requirement.of if code not in have)
            missing.append(MissingDocument(requirement, needed, choices))
    return tuple(missing)


def documents_complete(required: Iterable[RequiredDocument], verified: Iterable[str]) -> bool:
    """Whether the verified documents satisfy the whole checklist."""
    return not missing_documents(required, verified)


def check_upload(size_bytes: int, content_type: str, limits: UploadLimits) -> str:
    """Check an uploaded document; return its normalised content type (lower case, no parameters).

    Raises:
        PayloadTooLarge: ``field="file"`` above ``limits.max_bytes``.
        UnsupportedMediaType: ``field="content_type"`` for a type not in ``limits.content_types``.
    """
    if size_bytes > limits.max_bytes:
        raise PayloadTooLarge(
            f"the file has {size_bytes} bytes; at most {limits.max_bytes} are accepted",
            field="file",
            rule=f"at most {limits.max_bytes} bytes",
        )
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in limits.content_types:
        raise UnsupportedMediaType(
            f"content type {content_type!r} is not accepted",
            field="content_type",
            rule="one of " + ", ".join(limits.content_types),
        )
    return media
