"""Users, sign-in and the audit trail. Services own their transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ledger.core import clock
from ledger.core.context import request_id
from ledger.core.errors import AccountLocked, Conflict, InvalidInput, Unauthenticated
from ledger.db import serialize, write_transaction
from ledger.platform import domain
from ledger.platform.domain import IssuedToken, LoginFailures, Principal, Role
from ledger.platform.records import AuditRecord, JobRunRecord, UserRecord, UserSummary
from ledger.platform.repository import (
    AuditFilter,
    AuditRepository,
    AuditTrailRepository,
    JobRunRepository,
    LoginFailureRepository,
    UserRepository,
)

SYSTEM_ACTOR = Principal(user_id=0, username="system", role=Role.ADMIN)


async def record_audit(
    actor: Principal | str, action: str, object_type: str, object_id: object, before: object, after: object
) -> None:
    """Append an audit row inside the caller's transaction.

    Args:
        actor: who made the change (a principal, or a name such as ``system`` for jobs).
        action: what was done, e.g. ``claim.approve``.
        object_type: the kind of object, e.g. ``claim``.
        object_id: its id or number.
        before: a JSON-serialisable snapshot before the change (``None`` for creation).
        after: the snapshot after the change.
    """
    await AuditRepository().add(
        at=clock.now(),
        actor=actor.username if isinstance(actor, Principal) else actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        request_id=request_id.get(),
    )


async def search_audit(
    *, object_type: str | None, object_id: str | None, actor: str | None, limit: int, offset: int
) -> tuple[list[AuditRecord], int]:
    """Audit rows newest first, and how many match in all."""
    return await AuditRepository().search(
        object_type=object_type, object_id=object_id, actor=actor, limit=limit, offset=offset
    )


async def recent_job_runs(job: str | None) -> list[JobRunRecord]:
    """The latest runs of scheduled jobs (of one job, if named), newest first."""
    return await JobRunRepository().recent(job)


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """Sign-in parameters from settings.

    Args:
        secret: token signing key.
        ttl_seconds: token lifetime.
        lockout_threshold: failed sign-ins in a row that lock a username.
        lockout_minutes: how long it stays locked, and how long a failure counts.
    """

    secret: str
    ttl_seconds: int
    lockout_threshold: int
    lockout_minutes: int


class UserService:
    """Creating users and signing them in."""

    def __init__(self, users: UserRepository | None = None) -> None:
        self.users = users or UserRepository()
        self.failures = LoginFailureRepository()

    async def add_user(
        self,
        *,
        username: str,
        role: str,
        password: str,
        full_name: str = "",
        actor: Principal | str = "system",
    ) -> int:
        """Create a user with a hashed password; refuse a taken name with ``Conflict``."""
        parsed_role = domain.parse_role(role)
        password_hash = domain.hash_password(password)
        async with write_transaction():
            if await self.users.by_username(username):
                raise Conflict(f"user {username!r} already exists", field="username", rule="unique username")
            user_id = await self.users.add(
                username=username,
                full_name=full_name,
                role=parsed_role.value,
                password_hash=password_hash,
                now=clock.now(),
            )
            await record_audit(
                actor, "user.add", "user", user_id, None, {"username": username, "role": parsed_role.value}
            )
        return user_id

    async def sign_in(self, username: str, password: str, policy: AuthPolicy) -> IssuedToken:
        """Check the password and issue a token.

        An unknown name, a disabled user and a wrong password get the same 401 in about the same
        time: without a usable user the password is checked against a dummy hash of the same cost.
        Failures are counted per login key (``domain.login_key``) in the database, whether or not the
        user exists, so the count holds across processes and restarts. After
        ``policy.lockout_threshold`` failures in a row the name is locked for
        ``policy.lockout_minutes``: every attempt, even with the right password, then gets the same
        423 naming when the lock ends, whether or not the user exists, and the lock is written to
        the audit trail. A locked name's password is not checked at all.

        Args:
            username: the name as the client sent it.
            password: the password as sent.
            policy: token and lockout parameters.

        Raises:
            Unauthenticated: wrong name or password (401).
            AccountLocked: too many failures in a row under this name (423).
        """
        now = clock.now()
        key = domain.login_key(username)
        _refuse_if_locked(await self.failures.get(key), now, policy)
        user = await self.users.by_username(username)
        password_hash = user["password_hash"] if user is not None and user["active"] else None
        matched = domain.password_matches(password_hash, password)
        async with write_transaction():
            await serialize(f"login:{key}")
            state = await self.failures.get(key)
            # Another attempt may have locked the name while this one was hashing.
            _refuse_if_locked(state, now, policy)
            if matched and state is not None:
                await self.failures.clear(key)
            elif not matched:
                failed = domain.after_failure(
                    state, now=now, threshold=policy.lockout_threshold, minutes=policy.lockout_minutes
                )
                await self.failures.save(key, failed)
                await self.failures.purge(
                    failed_before=now - dt.timedelta(minutes=policy.lockout_minutes), now=now
                )
                if failed.locked_until is not None:
                    await record_audit(
                        SYSTEM_ACTOR,
                        "login.lock",
                        "login",
                        key,
                        None,
                        {"failures": failed.failures, "locked_until": failed.locked_until},
                    )
        # Raised after the commit so the failure is counted.
        if not matched or user is None:
            raise Unauthenticated("wrong username or password", rule="valid credentials")
        principal = Principal(user_id=user["id"], username=user["username"], role=Role(user["role"]))
        return domain.issue_token(principal, secret=policy.secret, ttl_seconds=policy.ttl_seconds, now=now)

    async def active_principal(self, principal: Principal) -> Principal:
        """Re-check that a token's user still exists, is active and has the same role."""
        await self._active_user(principal)
        return principal

    async def page_session(self, principal: Principal, token_version: int | None) -> domain.PageSession:
        """Re-check a page session: its user as ``active_principal`` does, and that the session was not
        ended since it began (signed out, or the password changed).

        Args:
            principal: the user the session cookie names.
            token_version: the session version the cookie was issued under.
        """
        user = await self._active_user(principal)
        if not domain.session_is_current(token_version, user.session_version):
            raise Unauthenticated("this session has ended: sign in again", rule="current session")
        return domain.PageSession(principal, user.locale, user.session_version)

    async def _active_user(self, principal: Principal) -> UserRecord:
        user = await self.users.by_id(principal.user_id)
        if user is None or not user.active or user.username != principal.username:
            raise Unauthenticated(
                "the user of this token no longer exists or is disabled", rule="active user"
            )
        if user.role != principal.role.value:
            raise Unauthenticated("the user's role changed: sign in again", rule="current role")
        return user

    async def end_sessions(self, principal: Principal) -> None:
        """Sign out on the server: every page session of the user begun so far ends (on any browser)."""
        async with write_transaction():
            await self.users.end_sessions(principal.user_id)
            await record_audit(principal, "user.sign_out", "user", principal.user_id, None, None)

    async def set_locale(self, principal: Principal, locale: str) -> None:
        """Remember the workbench language the user chose, for any browser they sign in on.

        Args:
            principal: the signed-in user.
            locale: one of the workbench's languages (the pages check it).
        """
        async with write_transaction():
            user = await self._active_user(principal)
            if user.locale != locale:
                await self.users.set_locale(principal.user_id, locale)
                await record_audit(
                    principal,
                    "user.locale",
                    "user",
                    principal.user_id,
                    {"locale": user.locale},
                    {"locale": locale},
                )

    async def change_password(self, principal: Principal, current: str, new: str) -> None:
        """Set a new password for the signed-in user after checking the current one.

        Args:
            principal: the user changing their own password.
            current: their current password (a wrong one is refused like a wrong sign-in).
            new: the new password (at least 8 characters, different from the current one).
        """
        if new == current:
            raise InvalidInput(
                "the new password must differ from the current one",
                field="new_password",
                rule="a new password",
            )
        password_hash = domain.hash_password(new)
        async with write_transaction():
            user = await self.users.by_id(principal.user_id)
            if user is None or not domain.password_matches(user.password_hash, current):
                raise Unauthenticated(
                    "the current password is wrong", field="current_password", rule="current password"
                )
            await self.users.set_password_hash(principal.user_id, password_hash)
            await self.users.end_sessions(principal.user_id)  # a new password ends the other sessions
            await record_audit(principal, "user.password_change", "user", principal.user_id, None, None)

    async def list_users(self) -> list[UserSummary]:
        """Every user (no password hashes)."""
        return await self.users.all()


