"""Roles, passwords, access tokens and sign-in lockout: pure rules, no web or database code."""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ledger.core.errors import InvalidInput, Unauthenticated

TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name, not a secret
_hasher = PasswordHasher()


class Role(StrEnum):
    """What a user may do; each route names the roles it allows."""

    ADJUSTER = "adjuster"
    APPROVER = "approver"
    ACCOUNTANT = "accountant"
    AUDITOR = "auditor"
    ADMIN = "admin"
    CASEWORKER = "caseworker"
    RELIEF_OFFICER = "relief_officer"


AUDIT_OBJECT_TYPES = (
    "claim",
    "event",
    "policy_year",
    "fund",
    "fund_receipt",
    "fund_period_close",
    "fund_grantee",
    "fund_conflict_link",
    "fund_call",
    "fund_application",
    "fund_grant",
    "relief_household",
    "relief_enrolment",
    "relief_cycle",
    "relief_bank_file",
    "relief_appropriation",
    "user",
    "login",
    "ledger",
)
"""Every ``object_type`` an audit row may have (the audit list's filter takes one of them)."""


def parse_role(value: str) -> Role:
    """Return the ``Role`` called ``value`` or raise ``InvalidInput`` listing the roles."""
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(
            f"role must be one of {allowed}: got {value!r}", field="role", rule="known role"
        ) from None


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password`` (at least 8 characters)."""
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters", field="password", rule="min length 8")
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash never matches.

    ``None`` (no such user, or a disabled one) never matches either, but ``password`` is still checked
    against a dummy hash made by the same hasher, so the answer takes as long as for a real user and
    its time does not tell whether the user exists.
    """
    hasher = _hasher
    try:
        matched = hasher.verify(password_hash or _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and password_hash is not None


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random password with ``hasher``'s parameters, made once per hasher."""
    return hasher.hash(secrets.token_urlsafe(16))


def generate_password() -> str:
    """A random password for a new user, printed once."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user of a request.

    Args:
        user_id: the database id.
        username: the unique login name; what audit rows and ledger entries record as the actor.
        role: the user's role.
    """

    user_id: int
    username: str
    role: Role


@dataclass(frozen=True, slots=True)
class PageSession:
    """A signed-in user of the workbench pages, as their session cookie and their user row say.

    Args:
        principal: who is signed in.
        locale: the language they chose (empty if they never chose one).
        session_version: the user's current session version (a new session cookie carries it).
    """

    principal: Principal
    locale: str
    session_version: int


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An access token and its lifetime in seconds."""

    access_token: str
    expires_in: int


def issue_token(
    principal: Principal,
    *,
    secret: str,
    ttl_seconds: int,
    now: dt.datetime,
    session_version: int | None = None,
) -> IssuedToken:
    """Sign a short-lived JWT for ``principal``.

    Args:
        principal: who the token is for.
        secret: the HMAC key (``Settings.secret_key``).
        ttl_seconds: how long the token is valid.
        now: the issue time (aware datetime).
        session_version: for a page session, the user's session version it begins under (signed
            into the token, so a copied cookie cannot claim a later one); ``None`` for API tokens.
    """
    claims: dict[str, Any] = {
        "sub": principal.username,
        "uid": principal.user_id,
        "role": principal.role.value,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    if session_version is not None:
        claims["sv"] = session_version
    return IssuedToken(jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM), ttl_seconds)


def read_token(token: str, *, secret: str, now: dt.datetime) -> Principal:
    """Return the principal of a valid token or raise ``Unauthenticated`` saying why.

    Args:
        token: the bearer token.
        secret: the HMAC key it must be signed with.
        now: the time to check expiry against.
    """
    return read_session_token(token, secret=secret, now=now)[0]


def read_session_token(token: str, *, secret: str, now: dt.datetime) -> tuple[Principal, int | None]:
    """Return the principal of a valid token and the session version it was issued under (or ``None``).

    Args:
        token: the bearer token or page session cookie.
        secret: the HMAC key it must be signed with.
        now: the time to check expiry against.
    """
    # PyJWT would judge exp and iat by the wall clock; the ledger's clock decides, so a pinned or
    # moved clock neither expires every token nor refuses one "issued in the future".
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["exp", "sub", "uid", "role"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidTokenError:
        raise Unauthenticated(
            "the access token is invalid or has been tampered with", rule="valid token"
        ) from None
    if int(claims["exp"]) <= int(now.timestamp()):
        raise Unauthenticated("the access token has expired: request a new one", rule="token not expired")
    try:
        role = Role(claims["role"])
    except ValueError:
        raise Unauthenticated("the access token names an unknown role", rule="valid token") from None
    version = claims.get("sv")
    principal = Principal(user_id=int(claims["uid"]), username=str(claims["sub"]), role=role)
    return principal, None if version is None else int(version)


def session_is_current(token_version: int | None, user_version: int) -> bool:
    """Whether a page session (begun under ``token_version``) is still open: not signed out since,
    nor the password changed. A token without a version (the API's) is not a page session."""
    return token_version is None or token_version == user_version


USERNAME_KEY_LENGTH = 64


def login_key(username: str) -> str:
    """The name failed sign-ins are counted under: ``username`` as NFKC, trimmed and case-folded.

    Spellings of one name that differ in case, width or surrounding spaces share one count, so they
    cannot be used to try more passwords. At most 64 characters, the longest username.
    """
    return unicodedata.normalize("NFKC", username).strip().casefold()[:USERNAME_KEY_LENGTH]


@dataclass(frozen=True, slots=True)
class LoginFailures:
    """Failed sign-ins in a row under one login key.

    Args:
        failures: how many, since the last success or the last lock.
        last_failed_at: when the latest one happened (aware datetime).
        locked_until: until when sign-in under the key is refused, or ``None``.
    """

    failures: int
    last_failed_at: dt.datetime
    locked_until: dt.datetime | None = None

    def locked_at(self, now: dt.datetime) -> bool:
        """Whether sign-in is refused at ``now``."""
        return self.locked_until is not None and self.locked_until > now


def after_failure(
    previous: LoginFailures | None, *, now: dt.datetime, threshold: int, minutes: int
) -> LoginFailures:
    """The failures under a key after one more wrong password at ``now``.

    The count starts again after a lock has run out, or when the previous failure is more than
    ``minutes`` old; reaching ``threshold`` locks the key for ``minutes``.

    Args:
        previous: the failures so far, or ``None``.
        now: when this failure happened (aware datetime).
        threshold: failures in a row that lock the key.
        minutes: how long a lock lasts, and how long a failure counts.
    """
    window = dt.timedelta(minutes=minutes)
    fresh = previous is not None and previous.locked_until is None and now - previous.last_failed_at <= window
    failures = (previous.failures if previous is not None and fresh else 0) + 1
    if failures >= threshold:
        return LoginFailures(failures=failures, last_failed_at=now, locked_until=now + window)
    return LoginFailures(failures=failures, last_failed_at=now)
