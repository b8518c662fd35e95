"""Opening an organisation, invitations, removing members, signing in and out, and the access
events they record."""

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
)
from domain.organisations.organisation import (
    AcceptInvitation,
    AlreadyInvited,
    ChangeAuditorAccess,
    ChangeMemberRole,
    ChoosePendingCreditsCounting,
    ChooseTimeZone,
    InvitationNotFound,
    InviteMember,
    MemberAdded,
    MemberInvited,
    OpenOrganisation,
    PersonInactive,
    RemoveMember,
    RevokeInvitation,
    Role,
    UnknownPerson,
    check_slug,
    decide_accept_invitation,
    decide_change_auditor_access,
    decide_change_member_role,
    decide_choose_pending_counting,
    decide_choose_time_zone,
    decide_invite_member,
    decide_open_organisation,
    decide_remove_member,
    decide_revoke_invitation,
)
from domain.shared.errors import DomainError
from domain.shared.event import Event
from services.core.accounts import identity
from services.core.accounts.identity import AccountLocked, InvalidCredentials, Membership
from services.core.accounts.work import AccountWork
from services.core.aggregates import ORGANISATION, ORGANISATION_STREAM, PERSON
from services.core.db import Database, Tx
from services.core.eventsourcing.commands import CommandContext, Context, Decider, record_fact
from services.core.eventsourcing.store import EventStore, Metadata, RecordedEvent, UnitOfWork
from services.core.hashing import secret_hash
from services.core.stream_ids import access_stream

OrganisationCommand = (
    InviteMember
    | AcceptInvitation
    | RevokeInvitation
    | ChangeMemberRole
    | ChangeAuditorAccess
    | ChooseTimeZone
    | ChoosePendingCreditsCounting
    | RemoveMember
)

ORGANISATION_COMMANDS: dict[type[OrganisationCommand], Decider] = {
    InviteMember: decide_invite_member,
    AcceptInvitation: decide_accept_invitation,
    RevokeInvitation: decide_revoke_invitation,
    ChangeMemberRole: decide_change_member_role,
    ChangeAuditorAccess: decide_change_auditor_access,
    ChooseTimeZone: decide_choose_time_zone,
    ChoosePendingCreditsCounting: decide_choose_pending_counting,
    RemoveMember: decide_remove_member,
}


async def change_organisation(
    context: Context, command: OrganisationCommand
) -> list[RecordedEvent]:
    """Run an organisation command on the transaction tenant's organisation stream (a
    ``RemoveMember`` goes through ``remove_member``, which also ends the member's access); a
    retry with the same command id returns what the first run recorded."""
    tenant_id, decide = context.tx.require_tenant(), ORGANISATION_COMMANDS[type(command)]
    return await ORGANISATION.execute(context, tenant_id, decide, command)


async def remove_member(
    context: CommandContext[Tx], command: RemoveMember, *, now: datetime
) -> list[RecordedEvent]:
    """End a membership (see ``decide_remove_member``) and, in the same transaction, the
    member's sessions and API tokens in this organisation; their other organisations are
    untouched. Returns the recorded ``MemberRemoved``."""
    recorded = await change_organisation(context, command)
    await end_member_access(context.tx, command.user_id, now=now)
    return recorded


async def end_member_access(tx: Tx, user_id: UUID, *, now: datetime) -> None:
    """Delete ``user_id``'s sessions in the transaction's organisation and revoke their API
    tokens there (``MemberRemoved`` stands for both in the history)."""
    tenant_id = tx.require_tenant()
    await tx.pg.execute(
        "DELETE FROM sessions WHERE convert_from(value, 'UTF8')::jsonb ->> 'user_id' = $1"
        " AND convert_from(value, 'UTF8')::jsonb ->> 'tenant_id' = $2",
        str(user_id),
        str(tenant_id),
    )
    await revoke_api_tokens(tx, tenant_id, user_id, now=now)


async def revoke_api_tokens(tx: Tx, tenant_id: UUID, user_id: UUID, *, now: datetime) -> None:
    """Revoke, as of ``now``, every API token of ``user_id`` in ``tenant_id`` not yet revoked."""
    await tx.pg.execute(
        "UPDATE api_tokens SET revoked_at = $3"
        " WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL",
        tenant_id,
        user_id,
        now,
    )


async def _check_person(tx: UnitOfWork, store: EventStore, person_id: UUID) -> None:
    """Refuse a staff record that is not registered here (``UnknownPerson``) or deactivated
    (``PersonInactive``)."""
    found = await PERSON.load(tx, store, person_id)
    if found is None:
        raise UnknownPerson("there is no staff record with this person_id in the organisation")
    if not found.active:
        raise PersonInactive("this staff record is deactivated; reactivate it to invite them")


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
    work: AccountWork,
    user_id: UUID,
    memberships: list[Membership],
    event: Callable[[], Event],
) -> None:
    """Append an access event to the user's access stream in every organisation they belong to."""
    for membership in memberships:
        async with work.transaction(membership.tenant_id) as tx:
            await record_fact(
                tx,
                work.store,
                access_stream(user_id),
                event(),
                metadata=Metadata(
                    actor_id=str(user_id),
                    actor_role=membership.role,
                    request_id=work.visitor.request_id,
                ),
            )


