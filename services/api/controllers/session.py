"""Sign-up (opens an organisation), sign-in, organisation switch, sign-out, and "me"."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from services.api.auth import Principal, requires_session, rotate_session
from services.api.schemas.session import Me, OrganisationChoice, PickOrganisation, SignIn, SignUp
from services.api.use_cases import request_id as request_id  # re-exported for the controllers
from services.core.accounts import signing_in
from services.core.accounts.identity import Membership
from services.core.accounts.signing_in import Credentials, NewOrganisation, SignedIn
from services.core.accounts.work import AccountUseCases
from services.core.application import UseCases


def _choices(memberships: list[Membership]) -> list[OrganisationChoice]:
    return [
        OrganisationChoice(organisation_id=m.tenant_id, name=m.organisation_name, role=m.role)
        for m in memberships
    ]


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


def start_signed_in(request: Request[Any, Any, Any], signed_in: SignedIn, email: str) -> Me:
    """Start the session a sign-in (or sign-up, or switch) decided on."""
    return start_session(
        request, signed_in.user_id, email, signed_in.organisation, signed_in.organisations
    )


class SessionController(Controller):
    path = "/api/v1"
    tags = ("session",)

    @post("/organisations", exclude_from_auth=True, status_code=201)
    async def sign_up(
        self,
        request: Request[Any, Any, Any],
        account_use_cases: NamedDependency[AccountUseCases],
        data: JSONBody[SignUp],
    ) -> Me:
        """Open an organisation with its owner's account, and sign the owner in."""
        signed_in = await account_use_cases.run(
            signing_in.sign_up,
            NewOrganisation(
                name=data.organisation_name,
                slug=data.slug,
                email=data.email,
                password=data.password,
            ),
        )
        return start_signed_in(request, signed_in, data.email.strip())

    @post("/session", exclude_from_auth=True, status_code=200)
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        account_use_cases: NamedDependency[AccountUseCases],
        data: JSONBody[SignIn],
    ) -> Me:
        """Sign in with email and password, into the given organisation or the first one."""
        signed_in = await account_use_cases.run(
            signing_in.sign_in,
            Credentials(
                email=data.email, password=data.password, organisation_id=data.organisation_id
            ),
        )
        return start_signed_in(request, signed_in, data.email.strip())

    @put("/session/organisation", guards=[requires_session])
    async def switch_organisation(
        self,
        request: Request[Principal, Any, Any],
        use_cases: NamedDependency[UseCases],
        data: JSONBody[PickOrganisation],
    ) -> Me:
        """Act in another organisation the signed-in user belongs to."""
        signed_in = await use_cases.run(signing_in.switch_organisation, data.organisation_id)
        return start_signed_in(request, signed_in, request.user.email)

    @delete("/session", guards=[requires_session], status_code=204)
    async def sign_out(
        self, request: Request[Principal, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> None:
        """End the session."""
        await use_cases.run(signing_in.sign_out, None)
        request.clear_session()

    @get("/me")
    async def me(
        self, request: Request[Principal, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Me:
        """Who is signed in, in which organisation and role, and their other organisations."""
        principal = request.user
        return Me(
            user_id=principal.user_id,
            email=principal.email,
            organisation_id=principal.tenant_id,
            role=principal.role,
            organisations=_choices(await use_cases.run(signing_in.my_organisations, None)),
        )
