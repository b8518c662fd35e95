"""Members of the organisation: who has access with which role, role changes, auditor windows,
removal."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from services.api.auth import requires_role
from services.api.schemas.members import AuditorAccess, Removal, RoleChange
from services.core.application import UseCases
from services.core.organisation import use_cases as organisation
from services.core.organisation.queries import MemberView
from services.core.organisation.use_cases import EndMembership, GiveRole, SetAuditorAccess


class MembersController(Controller):
    path = "/api/v1/members"
    tags = ("members",)

    @get("", guards=[requires_role("owner", "admin", "auditor")])
    async def list_members(self, use_cases: NamedDependency[UseCases]) -> list[MemberView]:
        """Everyone with access to the organisation, auditors with their access window."""
        return await use_cases.run(organisation.list_members, None)

    @put("/{user_id:uuid}/role", guards=[requires_role("owner", "admin")])
    async def change_role(
        self,
        use_cases: NamedDependency[UseCases],
        user_id: FromPath[UUID],
        data: JSONBody[RoleChange],
    ) -> None:
        """Change a member's role. Owners manage admins and owners; admins manage employees."""
        await use_cases.run(organisation.change_role, GiveRole(user_id=user_id, role=data.role))

    @put("/{user_id:uuid}/auditor-access", guards=[requires_role("owner")])
    async def change_auditor_access(
        self,
        use_cases: NamedDependency[UseCases],
        user_id: FromPath[UUID],
        data: JSONBody[AuditorAccess],
    ) -> None:
        """Extend an auditor's window, or end it now with a past moment."""
        await use_cases.run(
            organisation.change_auditor_access,
            SetAuditorAccess(user_id=user_id, access_until=data.access_until),
        )

    @post("/{user_id:uuid}/removal", guards=[requires_role("owner", "admin")], status_code=204)
    async def remove(
        self,
        use_cases: NamedDependency[UseCases],
        user_id: FromPath[UUID],
        data: JSONBody[Removal],
    ) -> None:
        """End a membership now: the member's sessions and API tokens in this organisation end
        in the same transaction; their other organisations, their staff record and every event
        stay. Owners remove anyone, admins employees only; the last owner stays."""
        await use_cases.run(
            organisation.remove_member, EndMembership(user_id=user_id, reason=data.reason)
        )
