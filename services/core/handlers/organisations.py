"""Opening an organisation, invitations, signing in and out, and the access events they record."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg
import msgspec

from domain.audits.access import (
    AuditorRead,
    FailureReason,
    SignInFailed,
    UserSignedIn,
    UserSignedOut,
)
from domain.organisations.organisation import (
    AcceptInvitation,
    ChangeAuditorAccess,
    ChangeMemberRole,
    InvitationNotFound,
    InviteMember,
    MemberInvited,
    OpenOrganisation,
    RevokeInvitation,
    Role,
    check_slug,
    decide_accept_invitation,
    decide_change_auditor_access,
    decide_change_member_role,
    decide_invite_member,
    decide_open_organisation,
    decide_revoke_invitation,
    evolve,
)
from domain.shared.errors import DomainError
from domain.shared.event import Event
from services.core import identity
from services.core.db import Database, Tx
from services.core.eventstore import ANY_VERSION, EventStore, Metadata, RecordedEvent
from services.core.handlers import Decider, execute
from services.core.hashing import secret_hash
from services.core.identity import AccountLocked, InvalidCredentials, Membership
from services.core.stream_ids import access_stream

ORGANISATION_STREAM = "organisation"


OrganisationCommand = (
    InviteMember | AcceptInvitation | RevokeInvitation | ChangeMemberRole | ChangeAuditorAccess
)

ORGANISATION_COMMANDS: dict[type[OrganisationCommand], Decider] = {
    InviteMember: decide_invite_member,
    AcceptInvitation: decide_accept_invitation,
    RevokeInvitation: decide_revoke_invitation,
    ChangeMemberRole: decide_change_member_role,
    ChangeAuditorAccess: decide_change_auditor_access,
}


async def change_organisation(
    tx: Tx, store: EventStore, command: OrganisationCommand, metadata: Metadata | None = None
) -> list[RecordedEvent]:
    """Run an organisation command on the transaction tenant's organisation stream."""
    return await execute(
        tx,
        store,
        ORGANISATION_STREAM,
        evolve=evolve,
        decide=ORGANISATION_COMMANDS[type(command)],
        command=command,
        command_id=uuid4(),
        metadata=metadata,
    )


class SlugTaken(DomainError):
    code = "slug_taken"


