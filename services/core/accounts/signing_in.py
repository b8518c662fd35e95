"""Signing up (opening an organisation), in and out, and choosing the organisation to act in.

The caller starts or ends the session itself (cookies are HTTP); these decide who is signed in,
into which organisation, and record it in the organisations' histories.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.audits.access import UserSignedOut
from services.core.accounts import identity
from services.core.accounts.identity import Membership
from services.core.accounts.work import AccountWork
from services.core.application import AccessDenied, NotFound, UnitOfWork
from services.core.db import Database
from services.core.organisation import handlers as access


class NewOrganisation(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation to open, with its owner's account."""

    name: str
    slug: str
    email: str
    password: str


class Credentials(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: str
    organisation_id: UUID | None = None
    """The organisation to act in (None: the first of the user's)."""


class SignedIn(msgspec.Struct, frozen=True, kw_only=True):
    """Who is signed in, the organisation they act in, and all of theirs."""

    user_id: UUID
    organisation: Membership
    organisations: list[Membership]


class InvitationAcceptance(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    """The secret of the invitation link."""
    password: str
    """A new account's password, or an existing account's own."""


class Joined(SignedIn, frozen=True, kw_only=True):
    """Signed in to the organisation just joined."""

    email: str
    """The account's address (the invitation's)."""


def _choose(user_id: UUID, memberships: list[Membership], tenant_id: UUID | None) -> SignedIn:
    """Sign ``user_id`` into ``tenant_id`` (None: their first organisation); ``NotFound`` when
    they are not a member there."""
    for membership in memberships:
        if tenant_id is None or membership.tenant_id == tenant_id:
            return SignedIn(user_id=user_id, organisation=membership, organisations=memberships)
    raise NotFound("you are not a member of that organisation")


def signed_in_user(uow: UnitOfWork) -> UUID:
    """The acting member's user id (``AccessDenied`` for the system, which has no account)."""
    if uow.actor.user_id is None:
        raise AccessDenied("only a signed-in member has an account")
    return uow.actor.user_id


async def memberships_of_user(database: Database, user_id: UUID) -> list[Membership]:
    """Every organisation ``user_id`` currently belongs to, by name."""
    async with database.transaction(None) as tx:
        return await identity.memberships_of(tx, user_id)


async def sign_up(work: AccountWork, command: NewOrganisation) -> SignedIn:
    """Open an organisation with its owner's account; the owner is signed in there."""
    opened = await access.open_organisation(
        work.database,
        work.store,
        name=command.name,
        slug=command.slug,
        email=command.email,
        password=command.password,
        request_id=work.visitor.request_id,
    )
    memberships = await memberships_of_user(work.database, opened.user_id)
    return _choose(opened.user_id, memberships, opened.tenant_id)


async def sign_in(work: AccountWork, command: Credentials) -> SignedIn:
    """Check the email and password (``InvalidCredentials``; every outcome is recorded in the
    user's organisations) and sign into the chosen organisation."""
    user_id, memberships = await access.sign_in(
        work, email=command.email, password=command.password
    )
    return _choose(user_id, memberships, command.organisation_id)


async def sign_out(uow: UnitOfWork, _: None) -> None:
    """Record that the member signed out of the current organisation."""
    user_id = signed_in_user(uow)
    await uow.record_access(user_id, UserSignedOut(user_id=user_id))


async def my_organisations(uow: UnitOfWork, _: None) -> list[Membership]:
    """Every organisation the signed-in member belongs to."""
    return await identity.memberships_of(uow.tx, signed_in_user(uow))


async def switch_organisation(uow: UnitOfWork, tenant_id: UUID) -> SignedIn:
    """Act in another organisation of the signed-in member (``NotFound`` if not theirs)."""
    user_id = signed_in_user(uow)
    return _choose(user_id, await identity.memberships_of(uow.tx, user_id), tenant_id)


async def accept_invitation(work: AccountWork, command: InvitationAcceptance) -> Joined:
    """Join the organisation of an invitation link (see ``organisations.accept_invitation``)
    and sign in there."""
    tenant_id, user_id = await access.accept_invitation(
        work, token=command.token, password=command.password
    )
    async with work.transaction(None) as tx:
        memberships = await identity.memberships_of(tx, user_id)
        email = await identity.email_of(tx, user_id)
    signed_in = _choose(user_id, memberships, tenant_id)
    return Joined(
        user_id=user_id,
        organisation=signed_in.organisation,
        organisations=memberships,
        email=str(email),
    )
