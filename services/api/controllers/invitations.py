"""Inviting people into an organisation, and accepting an invitation link."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody
from litestar.response import Response

from domain.organisations.organisation import RevokeInvitation, Role
from domain.people.person import RegisterPerson
from domain.shared.limits import NAME_LENGTH, Code, Name
from services.api.auth import Principal, requires_role
from services.api.controllers.session import Me, memberships_of_user, request_id, start_session
from services.api.idempotency import request_command_id
from services.core.eventstore import Metadata
from services.core.handlers import organisations as org
from services.core.handlers import people as people_handlers
from services.core.idempotency import new_entity_id
from services.core.mail import send_quietly
from services.core.notifications.invitations import invitation_message
from services.core.notifications.outbox import organisation_name


class StaffDetails(msgspec.Struct, frozen=True, kw_only=True):
    full_name: Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_LENGTH)]
    department: Name | None = None
    site: Name | None = None
    employee_number: Code | None = None


class InvitationCreate(msgspec.Struct, frozen=True, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    role: Role = "employee"
    person_id: UUID | None = None
    """The existing staff record the new account is for."""
    staff: StaffDetails | None = None
    """Or: create the staff record now (name, department, site, employee number)."""
    access_until: datetime | None = None
    """Auditors only, and required for them: when their read-only access ends (max 1 year)."""


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    invitation_id: UUID
    email: str
    role: Role
    expires_at: datetime
    status: str


class InvitationSent(msgspec.Struct, frozen=True, kw_only=True):
    invitation_id: UUID
    email: str
    role: Role
    expires_at: datetime
    person_id: UUID | None
    accept_token: str
    """Shown once: the secret of the invitation link, which is also mailed to the invitee."""


class InvitationAccept(msgspec.Struct, frozen=True, kw_only=True):
    token: Annotated[str, msgspec.Meta(min_length=16, max_length=128)]
    password: Annotated[str, msgspec.Meta(max_length=256)]


def actor(request: Request[Principal, Any, Any]) -> Metadata:
    return Metadata(
        actor_id=str(request.user.user_id),
        actor_role=request.user.role,
        request_id=request_id(request),
    )


class InvitationController(Controller):
    path = "/api/v1/invitations"
    tags = ("invitations",)

    @post("", guards=[requires_role("owner", "admin")], status_code=201)
    async def invite(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[InvitationCreate]
    ) -> Response[InvitationSent]:
        """Invite a person by email: the invitation mail with its link goes out after the
        answer (the answer holds the link's token too, for another way to pass it on). Admins
        invite employees; owners any role. With ``staff``, the person's staff record is created
        at once, in the same transaction."""
        if data.staff is not None and data.person_id is not None:
            raise ValidationException("give either person_id or staff, not both")
        person_id = data.person_id
        async with state.database.transaction(request.user.tenant_id) as tx:
            if data.staff is not None:
                command_id = request_command_id(request)
                person_id = new_entity_id(command_id, "person")
                await people_handlers.register_person(
                    tx,
                    state.store,
                    RegisterPerson(
                        person_id=person_id,
                        full_name=data.staff.full_name,
                        email=data.email,
                        department=data.staff.department,
                        site=data.staff.site,
                        employee_number=data.staff.employee_number,
                    ),
                    command_id=command_id,
                    metadata=actor(request),
                )
            sent = await org.invite_member(
                tx,
                state.store,
                email=data.email,
                role=data.role,
                by_role=request.user.role,
                person_id=person_id,
                access_until=data.access_until,
                metadata=actor(request),
                command_id=request_command_id(request),
            )
            organisation = await organisation_name(tx)
        message = invitation_message(state.settings, organisation=organisation, invited=sent)
        return Response(
            InvitationSent(
                invitation_id=sent.invitation_id,
                email=sent.email,
                role=sent.role,
                expires_at=sent.expires_at,
                person_id=person_id,
                accept_token=sent.token,
            ),
            status_code=201,
            background=BackgroundTask(send_quietly, state.mailer, message),
        )

    @get("", guards=[requires_role("owner", "admin")])
    async def list_invitations(
        self, request: Request[Principal, Any, Any], state: State
    ) -> list[Invitation]:
        """Every invitation of the organisation, newest first."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            rows = await tx.pg.fetch(
                "SELECT invitation_id, email, role, expires_at, status FROM invitations"
                " ORDER BY expires_at DESC"
            )
        return [Invitation(**dict(row)) for row in rows]

    @delete("/{invitation_id:uuid}", guards=[requires_role("owner", "admin")], status_code=204)
    async def revoke(
        self, request: Request[Principal, Any, Any], state: State, invitation_id: FromPath[UUID]
    ) -> None:
        """Revoke an open invitation; its link stops working."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            await org.change_organisation(
                tx,
                state.store,
                RevokeInvitation(invitation_id=invitation_id, by_role=request.user.role),
                actor(request),
                command_id=request_command_id(request),
            )

    @post("/accept", exclude_from_auth=True, status_code=200)
    async def accept(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[InvitationAccept]
    ) -> Me:
        """Accept an invitation: a new address sets its password, an existing account gives its
        own. Signs the person in to the organisation."""
        tenant_id, user_id = await org.accept_invitation(
            state.database,
            state.store,
            token=data.token,
            password=data.password,
            now=datetime.now(UTC),
            request_id=request_id(request),
            command_id=request_command_id(request),
        )
        joined = await memberships_of_user(state.database, user_id)
        chosen = next(m for m in joined if m.tenant_id == tenant_id)
        email = await email_of(state, user_id)
        return start_session(request, user_id, email, chosen, joined)


async def email_of(state: State, user_id: UUID) -> str:
    async with state.database.transaction(None) as tx:
        return str(await tx.pg.fetchval("SELECT email FROM users WHERE user_id = $1", user_id))
