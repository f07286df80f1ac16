"""Sign-in, users, the audit trail and job runs over HTTP. Thin: one service call each."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, JSONBody

from ledger.core.records import view
from ledger.platform.domain import Principal, Role
from ledger.platform.schemas import AuditEntry, JobRunView, Page, Token, TokenRequest, User, UserCreate
from ledger.platform.service import AuthPolicy, UserService, recent_job_runs, search_audit
from ledger.web.auth import PUBLIC, access
from ledger.web.choices import AuditObjectType, JobName
from ledger.web.params import Limit, Offset


class AuthController(Controller):
    """Access tokens."""

    path = "/api/auth"
    tags = ["auth"]

    @post("/token", opt={PUBLIC: True}, status_code=200, operation_id="createToken")
    async def token(self, data: JSONBody[TokenRequest], request: Request[Any, Any, Any]) -> Token:
        """Exchange a username and password for a short-lived bearer token (public).

        An unknown username and a wrong password get the same 401. After `LEDGER_LOCKOUT_THRESHOLD`
        (default 5) failed sign-ins in a row under one username, whether or not the user exists, it is
        locked for `LEDGER_LOCKOUT_MINUTES` (default 15): the same 423 for every such name.
        """
        settings = request.app.state.settings
        policy = AuthPolicy(
            secret=settings.secret_key,
            ttl_seconds=settings.token_ttl_seconds,
            lockout_threshold=settings.lockout_threshold,
            lockout_minutes=settings.lockout_minutes,
        )
        issued = await UserService().sign_in(data.username, data.password, policy)
        return Token(access_token=issued.access_token, token_type="bearer", expires_in=issued.expires_in)  # noqa: S106 - the scheme name


class UserController(Controller):
    """Users and roles."""

    path = "/api/users"
    tags = ["users"]

    @get("/", **access(Role.ADMIN), operation_id="listUsers")
    async def list_users(self) -> list[User]:
        """Every user and role."""
        return [view(User, user) for user in await UserService().list_users()]

    @post("/", **access(Role.ADMIN, idempotent=True), operation_id="createUser")
    async def create_user(self, data: JSONBody[UserCreate], request: Request[Principal, Any, Any]) -> User:
        """Create a user with a role."""
        service = UserService()
        user_id = await service.add_user(
            username=data.username,
            role=data.role,
            password=data.password,
            full_name=data.full_name,
            actor=request.user,
        )
        return User(id=user_id, username=data.username, full_name=data.full_name, role=data.role, active=True)


class AuditController(Controller):
    """The audit trail."""

    path = "/api/audit"
    tags = ["audit"]

    @get("/", **access(Role.ADMIN, Role.AUDITOR), operation_id="listAuditEvents")
    async def list_events(
        self,
        object_type: FromQuery[AuditObjectType | None] = None,
        object_id: FromQuery[str | None] = None,
        actor: FromQuery[str | None] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page:
        """Audit rows newest first, filtered by object type, object id and actor."""
        rows, total = await search_audit(
            object_type=object_type, object_id=object_id, actor=actor, limit=limit, offset=offset
        )
        return Page(items=[AuditEntry.of(row) for row in rows], total=total, limit=limit, offset=offset)


class JobController(Controller):
    """Scheduled job runs."""

    path = "/api/jobs"
    tags = ["jobs"]

    @get("/runs", **access(Role.ADMIN, Role.AUDITOR), operation_id="listJobRuns")
    async def runs(self, job: FromQuery[JobName | None] = None) -> list[JobRunView]:
        """The latest runs of scheduled jobs, newest first."""
        rows = await recent_job_runs(job)
        return [view(JobRunView, row) for row in rows]