async def sign_in(
    work: AccountWork, *, email: str, password: str, require_membership: bool = True
) -> tuple[UUID, list[Membership]]:
    """Authenticate and record the outcome in each of the user's organisations.

    Raises ``InvalidCredentials`` (``AccountLocked`` when locked); failures against a known
    account are recorded (``SignInFailed``) before raising. With ``require_membership``, an
    account with no current membership (removed everywhere, or an auditor outside their
    window) is refused exactly like a wrong password: the answer must not tell that the
    password was right.
    """
    async with work.transaction(None) as tx:
        known_user = await identity.user_id_for_email(tx, email)
    failure: InvalidCredentials | None = None
    async with work.transaction(None) as tx:  # commits the failure count too
        try:
            user_id = await identity.authenticate(tx, email, password, now=work.now())
        except InvalidCredentials as exc:
            failure = exc
    if failure is not None:
        if known_user is not None:
            async with work.transaction(None) as tx:
                memberships = await identity.memberships_of(tx, known_user)
            reason: FailureReason = (
                "locked" if isinstance(failure, AccountLocked) else "wrong_password"
            )
            await record_access(
                work,
                known_user,
                memberships,
                lambda: SignInFailed(user_id=known_user, reason=reason),
            )
        raise failure
    async with work.transaction(None) as tx:
        memberships = await identity.memberships_of(tx, user_id)
    if require_membership and not memberships:
        raise InvalidCredentials(identity.NOT_RIGHT)
    await record_access(
        work, user_id, memberships, lambda: UserSignedIn(user_id=user_id, method="password")
    )
    return user_id, memberships


class Invited(msgspec.Struct, frozen=True, kw_only=True):
    invitation_id: UUID
    email: str
    role: Role
    expires_at: datetime
    token: str
    """The secret of the invitation link; shown once, stored only as a hash."""


async def invite_member(
    context: Context,
    *,
    email: str,
    role: Role,
    by_role: Role,
    person_id: UUID | None = None,
    access_until: datetime | None = None,
) -> Invited:
    """Invite ``email`` to join the transaction's organisation with ``role``, optionally as the
    account of an existing, active staff record ``person_id`` that has no account yet. A retry
    of the context's command whose first run was recorded raises ``AlreadyInvited``: that run
    sent the link, whose secret is not kept and so cannot be given again."""
    if person_id is not None:
        await _check_person(context.tx, context.store, person_id)
    token = secrets.token_urlsafe(32)
    command = InviteMember(
        email=identity.normalise_email(email),
        role=role,
        token_hash=secret_hash(token),
        by_role=by_role,
        person_id=person_id,
        access_until=access_until,
    )
    [recorded] = await change_organisation(context, command)
    invited = context.store.decode(recorded)
    assert isinstance(invited, MemberInvited)
    if invited.token_hash != command.token_hash:
        raise AlreadyInvited(f"{invited.email} was invited by this same request already")
    return Invited(
        invitation_id=invited.invitation_id,
        email=invited.email,
        role=invited.role,
        expires_at=invited.expires_at,
        token=token,
    )


async def accept_invitation(work: AccountWork, *, token: str, password: str) -> tuple[UUID, UUID]:
    """Join the organisation of an invitation link; return (tenant id, user id).

    A new address gets an account with ``password``; an existing account must give its own
    password. Raises ``InvitationNotFound`` for an unknown link. The link is single-use: only
    a retry of the same command (a form sent twice, same command ids) is answered as the first
    was.
    """
    async with work.transaction(None) as tx:
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
            work,
            email=found["email"],
            password=password,
            require_membership=False,  # joining is how an account without one gets one
        )
    async with work.transaction(found["tenant_id"]) as tx:
        if known_user is None:
            user_id = await identity.create_user(tx, found["email"], password)
        joiner = Metadata(actor_id=str(user_id), request_id=work.visitor.request_id)
        accepted = await change_organisation(
            CommandContext(tx, work.store, work.next_command_id(), joiner),
            AcceptInvitation(
                invitation_id=found["invitation_id"], user_id=user_id, email=found["email"]
            ),
        )
        for added in map(work.store.decode, accepted):
            if isinstance(added, MemberAdded) and added.person_id is not None:
                await _check_person(tx, work.store, added.person_id)
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
    await record_fact(
        tx,
        store,
        access_stream(user_id),
        AuditorRead(user_id=user_id, path=path, query_string=query),
        metadata=Metadata(actor_id=str(user_id), actor_role="auditor"),
    )
