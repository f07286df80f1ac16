"""Roles, passwords, access tokens and lockout: pure rules, no web or database code."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from enum import StrEnum

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


def password_matches(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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
class IssuedToken:
    """An access token and its lifetime in seconds."""

    access_token: str
    expires_in: int


def issue_token(principal: Principal, *, secret: str, ttl_seconds: int, now: dt.datetime) -> IssuedToken:
    """Sign a short-lived JWT for ``principal``.

    Args:
        principal: who the token is for.
        secret: the HMAC key (``Settings.secret_key``).
        ttl_seconds: how long the token is valid.
        now: the issue time (aware datetime).
    """
    claims = {
        "sub": principal.username,
        "uid": principal.user_id,
        "role": principal.role.value,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return IssuedToken(jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM), ttl_seconds)


def read_token(token: str, *, secret: str, now: dt.datetime) -> Principal:
    """Return the principal of a valid token or raise ``Unauthenticated`` saying why.

    Args:
        token: the bearer token.
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
    return Principal(user_id=int(claims["uid"]), username=str(claims["sub"]), role=role)


def lock_until_after_failure(
    failed_logins: int, *, threshold: int, minutes: int, now: dt.datetime
) -> dt.datetime | None:
    """When an account with ``failed_logins`` failures in a row becomes locked until, or ``None``."""
    if failed_logins >= threshold:
        return now + dt.timedelta(minutes=minutes)
    return None
