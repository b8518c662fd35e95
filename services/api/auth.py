"""Authentication (server-side sessions in HttpOnly cookies) and role guards.

The tenant always comes from the authenticated membership: the session (or a personal API token,
sent as ``Authorization: Bearer <token>``) names a user and the organisation they picked, and
every request re-reads that membership, so a removed member, a
changed role or an ended auditor window takes effect at once. Every read by an auditor is
recorded in the organisation's history.

CSRF protection guards cookie authentication only: a request carrying an Authorization header is
authenticated by that header alone, never by the cookie, and browsers do not add one cross-site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
import structlog
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AuthenticationResult
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.security.session_auth import SessionAuth, SessionAuthMiddleware
from litestar.types import Empty, Guard, Message, Receive, Scope, ScopeSession, Send

from domain.organisations.organisation import Role
from services.api.application import application_of
from services.api.errors import PROBLEM_TYPE
from services.api.rate_windows import (
    WINDOW_S,
    check_refused_credentials,
    count_refused_credentials,
    refused_credentials_limit,
    too_many,
)
from services.core.accounts.members import (
    CurrentMember,
    MemberLookup,
    QueryTooLong,
    Reading,
    current_member,
    token_member,
)
from services.core.accounts.token_handlers import TokenHolder
from services.core.operations.rate_limits import WindowSpent
from services.core.settings import Settings

SESSION_COOKIE = "cmeledger_session"
API_TOKEN_SCHEME = "apiToken"  # noqa: S105 (the OpenAPI name of the scheme, not a secret)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in user acting in one organisation."""

    user_id: UUID
    email: str
    tenant_id: UUID
    role: Role
    person_id: UUID
    """The staff record this member acts on as themselves."""
    token_id: UUID | None = None
    """The personal API token the request came with (None: a signed-in session)."""


async def retrieve_principal(
    session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
) -> Principal | None:
    try:
        user_id, tenant_id = UUID(session["user_id"]), UUID(session["tenant_id"])
    except (KeyError, TypeError, ValueError):
        return None
    return await _member(connection, user_id, tenant_id)


def _reading(connection: ASGIConnection[Any, Any, Any, Any]) -> Reading | None:
    """What a ``GET`` reads (recorded when the member is an auditor)."""
    if connection.scope.get("method") != "GET":
        return None
    return Reading(path=connection.url.path, query=connection.url.query)


def _query_too_long(exc: QueryTooLong) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=414, title="query too long", detail=str(exc), type_=PROBLEM_TYPE + exc.code
    )


async def _member(
    connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID, tenant_id: UUID
) -> Principal | None:
    """The current member ``user_id`` of ``tenant_id`` (None: not, or no longer, a member). An
    auditor's ``GET`` is recorded (414 when its query is too long to record whole)."""
    lookup = MemberLookup(user_id=user_id, tenant_id=tenant_id, reading=_reading(connection))
    try:
        member = await current_member(application_of(connection.app), lookup)
    except QueryTooLong as exc:
        raise _query_too_long(exc) from None
    return None if member is None else _principal(user_id, tenant_id, member)


def _principal(
    user_id: UUID, tenant_id: UUID, member: CurrentMember, token: TokenHolder | None = None
) -> Principal:
    structlog.contextvars.bind_contextvars(tenant_id=str(tenant_id), user_id=str(user_id))
    return Principal(
        user_id=user_id,
        email=member.email,
        tenant_id=tenant_id,
        role=member.role,
        person_id=member.person_id,
        token_id=None if token is None else token.token_id,
    )


