"""Words the pages show for the domain's codes and errors, in the user's language.

The domain's errors carry English messages for the API; a page says the same in the user's language:
known rules get their own sentence (the ID check character names the expected character), anything
else is shown with the domain's own message after a translated lead-in.
"""

from __future__ import annotations

import re

from ledger.claims.domain import ClaimStatus
from ledger.core.errors import (
    AccountLocked,
    Conflict,
    InvalidInput,
    LedgerError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    RuleViolation,
    Unauthenticated,
    UnsupportedMediaType,
)
from ledger.core.money import format_cny, parse_amount
from ledger.platform.domain import Role
from ledger.web.i18n import gettext_, is_chinese


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for a marker
    """Mark ``message`` for translation where it is defined; it is translated where it is shown."""
    return message


ROLE_NAMES = {
    Role.ADJUSTER: N_("adjuster"),
    Role.APPROVER: N_("approver"),
    Role.ACCOUNTANT: N_("accountant"),
    Role.AUDITOR: N_("auditor"),
    Role.ADMIN: N_("administrator"),
    Role.CASEWORKER: N_("caseworker"),
    Role.RELIEF_OFFICER: N_("relief officer"),
}

PAYMENT_KINDS = {"advance": N_("advance"), "interim": N_("interim payment"), "final": N_("final payment")}
DEADLINES = {"documents": N_("documents"), "decision": N_("decision"), "payment": N_("payment")}
LIMIT_LAYERS = {
    "head": N_("this head, per person or household"),
    "household": N_("household in this event"),
    "event": N_("this event"),
    "peril_year": N_("this peril in the policy year"),
    "policy_year": N_("the policy year"),
}
RELATIONS = {
    "self": N_("the victim"),
    "spouse": N_("spouse"),
    "parent": N_("parent"),
    "child": N_("child"),
    "sibling": N_("sibling"),
    "other_heir": N_("other heir"),
    "agent": N_("agent"),
}
HOUSEHOLD_STATUSES = {
    "normal": N_("ordinary household"),
    "dibao": N_("minimum living guarantee (dibao)"),
    "tekun": N_("extreme hardship (tekun)"),
}
ACTIONS = {
    "register": N_("registered"),
    "request_documents": N_("one-time notice sent"),
    "documents_complete": N_("documents complete"),
    "assess": N_("assessed"),
    "approve_first": N_("first approval"),
    "override_duplicate": N_("duplicate overridden"),
    "approve": N_("approved"),
    "reject": N_("rejected"),
    "pay_partial": N_("part payment"),
    "pay_final": N_("final payment"),
    "close": N_("closed"),
    "withdraw": N_("withdrawn"),
    "reopen": N_("reopened"),
}

MEMBER_RELATIONS = {**RELATIONS, "self": N_("head of household")}
"""A relief household member's relation to its head (the claims' ``self`` is the victim)."""
ENROLMENT_STATUSES = {
    "applied": N_("applied"),
    "active": N_("active"),
    "rejected": N_("rejected"),
    "suspended": N_("suspended"),
    "terminated": N_("terminated"),
}
ROW_STATUSES = {
    "payable": N_("to be paid"),
    "in_file": N_("in a bank file"),
    "paid": N_("disbursed"),
    "withheld": N_("withheld"),
}
ELIGIBILITY_RULES = {
    "members": N_("members"),
    "income_test": N_("income test"),
    "expenditure_test": N_("expenditure test"),
    "category": N_("category"),
    "one_household_per_person": N_("one household per person"),
    "one_subsistence_programme": N_("one subsistence programme"),
}

FOUR_EYES_ROLES = {
    "four-eyes: the registrar may not approve or reject": N_("You registered this claim."),
    "four-eyes: the assessor may not approve or reject": N_("You assessed this claim."),
    "four-eyes: the first approver may not approve or reject": N_(
        "You already gave this claim its first approval."
    ),
}
"""What the decider already did, by the rule ``check_four_eyes`` names."""

