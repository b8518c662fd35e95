"""The organisation's use cases: invite (and list and revoke invitations), accept an invitation,
list the members, change a member's role or an auditor's window, remove a member; and a member's
own mail preferences in the organisation.

Owners and admins manage; what an admin may not do (invite or change owners and admins, grant
auditor access) the organisation's decisions refuse, weighing the actor's role. Reads of the
organisation are for owners, admins and auditors.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import available_timezones

import msgspec

from domain.organisations.organisation import (
    ChangeAuditorAccess,
    ChangeMemberRole,
    ChoosePendingCreditsCounting,
    ChooseTimeZone,
    Member,
    Organisation,
    RemoveMember,
    RevokeInvitation,
    Role,
    UnknownTimeZone,
)
from services.core.application import Actor, NotFound, UnitOfWork
from services.core.billing.standing import require_employer_features
from services.core.organisation import handlers as org
from services.core.organisation import invitations as staff_invitations
from services.core.organisation import queries
from services.core.organisation.invitations import NewStaff, SentInvitation
from services.core.organisation.queries import Invitation, MemberView
from services.core.policy import MANAGERS, READERS, require_role


class Invite(msgspec.Struct, frozen=True, kw_only=True):
    """Invite ``email`` with ``role`` (auditors until ``access_until``), as the account of the
    staff record ``person_id`` or of a new one made of ``staff`` (at most one of the two)."""

    email: str
    role: Role = "employee"
    person_id: UUID | None = None
    staff: NewStaff | None = None
    access_until: datetime | None = None


class GiveRole(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    role: Role


class SetAuditorAccess(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    access_until: datetime | None
    """The new end of the auditor's window; None (or a past moment) ends it now."""


class EndMembership(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    reason: str
    """Why the member's access ends; kept in the history."""


def deciding_role(actor: Actor) -> Role:
    """The role the organisation's decisions weigh the actor's change by (the system acts as an
    owner)."""
    return "owner" if actor.role == "system" else actor.role


async def invite(uow: UnitOfWork, command: Invite) -> SentInvitation:
    """Invite someone (see ``Invite``); the result holds the invitation mail, to send once the
    unit of work has committed (the link's secret exists only in it). Admins invite employees,
    owners any role; a new staff record is created in the same transaction."""
    require_role(uow.actor, *MANAGERS)
    await require_employer_features(uow)
    return await staff_invitations.invite(
        uow.command(),
        uow.settings,
        email=command.email,
        role=command.role,
        by_role=deciding_role(uow.actor),
        person_id=command.person_id,
        staff=command.staff,
        access_until=command.access_until,
    )


async def list_invitations(uow: UnitOfWork, _: None) -> list[Invitation]:
    """Every invitation of the organisation, newest first."""
    require_role(uow.actor, *MANAGERS)
    return await queries.invitations(uow.tx)


async def open_invitations(uow: UnitOfWork, _: None) -> list[Invitation]:
    """The invitations whose link still works (pending, not expired), newest first."""
    now = uow.now()
    return [
        found
        for found in await list_invitations(uow, None)
        if found.status == "pending" and found.expires_at > now
    ]


async def revoke_invitation(uow: UnitOfWork, invitation_id: UUID) -> None:
    """Revoke an open invitation; its link stops working."""
    require_role(uow.actor, *MANAGERS)
    await org.change_organisation(
        uow.command(),
        RevokeInvitation(invitation_id=invitation_id, by_role=deciding_role(uow.actor)),
    )


async def list_members(uow: UnitOfWork, _: None) -> list[MemberView]:
    """Everyone with access to the organisation, auditors with their access window."""
    require_role(uow.actor, *READERS)
    return await queries.members(uow.tx)


async def organisation(uow: UnitOfWork, _: None) -> Organisation:
    """The organisation as its history says it is now: members, invitations, settings."""
    require_role(uow.actor, *READERS)
    return await queries.organisation_state(uow.tx, uow.store)


async def member(uow: UnitOfWork, user_id: UUID) -> Member:
    """The member ``user_id`` (``NotFound`` when this organisation has none)."""
    found = (await organisation(uow, None)).members.get(user_id)
    if found is None:
        raise NotFound("no such member in this organisation")
    return found


async def change_role(uow: UnitOfWork, command: GiveRole) -> None:
    """Change a member's role. Owners manage admins and owners; admins manage employees; the
    organisation keeps at least one owner."""
    require_role(uow.actor, *MANAGERS)
    await org.change_organisation(
        uow.command(),
        ChangeMemberRole(
            user_id=command.user_id, role=command.role, by_role=deciding_role(uow.actor)
        ),
    )


async def change_auditor_access(uow: UnitOfWork, command: SetAuditorAccess) -> None:
    """Extend an auditor's window, or end it now (owners)."""
    require_role(uow.actor, "owner")
    await org.change_organisation(
        uow.command(),
        ChangeAuditorAccess(
            user_id=command.user_id,
            access_until=command.access_until or uow.now(),
            by_role=deciding_role(uow.actor),
        ),
    )


class SetTimeZone(msgspec.Struct, frozen=True, kw_only=True):
    time_zone: str


async def choose_time_zone(uow: UnitOfWork, command: SetTimeZone) -> None:
    """Choose the time zone the organisation's pages show times in (owners and admins); a
    name the zone database does not know is refused."""
    require_role(uow.actor, *MANAGERS)
    zone = command.time_zone.strip()
    if zone not in available_timezones():
        raise UnknownTimeZone(f"{zone[:64]!r} is not a time zone name, like America/Chicago")
    await org.change_organisation(
        uow.command(), ChooseTimeZone(time_zone=zone, by_role=deciding_role(uow.actor))
    )


class CountPendingCredits(msgspec.Struct, frozen=True, kw_only=True):
    count_pending: bool


async def choose_pending_counting(uow: UnitOfWork, command: CountPendingCredits) -> None:
    """Choose whether credits awaiting a certificate check count toward compliance (owners).
    Every status is computed on read with the organisation's choice, so it applies at once."""
    require_role(uow.actor, "owner")
    await org.change_organisation(
        uow.command(),
        ChoosePendingCreditsCounting(
            count_pending=command.count_pending, by_role=deciding_role(uow.actor)
        ),
    )


async def remove_member(uow: UnitOfWork, command: EndMembership) -> None:
    """End a membership now: the member's sessions and API tokens in this organisation end in
    the same transaction; their other organisations, their staff record and every event stay.
    Owners remove anyone, admins employees only; the last owner stays."""
    require_role(uow.actor, *MANAGERS)
    await org.remove_member(
        uow.command(),
        RemoveMember(
            user_id=command.user_id, by_role=deciding_role(uow.actor), reason=command.reason
        ),
        now=uow.now(),
    )