def _bearer_secret(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The API token the request authenticates by (None: no Authorization header, so the
    session; empty: a header that is not ``Bearer <token>``)."""
    authorization = connection.headers.get("authorization")
    if authorization is None:
        return None
    scheme, _, secret = authorization.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


class SessionOrTokenAuthMiddleware(SessionAuthMiddleware):
    """Authenticates by ``Authorization: Bearer <personal API token>`` when the header is sent
    (and then by it alone), otherwise by the session cookie."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """The caller, or 401 (counted on the client address's budget of refused credentials).

        Once an address has spent that budget (``rate_limit_per_user_per_minute`` refusals in
        the last minute), every request from it that needs sign-in answers the 429 problem with
        ``Retry-After`` until the window lets a refusal out, whatever it carries, a valid token
        or session included: no credential is looked up and nothing is written, so the answer
        tells a guesser nothing and guessing costs no database writes. Only refusals count;
        requests that authenticate do not spend the budget."""
        application = application_of(connection.app)
        scope, settings, database = connection.scope, application.settings, application.database
        secret = _bearer_secret(connection)
        if not secret:  # a token's lookup reads the budget in its own statement
            await check_refused_credentials(scope, settings, database)
        try:
            return await self._authenticate(connection, secret)
        except NotAuthorizedException:
            await count_refused_credentials(scope, settings, database)
            raise

    async def _authenticate(
        self, connection: ASGIConnection[Any, Any, Any, Any], secret: str | None
    ) -> AuthenticationResult:
        if secret is None:
            return await super().authenticate_request(connection)
        if not secret:
            raise NotAuthorizedException("expected Authorization: Bearer <API token>")
        application = application_of(connection.app)
        try:
            found = await token_member(
                application,
                secret,
                _reading(connection),
                budget=refused_credentials_limit(connection.scope, application.settings),
                window_s=WINDOW_S,
            )
        except WindowSpent as spent:
            raise too_many(spent.window) from None
        except QueryTooLong as exc:
            raise _query_too_long(exc) from None
        if found is None:
            raise NotAuthorizedException("this API token is not valid, has expired or is revoked")
        holder, member = found
        principal = _principal(holder.user_id, holder.tenant_id, member, holder)
        if connection.scope.get("method") not in SAFE_METHODS and "write" not in holder.scopes:
            raise PermissionDeniedException("this API token may only read: it has no write scope")
        return AuthenticationResult(user=principal, auth=holder)


class CookieCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF check, skipped for requests authenticated by an Authorization header."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and any(
            name == b"authorization" for name, _ in scope.get("headers", [])
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


ROTATE_SESSION = "cmeledger.rotate_session"
"""Scope-state flag: this response starts a new session under a new id (sign-in and alike)."""


def rotate_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Make the response store the session under a fresh id and drop the old one, so an id
    planted in the browser before sign-in never becomes a signed-in session (fixation)."""
    connection.scope.setdefault("state", {})[ROTATE_SESSION] = True


class LazySessionBackend(ServerSideSessionBackend):
    """Litestar's server-side sessions, minus storing (and setting a cookie for) an empty session
    for a request that brought none: anonymous and API-token requests leave no session behind.
    Ids are rotated where ``rotate_session`` asked for it."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        state = connection.scope.setdefault("state", {})
        if not state.get(ROTATE_SESSION):
            return super().get_session_id(connection)
        rotated = state.get("cmeledger.rotated_session_id")
        if rotated is None:
            rotated = state["cmeledger.rotated_session_id"] = self.generate_session_id()
        return str(rotated)

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        brought = connection.cookies.get(self.config.key)
        if scope_session is not Empty and not scope_session and not brought:
            return
        if brought and connection.scope.get("state", {}).get(ROTATE_SESSION):
            await self.config.get_store_from_app(connection.scope["app"]).delete(brought)
        await super().store_in_message(scope_session, message, connection)


@dataclass
class LazySessionConfig(ServerSideSessionConfig):
    _backend_class = LazySessionBackend


def session_auth(settings: Settings) -> SessionAuth[Principal, ServerSideSessionBackend]:
    return SessionAuth[Principal, ServerSideSessionBackend](
        retrieve_user_handler=retrieve_principal,
        session_backend_config=LazySessionConfig(
            key=SESSION_COOKIE,
            max_age=settings.session_max_age_s,
            secure=settings.resolved_cookie_secure,
            httponly=True,
            samesite="lax",
            store="sessions",
        ),
        authentication_middleware_class=SessionOrTokenAuthMiddleware,
        exclude=["^/health$", "^/ready$", "^/schema"],
    )


def api_token_openapi() -> tuple[Components, list[dict[str, list[str]]]]:
    """The bearer scheme, documented beside the session cookie (either one authenticates)."""
    scheme = SecurityScheme(
        type="http",
        scheme="bearer",
        description="A personal API token (POST /api/v1/tokens); no CSRF header needed.",
    )
    return Components(security_schemes={API_TOKEN_SCHEME: scheme}), [{API_TOKEN_SCHEME: []}]


def requires_session(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard refusing personal API tokens: managing sessions and tokens needs a signed-in
    session, so a token can never mint a token or a session wider than itself."""
    principal = connection.user
    if isinstance(principal, Principal) and principal.token_id is not None:
        raise PermissionDeniedException("this needs a signed-in session, not an API token")


def requires_role(*roles: Role) -> Guard:
    """A guard admitting only members whose role in the current organisation is in ``roles``."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = connection.user
        if not isinstance(principal, Principal) or principal.role not in roles:
            raise PermissionDeniedException(f"this needs one of the roles: {', '.join(roles)}")

    return guard