FUND_FOUR_EYES = {
    "four-eyes: the recorder may not decide": N_("You recorded this application."),
    "four-eyes: a reviewer may not decide": N_("You reviewed this application."),
    "four-eyes: the recorder may not review": N_("You recorded this application."),
}
"""What the user already did with a grant application, by the rule ``funds.domain`` names."""


def status_label(status: str) -> str:
    """A claim status as the badge shows it: the domain's Chinese word, or its English one."""
    value = ClaimStatus(status)
    return value.cn if is_chinese() else value.en


def status_pair(status: str) -> str:
    """A claim status in both languages, as printed documents show it: ``已核定 assessed``."""
    value = ClaimStatus(status)
    return f"{value.cn} {value.en}"


def sentences(*parts: str) -> str:
    """Sentences one after another: no space between Chinese ones, one between English ones."""
    return ("" if is_chinese() else " ").join(part for part in parts if part)


def label(table: dict[str, str], code: str) -> str:
    """The translated label of ``code`` in one of the tables above (the code itself if unknown)."""
    return gettext_(table[code]) if code in table else code


def bilingual(cn: str, en: str) -> str:
    """A configured name (peril, document, head) in the page language."""
    return cn if is_chinese() else en


def _money(api_amount: object) -> str:
    """An amount an error carries in the API's form (``12345.67``) as the pages show it (``12,345.67``)."""
    try:
        return format_cny(parse_amount(api_amount, allow_zero=True))
    except InvalidInput:
        return str(api_amount or "")


_CHECK = re.compile(r"expected (?P<expected>\S+)")


def _by_rule(exc: LedgerError) -> str | None:
    rule = exc.rule or ""
    if rule in ("GB 11643 check character", "GB 32100 check character"):
        expected = exc.extra.get("expected") or (
            m.group("expected") if (m := _CHECK.search(exc.message)) else "?"
        )
        return gettext_("Wrong check character: it should be {expected}.").format(expected=expected)
    if rule == "GB 32100":
        return gettext_(
            "A unified social credit code has 18 characters: digits and capital letters (no I, O, Z, S or V)."
        )
    if rule == "GB 11643 length":
        return gettext_("A resident ID number has 18 characters.")
    if rule == "GB 11643 format":
        return gettext_("A resident ID number is 17 digits and a check digit or X.")
    if rule == "GB 11643 birth date":
        return gettext_("The birth date inside this ID number is impossible or in the future.")
    if rule == "birth date not in future":
        return gettext_("The birth date inside this ID number is impossible or in the future.")
    if rule == "GB 11643 area code":
        return gettext_("The area code of this ID number is unknown.")
    if rule == "a reason when approving less than assessed":
        return gettext_("A reason is required when approving less than the assessed amount.")
    if rule == "four eyes: preparer and approver differ":
        return gettext_(
            "The four-eyes rule: whoever prepared this (filed the application or drafted the cycle) may "
            "not also decide it; another relief officer must do this."
        )
    if rule == "required":
        return gettext_("Required.")
    if rule == "non-empty reason":
        return gettext_("A reason is required.")
    if rule == "a duplicate found is overridden with a reason before approval":
        return gettext_(
            "The victim also has claim {other}, a possible duplicate relief. An approver overrides the "
            "duplicate with a reason before the claim is approved."
        ).format(other=exc.extra.get("claim_id", ""))
    return None