def _refuse_if_locked(state: LoginFailures | None, now: dt.datetime, policy: AuthPolicy) -> None:
    """Raise ``AccountLocked`` if ``state`` locks its name at ``now``; the same answer for any name."""
    until = state.locked_until if state is not None and state.locked_at(now) else None
    if until is None:
        return
    text = until.isoformat(timespec="seconds")
    raise AccountLocked(
        f"too many failed sign-ins under this username: try again after {text}",
        rule=f"at most {policy.lockout_threshold} failed sign-ins in a row",
        extra={"locked_until": text},
    )


def audit_days(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The instants that bound the business days ``start`` to ``end`` (both included) in the business
    time zone: ``(since, before)``, each ``None`` when its day is.

    Raises:
        InvalidInput: ``field="from"`` when the first day is after the last.
    """
    if start is not None and end is not None and start > end:
        raise InvalidInput(
            f"the first day ({start}) is after the last ({end})", field="from", rule="from <= to"
        )
    zone = clock.zone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone).astimezone(dt.UTC) if start else None
    before = (
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone).astimezone(dt.UTC)
        if end
        else None
    )
    return since, before


async def filter_audit(wanted: AuditFilter, *, limit: int, offset: int) -> tuple[list[AuditRecord], int]:
    """Audit rows newest first matching every criterion of ``wanted``, and how many match in all."""
    return await AuditTrailRepository().filtered(wanted, limit=limit, offset=offset)


async def audit_actions() -> list[str]:
    """Every action the audit trail holds (the trail's filter offers them)."""
    return await AuditTrailRepository().actions()