class OpenedOrganisation(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: UUID
    user_id: UUID
    slug: str


async def open_organisation(
    database: Database,
    store: EventStore,
    *,
    name: str,
    slug: str,
    email: str,
    password: str,
    request_id: str | None = None,
) -> OpenedOrganisation:
    """Create the tenant, its owner's account and the first events, in one transaction."""
    tenant_id = uuid4()
    slug = check_slug(slug.strip().lower())
    async with database.transaction(tenant_id) as tx:
        await store.register_tenant(tx)
        try:
            await tx.pg.execute(
                "UPDATE tenants SET slug = $2 WHERE tenant_id = $1", tenant_id, slug
            )
        except asyncpg.UniqueViolationError:
            raise SlugTaken(f"the URL name {slug!r} is taken; choose another") from None
        user_id = await identity.create_user(tx, email, password)
        events = decide_open_organisation(
            None,
            OpenOrganisation(
                organisation_id=tenant_id,
                name=name,
                slug=slug,
                owner_user_id=user_id,
                owner_email=identity.normalise_email(email),
            ),
        )
        await store.append(
            tx,
            ORGANISATION_STREAM,
            events,
            expected_version=0,
            event_ids=[uuid4() for _ in events],
            metadata=Metadata(actor_id=str(user_id), actor_role="owner", request_id=request_id),
        )
    return OpenedOrganisation(tenant_id=tenant_id, user_id=user_id, slug=slug)


async def record_access(
    database: Database,
    store: EventStore,
    user_id: UUID,
    memberships: list[Membership],
    event: Callable[[], Event],
    request_id: str | None,
) -> None:
    """Append an access event to the user's access stream in every organisation they belong to."""
    for membership in memberships:
        async with database.transaction(membership.tenant_id) as tx:
            await store.append(
                tx,
                access_stream(user_id),
                [event()],
                expected_version=ANY_VERSION,
                event_ids=[uuid4()],
                metadata=Metadata(
                    actor_id=str(user_id), actor_role=membership.role, request_id=request_id
                ),
            )


async def sign_in(
    database: Database,
    store: EventStore,
    *,
    email: str,
    password: str,
    now: datetime,
    request_id: str | None = None,
    require_membership: bool = True,
) -> tuple[UUID, list[Membership]]:
    """Authenticate and record the outcome in each of the user's organisations.

    Raises ``InvalidCredentials`` (``AccountLocked`` when locked); failures against a known
    account are recorded (``SignInFailed``) before raising. With ``require_membership``, an
    account with no current membership (removed everywhere, or an auditor outside their
    window) is refused exactly like a wrong password: the answer must not tell that the
    password was right.
    """
    async with database.transaction(None) as tx:
        known_user = await identity.user_id_for_email(tx, email)
    failure: InvalidCredentials | None = None
    async with database.transaction(None) as tx:  # commits the failure count too
        try:
            user_id = await identity.authenticate(tx, email, password, now=now)
        except InvalidCredentials as exc:
            failure = exc
    if failure is not None:
        if known_user is not None:
            async with database.transaction(None) as tx:
                memberships = await identity.memberships_of(tx, known_user)
            reason: FailureReason = (
                "locked" if isinstance(failure, AccountLocked) else "wrong_password"
            )
            await record_access(
                database,
                store,
                known_user,
                memberships,
                lambda: SignInFailed(user_id=known_user, reason=reason),
                request_id,
            )
        raise failure
    async with database.transaction(None) as tx:
        memberships = await identity.memberships_of(tx, user_id)
    if require_membership and not memberships:
        raise InvalidCredentials(identity.NOT_RIGHT)
    await record_access(
        database,
        store,
        user_id,
        memberships,
        lambda: UserSignedIn(user_id=user_id, method="password"),
        request_id,
    )
    return user_id, memberships


async def sign_out(
    database: Database,
    store: EventStore,
    *,
    user_id: UUID,
    membership: Membership,
    request_id: str | None = None,
) -> None:
    await record_access(
        database, store, user_id, [membership], lambda: UserSignedOut(user_id=user_id), request_id
    )


class Invited(msgspec.Struct, frozen=True, kw_only=True):
    invitation_id: UUID
    email: str
    role: Role
    expires_at: datetime
    token: str
    """The secret of the invitation link; shown once, stored only as a hash."""


async def invite_member(
    tx: Tx,
    store: EventStore,
    *,
    email: str,
    role: Role,
    by_role: Role,
    person_id: UUID | None = None,
    access_until: datetime | None = None,
    metadata: Metadata | None = None,
) -> Invited:
    """Invite ``email`` to join the transaction's organisation with ``role``, optionally as the
    account of an existing staff record ``person_id``."""
    token = secrets.token_urlsafe(32)
    command = InviteMember(
        email=identity.normalise_email(email),
        role=role,
        token_hash=secret_hash(token),
        by_role=by_role,
        person_id=person_id,
        access_until=access_until,
    )
    [recorded] = await change_organisation(tx, store, command, metadata)
    invited = store.decode(recorded)
    assert isinstance(invited, MemberInvited)
    return Invited(
        invitation_id=invited.invitation_id,
        email=invited.email,
        role=invited.role,
        expires_at=invited.expires_at,
        token=token,
    )


async def accept_invitation(
    database: Database,
    store: EventStore,
    *,
    token: str,
    password: str,
    now: datetime,
    request_id: str | None = None,
) -> tuple[UUID, UUID]:
    """Join the organisation of an invitation link; return (tenant id, user id).

    A new address gets an account with ``password``; an existing account must give its own
    password. Raises ``InvitationNotFound`` for an unknown link.
    """
    async with database.transaction(None) as tx:
        await tx.pg.execute(
            "SELECT set_config('app.invitation_token_hash', $1, true)", secret_hash(token)
        )
        found = await tx.pg.fetchrow(
            "SELECT tenant_id, invitation_id, email FROM invitations WHERE token_hash = $1",
            secret_hash(token),
        )
        known_user = None if found is None else await identity.user_id_for_email(tx, found["email"])
    if found is None:
        raise InvitationNotFound("this invitation link is not valid")
    if known_user is not None:
        user_id, _ = await sign_in(
            database,
            store,
            email=found["email"],
            password=password,
            now=now,
            request_id=request_id,
            require_membership=False,  # joining is how an account without one gets one
        )
    async with database.transaction(found["tenant_id"]) as tx:
        if known_user is None:
            user_id = await identity.create_user(tx, found["email"], password)
        await change_organisation(
            tx,
            store,
            AcceptInvitation(
                invitation_id=found["invitation_id"], user_id=user_id, email=found["email"]
            ),
            Metadata(actor_id=str(user_id), request_id=request_id),
        )
    return found["tenant_id"], user_id


MAX_RECORDED_QUERY = 8192
"""The longest query string an auditor may send: what they read is recorded whole, so a longer
one is refused rather than recorded in part (common servers cap a request line near 8 KiB)."""


async def record_auditor_read(
    tx: Tx, store: EventStore, *, user_id: UUID, path: str, query: str
) -> None:
    """Append what an auditor is reading to their access stream, in the reading transaction:
    the path and the query whole, never cut (the caller refuses a query longer than
    ``MAX_RECORDED_QUERY`` before reading)."""
    await store.append(
        tx,
        access_stream(user_id),
        [AuditorRead(user_id=user_id, path=path, query=query)],
        expected_version=ANY_VERSION,
        event_ids=[uuid4()],
        metadata=Metadata(actor_id=str(user_id), actor_role="auditor"),
    )
