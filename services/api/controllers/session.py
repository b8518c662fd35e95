"""Sign-up (opens an organisation), sign-in, organisation switch, sign-out, and "me"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody

from domain.organisations.organisation import Role
from services.api.auth import Principal, requires_session, rotate_session
from services.core.db import Database
from services.core.eventstore import EventStore
from services.core.handlers import organisations as access
from services.core.identity import Membership, memberships_of


class SignUp(msgspec.Struct, frozen=True, kw_only=True):
    organisation_name: Annotated[str, msgspec.Meta(min_length=2, max_length=120)]
    slug: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=256)]
    """Checked by the password policy (``services.core.passwords``): 422 with the reason."""


class SignIn(msgspec.Struct, frozen=True, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=256)]
    organisation_id: UUID | None = None


class PickOrganisation(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: UUID


class OrganisationChoice(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: UUID
    name: str
    role: Role


class Me(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    email: str
    organisation_id: UUID
    role: Role
    organisations: list[OrganisationChoice]


def request_id(request: Request[Any, Any, Any]) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def _choices(memberships: list[Membership]) -> list[OrganisationChoice]:
    return [
        OrganisationChoice(organisation_id=m.tenant_id, name=m.organisation_name, role=m.role)
        for m in memberships
    ]


async def memberships_of_user(database: Database, user_id: UUID) -> list[Membership]:
    async with database.transaction(None) as tx:
        return await memberships_of(tx, user_id)


def _pick(memberships: list[Membership], organisation_id: UUID | None) -> Membership:
    if organisation_id is None and memberships:
        return memberships[0]
    for membership in memberships:
        if membership.tenant_id == organisation_id:
            return membership
    raise NotFoundException("you are not a member of that organisation")


def start_session(
    request: Request[Any, Any, Any],
    user_id: UUID,
    email: str,
    chosen: Membership,
    memberships: list[Membership],
) -> Me:
    rotate_session(request)
    request.set_session({"user_id": str(user_id), "tenant_id": str(chosen.tenant_id)})
    return Me(
        user_id=user_id,
        email=email,
        organisation_id=chosen.tenant_id,
        role=chosen.role,
        organisations=_choices(memberships),
    )


class SessionController(Controller):
    path = "/api/v1"
    tags = ("session",)

    @post("/organisations", exclude_from_auth=True, status_code=201)
    async def sign_up(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[SignUp]
    ) -> Me:
        """Open an organisation with its owner's account, and sign the owner in."""
        opened = await access.open_organisation(
            state.database,
            state.store,
            name=data.organisation_name,
            slug=data.slug,
            email=data.email,
            password=data.password,
            request_id=request_id(request),
        )
        memberships = await memberships_of_user(state.database, opened.user_id)
        chosen = _pick(memberships, opened.tenant_id)
        return start_session(request, opened.user_id, data.email.strip(), chosen, memberships)

    @post("/session", exclude_from_auth=True, status_code=200)
    async def sign_in(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[SignIn]
    ) -> Me:
        """Sign in with email and password, into the given organisation or the first one."""
        user_id, memberships = await access.sign_in(
            state.database,
            state.store,
            email=data.email,
            password=data.password,
            now=datetime.now(UTC),
            request_id=request_id(request),
        )
        chosen = _pick(memberships, data.organisation_id)
        return start_session(request, user_id, data.email.strip(), chosen, memberships)

    @put("/session/organisation", guards=[requires_session])
    async def switch_organisation(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        data: JSONBody[PickOrganisation],
    ) -> Me:
        """Act in another organisation the signed-in user belongs to."""
        principal = request.user
        memberships = await memberships_of_user(state.database, principal.user_id)
        chosen = _pick(memberships, data.organisation_id)
        return start_session(request, principal.user_id, principal.email, chosen, memberships)

    @delete("/session", guards=[requires_session], status_code=204)
    async def sign_out(self, request: Request[Principal, Any, Any], state: State) -> None:
        """End the session."""
        principal = request.user
        database: Database = state.database
        store: EventStore = state.store
        memberships = await memberships_of_user(database, principal.user_id)
        await access.sign_out(
            database,
            store,
            user_id=principal.user_id,
            membership=_pick(memberships, principal.tenant_id),
            request_id=request_id(request),
        )
        request.clear_session()

    @get("/me")
    async def me(self, request: Request[Principal, Any, Any], state: State) -> Me:
        """Who is signed in, in which organisation and role, and their other organisations."""
        principal = request.user
        memberships = await memberships_of_user(state.database, principal.user_id)
        return Me(
            user_id=principal.user_id,
            email=principal.email,
            organisation_id=principal.tenant_id,
            role=principal.role,
            organisations=_choices(memberships),
        )
