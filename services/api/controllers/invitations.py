"""Inviting people into an organisation, and accepting an invitation link."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody
from litestar.response import Response

from services.api.application import mail_after_answer
from services.api.auth import requires_role
from services.api.controllers.session import start_signed_in
from services.api.schemas.invitations import (
    InvitationAccept,
    InvitationCreate,
    InvitationSent,
)
from services.api.schemas.session import Me
from services.core.accounts import signing_in
from services.core.accounts.signing_in import InvitationAcceptance
from services.core.accounts.work import AccountUseCases
from services.core.application import UseCases
from services.core.organisation import use_cases as organisation
from services.core.organisation.invitations import NewStaff
from services.core.organisation.queries import Invitation
from services.core.organisation.use_cases import Invite


class InvitationController(Controller):
    path = "/api/v1/invitations"
    tags = ("invitations",)

    @post("", guards=[requires_role("owner", "admin")], status_code=201)
    async def invite(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        data: JSONBody[InvitationCreate],
    ) -> Response[InvitationSent]:
        """Invite a person by email: the invitation mail with its link goes out after the
        answer (the answer holds the link's token too, for another way to pass it on). Admins
        invite employees; owners any role. With ``staff``, the person's staff record is created
        at once, in the same transaction."""
        if data.staff is not None and data.person_id is not None:
            raise ValidationException("give either person_id or staff, not both")
        staff = None if data.staff is None else NewStaff(**msgspec.structs.asdict(data.staff))
        sent = await use_cases.run(
            organisation.invite,
            Invite(
                email=data.email,
                role=data.role,
                person_id=data.person_id,
                staff=staff,
                access_until=data.access_until,
            ),
        )
        return Response(
            InvitationSent(
                invitation_id=sent.invited.invitation_id,
                email=sent.invited.email,
                role=sent.invited.role,
                expires_at=sent.invited.expires_at,
                person_id=sent.person_id,
                accept_token=sent.invited.token,
            ),
            status_code=201,
            background=mail_after_answer(request, sent.message),
        )

    @get("", guards=[requires_role("owner", "admin")])
    async def list_invitations(self, use_cases: NamedDependency[UseCases]) -> list[Invitation]:
        """Every invitation of the organisation, newest first."""
        return await use_cases.run(organisation.list_invitations, None)

    @delete(
        "/{invitation_id:uuid}",
        guards=[requires_role("owner", "admin")],
        status_code=204,
    )
    async def revoke(
        self, use_cases: NamedDependency[UseCases], invitation_id: FromPath[UUID]
    ) -> None:
        """Revoke an open invitation; its link stops working."""
        await use_cases.run(organisation.revoke_invitation, invitation_id)

    @post("/accept", exclude_from_auth=True, status_code=200)
    async def accept(
        self,
        request: Request[Any, Any, Any],
        account_use_cases: NamedDependency[AccountUseCases],
        data: JSONBody[InvitationAccept],
    ) -> Me:
        """Accept an invitation: a new address sets its password, an existing account gives its
        own. Signs the person in to the organisation."""
        joined = await account_use_cases.run(
            signing_in.accept_invitation,
            InvitationAcceptance(token=data.token, password=data.password),
        )
        return start_signed_in(request, joined, joined.email)
