"""Members of the organisation: who has access with which role, role changes, auditor windows,
removal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from domain.organisations.organisation import (
    ChangeAuditorAccess,
    ChangeMemberRole,
    RemoveMember,
    Role,
)
from services.api.auth import Principal, requires_role
from services.api.controllers.invitations import actor
from services.api.idempotency import request_command_id
from services.core.handlers import organisations as org


class MemberView(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    email: str
    role: Role
    person_id: UUID
    access_until: datetime | None


class RoleChange(msgspec.Struct, frozen=True, kw_only=True):
    role: Role


class AuditorAccess(msgspec.Struct, frozen=True, kw_only=True):
    access_until: datetime
    """When the auditor's access ends; a moment in the past ends it now."""


class Removal(msgspec.Struct, frozen=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    """Why the member's access ends; kept in the history."""


class MembersController(Controller):
    path = "/api/v1/members"
    tags = ("members",)

    @get("", guards=[requires_role("owner", "admin", "auditor")])
    async def list_members(
        self, request: Request[Principal, Any, Any], state: State
    ) -> list[MemberView]:
        """Everyone with access to the organisation, auditors with their access window."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            rows = await tx.pg.fetch(
                "SELECT user_id, email, role, person_id, access_until FROM memberships"
                " WHERE tenant_id = $1 ORDER BY email",
                request.user.tenant_id,
            )
        return [MemberView(**dict(row)) for row in rows]

    @put("/{user_id:uuid}/role", guards=[requires_role("owner", "admin")])
    async def change_role(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        user_id: FromPath[UUID],
        data: JSONBody[RoleChange],
    ) -> None:
        """Change a member's role. Owners manage admins and owners; admins manage employees."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            await org.change_organisation(
                tx,
                state.store,
                ChangeMemberRole(user_id=user_id, role=data.role, by_role=request.user.role),
                actor(request),
                command_id=request_command_id(request),
            )

    @put("/{user_id:uuid}/auditor-access", guards=[requires_role("owner")])
    async def change_auditor_access(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        user_id: FromPath[UUID],
        data: JSONBody[AuditorAccess],
    ) -> None:
        """Extend an auditor's window, or end it now with a past moment."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            command = ChangeAuditorAccess(
                user_id=user_id, access_until=data.access_until, by_role=request.user.role
            )
            await org.change_organisation(
                tx, state.store, command, actor(request), command_id=request_command_id(request)
            )

    @post("/{user_id:uuid}/removal", guards=[requires_role("owner", "admin")], status_code=204)
    async def remove(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        user_id: FromPath[UUID],
        data: JSONBody[Removal],
    ) -> None:
        """End a membership now: the member's sessions and API tokens in this organisation end
        in the same transaction; their other organisations, their staff record and every event
        stay. Owners remove anyone, admins employees only; the last owner stays."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            await org.remove_member(
                tx,
                state.store,
                RemoveMember(user_id=user_id, by_role=request.user.role, reason=data.reason),
                now=datetime.now(UTC),
                command_id=request_command_id(request),
                metadata=actor(request),
            )
