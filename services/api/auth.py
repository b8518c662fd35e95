"""Authentication (server-side sessions in HttpOnly cookies) and role guards.

The tenant always comes from the authenticated membership: the session names a user and the
organisation they picked, and every request re-reads that membership, so a removed member, a
changed role or an ended auditor window takes effect at once. Every read by an auditor is
recorded in the organisation's history.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
import structlog
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.security.session_auth import SessionAuth
from litestar.types import Guard

from domain.organisations.organisation import Role
from services.core.db import Database
from services.core.handlers.organisations import record_auditor_read
from services.core.settings import Settings

SESSION_COOKIE = "cmeledger_session"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in user acting in one organisation."""

    user_id: UUID
    email: str
    tenant_id: UUID
    role: Role
    person_id: UUID
    """The staff record this member acts on as themselves."""


async def retrieve_principal(
    session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
) -> Principal | None:
    try:
        user_id, tenant_id = UUID(session["user_id"]), UUID(session["tenant_id"])
    except (KeyError, TypeError, ValueError):
        return None
    database: Database = connection.app.state.database
    async with database.transaction(tenant_id) as tx:
        row = await tx.pg.fetchrow(
            "SELECT email, role, person_id FROM memberships WHERE tenant_id = $1"
            " AND user_id = $2 AND (access_until IS NULL OR access_until > now())",
            tenant_id,
            user_id,
        )
        if row is not None and row["role"] == "auditor" and connection.scope.get("method") == "GET":
            await record_auditor_read(
                tx,
                connection.app.state.store,
                user_id=user_id,
                path=connection.url.path,
                query=connection.url.query,
            )
    if row is None:
        return None
    structlog.contextvars.bind_contextvars(tenant_id=str(tenant_id), user_id=str(user_id))
    return Principal(
        user_id=user_id,
        email=row["email"],
        tenant_id=tenant_id,
        role=row["role"],
        person_id=row["person_id"],
    )


def session_auth(settings: Settings) -> SessionAuth[Principal, ServerSideSessionBackend]:
    return SessionAuth[Principal, ServerSideSessionBackend](
        retrieve_user_handler=retrieve_principal,
        session_backend_config=ServerSideSessionConfig(
            key=SESSION_COOKIE,
            max_age=settings.session_max_age_s,
            secure=settings.resolved_cookie_secure,
            httponly=True,
            samesite="lax",
            store="sessions",
        ),
        exclude=["^/health$", "^/ready$", "^/schema"],
    )


def requires_role(*roles: Role) -> Guard:
    """A guard admitting only members whose role in the current organisation is in ``roles``."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = connection.user
        if not isinstance(principal, Principal) or principal.role not in roles:
            raise PermissionDeniedException(f"this needs one of the roles: {', '.join(roles)}")

    return guard