def _by_class(exc: LedgerError) -> str | None:
    name = type(exc).__name__
    if name == "FourEyesViolation" and exc.rule in FUND_FOUR_EYES:
        return sentences(
            gettext_(FUND_FOUR_EYES[exc.rule or ""]),
            gettext_(
                "The four-eyes rule: whoever recorded or reviewed a grant application may not also "
                "decide it; another accountant or administrator must do this."
            ),
        )
    if name == "ConflictOfInterest":
        return gettext_(
            "The conflict-of-interest rule: you are linked to the applicant organisation, so you may not "
            "review or decide its applications; a colleague without such a link must do this."
        )
    if name == "InsufficientFunds":
        return gettext_("The fund has only {available} yuan available; {asked} yuan were asked.").format(
            available=_money(exc.extra.get("available")), asked=_money(exc.extra.get("asked"))
        )
    if name == "DuplicateReceipt":
        return gettext_(
            "This bank reference is already recorded: receipt no. {id} of {date}, {amount} yuan from {donor}."
        ).format(
            id=exc.extra.get("receipt_id", ""),
            date=exc.extra.get("received_on", ""),
            amount=_money(exc.extra.get("amount")),
            donor=exc.extra.get("donor", ""),
        )
    if name == "FourEyesViolation":
        rule = gettext_(
            "The four-eyes rule: whoever registered, assessed or already approved a claim may not also "
            "decide it; another approver must do this."
        )
        did = FOUR_EYES_ROLES.get(exc.rule or "")
        return sentences(gettext_(did), rule) if did else rule
    if name == "ApprovedAboveAssessed":
        return gettext_(
            "The approved amount must be more than 0 and at most the assessed {assessed} yuan."
        ).format(assessed=exc.extra.get("assessed", ""))
    if name == "DocumentsIncomplete":
        return gettext_("Not every document on the checklist is verified yet: {missing}.").format(
            missing=", ".join(exc.extra.get("missing", [])) or exc.message
        )
    if name == "IllegalTransition":
        return gettext_("This is not possible in the claim's current status ({detail}).").format(
            detail=exc.message
        )
    if name == "DuplicateClaim":
        return gettext_(
            "Possible duplicate relief: the victim already has claim {other}. Only an approver may "
            "register it anyway, with a reason."
        ).format(other=exc.extra.get("claim_id", ""))
    if name == "NoDuplicateFound":
        return gettext_("No duplicate of this claim is found, so there is nothing to override.")
    if name == "FormKeyMissing":
        return gettext_(
            "This form was refused because it did not come from a current page. Reload the page and "
            "send it again."
        )
    if name == "CsrfRefused":
        return gettext_(
            "This form was refused because its security token is missing or out of date. Reload the "
            "page and send it again."
        )
    return None


_LEAD = (
    (AccountLocked, N_("This account is locked after repeated failed sign-ins")),
    (Unauthenticated, N_("Please sign in")),
    (PermissionDenied, N_("Not allowed")),
    (NotFound, N_("Not found")),
    (PayloadTooLarge, N_("The file is too large")),
    (UnsupportedMediaType, N_("This file type is not accepted")),
    (InvalidInput, N_("Please correct this")),
    (RuleViolation, N_("Refused by a rule")),
    (Conflict, N_("Not possible now")),
)


def error_text(exc: LedgerError) -> str:
    """The error as one sentence in the user's language, naming what is expected."""
    if isinstance(exc, PermissionDenied) and exc.rule == "role":
        return exc.message  # already written for the page in the user's language
    if isinstance(exc, Unauthenticated) and exc.rule == "valid credentials":
        return gettext_("Wrong username or password.")
    if isinstance(exc, AccountLocked):
        return gettext_(
            "This account is locked after repeated failed sign-ins; try again later or ask an "
            "administrator ({detail})."
        ).format(detail=exc.message)
    found = _by_rule(exc) or _by_class(exc)
    if found:
        return found
    lead = next((text for cls, text in _LEAD if isinstance(exc, cls)), N_("Refused"))
    rule = f" ({exc.rule})" if exc.rule else ""
    return f"{gettext_(lead)}: {exc.message}{rule}"


def http_text(status: int) -> str:
    """A sentence for an HTTP error without a domain error behind it."""
    if status == 404:
        return gettext_("This page does not exist.")
    if status == 413:
        return gettext_("The upload is too large.")
    return gettext_("The request could not be handled (HTTP {status}).").format(status=status)


def form_field(field: str | None) -> str:
    """The form input an error belongs to (the domain names inputs as the forms do); ``_form`` if none."""
    return field or "_form"
