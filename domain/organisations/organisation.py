"""The organisation aggregate: an employer account (the tenant) and its members' roles.

Roles: ``owner`` manages everything including admins, auditors and billing; ``admin`` manages
staff and reviews certificates; ``auditor`` reads everything and changes nothing; ``employee``
sees and changes only their own record. Deciders are pure and refuse with ``OrganisationRefused``.

A member acts on one staff record (``Member.person_id``) and a staff record has at most one
member account: an invitation naming a person already linked (or invited) is refused, and so is
accepting one for a person linked since. Removing a member (``RemoveMember``; also what
deactivating their staff record does) ends their membership; the history stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import msgspec

from domain.shared.errors import DomainError
from domain.shared.event import Event

Role = Literal["owner", "admin", "auditor", "employee"]
ROLES: tuple[Role, ...] = ("owner", "admin", "auditor", "employee")
PRIVILEGED_ROLES: frozenset[Role] = frozenset({"owner", "admin", "auditor"})
"""Roles only an owner may grant or take away."""

INVITATION_LIFETIME = timedelta(days=7)
LONGEST_AUDIT = timedelta(days=366)
IdFactory = Callable[[], UUID]
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?")


class Member(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    email: str
    role: Role
    person_id: UUID
    """The staff record the member acts on as themselves."""
    access_until: datetime | None = None
    """Auditors only: their access ends at this moment."""


InvitationStatus = Literal["pending", "accepted", "revoked"]


class AccessGrant(msgspec.Struct, frozen=True, kw_only=True):
    """Whom access is given to and as what, as an invitation and a new membership carry it."""

    email: str
    role: Role
    person_id: UUID | None = None
    """The staff record they will act on as themselves; ``None``: a record of their own."""
    access_until: datetime | None = None
    """Required for auditors (their access ends then), refused for other roles."""

    def granted(self) -> dict[str, Any]:
        """The grant's fields alone, to pass on to another struct that carries a grant."""
        return {name: getattr(self, name) for name in AccessGrant.__struct_fields__}


class Invitation(AccessGrant, frozen=True, kw_only=True):
    invitation_id: UUID
    expires_at: datetime
    status: InvitationStatus = "pending"


class Organisation(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: UUID
    name: str
    slug: str
    members: dict[UUID, Member] = msgspec.field(default_factory=dict)
    invitations: dict[UUID, Invitation] = msgspec.field(default_factory=dict)
    time_zone: str = "UTC"
    """The IANA time zone the organisation's pages show times in (``TimeZoneChosen``)."""
    count_pending_credits: bool = False
    """Whether credits whose certificate is not verified yet count toward compliance
    (``PendingCreditsCountingChosen``); by default they do not."""

    def member_by_email(self, email: str) -> Member | None:
        return next((m for m in self.members.values() if same_email(m.email, email)), None)

    def owners(self) -> list[UUID]:
        return [m.user_id for m in self.members.values() if m.role == "owner"]


# --- events ------------------------------------------------------------------------------------


class OrganisationOpened(Event, frozen=True, kw_only=True, tag="organisations.OrganisationOpened"):
    organisation_id: UUID
    name: str
    slug: str


class MemberAdded(Event, AccessGrant, frozen=True, kw_only=True, tag="organisations.MemberAdded"):
    """``person_id`` links the member to a staff record; ``None``: their own, ``user_id``."""

    user_id: UUID


class MemberRoleChanged(Event, frozen=True, kw_only=True, tag="organisations.MemberRoleChanged"):
    user_id: UUID
    role: Role
    previous_role: Role


class MemberInvited(
    Event, AccessGrant, frozen=True, kw_only=True, tag="organisations.MemberInvited"
):
    """``token_hash`` is the SHA-256 of the secret in the invitation link (never the secret)."""

    invitation_id: UUID
    token_hash: str
    expires_at: datetime


class MemberRemoved(Event, frozen=True, kw_only=True, tag="organisations.MemberRemoved"):
    """The member's access ended (removed, or their staff record deactivated); their sessions
    and API tokens in this organisation ended with it. Their history stays."""

    user_id: UUID
    reason: str


class InvitationAccepted(Event, frozen=True, kw_only=True, tag="organisations.InvitationAccepted"):
    invitation_id: UUID
    user_id: UUID


class InvitationRevoked(Event, frozen=True, kw_only=True, tag="organisations.InvitationRevoked"):
    invitation_id: UUID


class AuditorAccessChanged(
    Event, frozen=True, kw_only=True, tag="organisations.AuditorAccessChanged"
):
    """An owner extended, shortened or ended (``access_until`` = now) an auditor's window."""

    user_id: UUID
    access_until: datetime


class TimeZoneChosen(Event, frozen=True, kw_only=True, tag="organisations.TimeZoneChosen"):
    """The time zone the organisation's pages show times in, from now on (an IANA name)."""

    time_zone: str


class PendingCreditsCountingChosen(
    Event, frozen=True, kw_only=True, tag="organisations.PendingCreditsCountingChosen"
):
    """An owner chose whether credits awaiting a certificate check count toward compliance
    statuses (they always show, as pending). Every status is computed with it from then on."""

    count_pending: bool


ORGANISATION_EVENTS: list[type[Event]] = [
    OrganisationOpened,
    MemberAdded,
    MemberRoleChanged,
    MemberRemoved,
    MemberInvited,
    InvitationAccepted,
    InvitationRevoked,
    AuditorAccessChanged,
    TimeZoneChosen,
    PendingCreditsCountingChosen,
]


# --- commands ----------------------------------------------------------------------------------


class OpenOrganisation(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: UUID
    name: str
    slug: str
    owner_user_id: UUID
    owner_email: str


class ChangeMemberRole(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    role: Role
    by_role: Role


class InviteMember(AccessGrant, frozen=True, kw_only=True):
    token_hash: str
    by_role: Role


class RemoveMember(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    by_role: Role
    reason: str


class ChangeAuditorAccess(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    access_until: datetime
    by_role: Role


class ChooseTimeZone(msgspec.Struct, frozen=True, kw_only=True):
    time_zone: str
    by_role: Role


class ChoosePendingCreditsCounting(msgspec.Struct, frozen=True, kw_only=True):
    count_pending: bool
    by_role: Role


class AcceptInvitation(msgspec.Struct, frozen=True, kw_only=True):
    invitation_id: UUID
    user_id: UUID
    email: str


class RevokeInvitation(msgspec.Struct, frozen=True, kw_only=True):
    invitation_id: UUID
    by_role: Role


# --- refusals ----------------------------------------------------------------------------------


class OrganisationRefused(DomainError): ...


class InvalidOrganisation(OrganisationRefused): ...


class OrganisationAlreadyOpened(OrganisationRefused):
    code = "organisation_exists"


class OrganisationNotOpened(OrganisationRefused):
    code = "organisation_not_found"


class UnknownTimeZone(OrganisationRefused): ...


class RoleNotAllowed(OrganisationRefused): ...


class AlreadyMember(OrganisationRefused): ...


class NotAMember(OrganisationRefused): ...


class LastOwner(OrganisationRefused): ...


class InvitationNotFound(OrganisationRefused): ...


class InvitationClosed(OrganisationRefused):
    """Accepted, revoked or expired: the link no longer works."""


class AlreadyInvited(OrganisationRefused): ...


class InvitationForSomeoneElse(OrganisationRefused): ...


class PersonAlreadyLinked(OrganisationRefused):
    """The staff record already has a member account here (at most one per organisation)."""


class PersonAlreadyInvited(OrganisationRefused): ...


class UnknownPerson(OrganisationRefused):
    """The invitation names a staff record this organisation does not have."""


class PersonInactive(OrganisationRefused):
    """The invitation names a deactivated staff record."""

    code = "person_deactivated"


class ReasonRequired(OrganisationRefused): ...


class InvalidAccessWindow(OrganisationRefused): ...


# --- deciders ----------------------------------------------------------------------------------


def check_slug(slug: str) -> str:
    """The slug if it is 1-50 lowercase letters, digits and inner hyphens."""
    if not _SLUG.fullmatch(slug):
        raise InvalidOrganisation(
            "the URL name must be 1 to 50 lowercase letters, digits or hyphens,"
            " starting and ending with a letter or digit"
        )
    return slug


def decide_open_organisation(state: Organisation | None, command: OpenOrganisation) -> list[Event]:
    if state is not None:
        raise OrganisationAlreadyOpened("this organisation is already open")
    name = command.name.strip()
    if not 2 <= len(name) <= 120:
        raise InvalidOrganisation("the organisation name must be 2 to 120 characters")
    return [
        OrganisationOpened(
            organisation_id=command.organisation_id, name=name, slug=check_slug(command.slug)
        ),
        MemberAdded(user_id=command.owner_user_id, email=command.owner_email, role="owner"),
    ]


def _may_grant(by_role: Role, role: Role) -> None:
    if by_role not in ("owner", "admin"):
        raise RoleNotAllowed(f"a {by_role} cannot manage members")
    if role in PRIVILEGED_ROLES and by_role != "owner":
        raise RoleNotAllowed(f"only an owner can grant or remove the {role} role")


def decide_change_member_role(
    state: Organisation | None, command: ChangeMemberRole, *, now: datetime, ids: IdFactory
) -> list[Event]:
    organisation = _opened(state)
    member = organisation.members.get(command.user_id)
    if member is None:
        raise NotAMember("no such member in this organisation")
    if member.role == command.role:
        return []
    _may_grant(command.by_role, command.role)
    _may_grant(command.by_role, member.role)
    if "auditor" in (command.role, member.role):
        raise InvalidAccessWindow(
            "auditor access is granted by invitation with an end date, not by a role change"
        )
    if member.role == "owner" and organisation.owners() == [member.user_id]:
        raise LastOwner("an organisation keeps at least one owner")
    return [MemberRoleChanged(user_id=member.user_id, role=command.role, previous_role=member.role)]


def same_email(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def decide_invite_member(
    state: Organisation | None, command: InviteMember, *, now: datetime, ids: IdFactory
) -> list[Event]:
    organisation = _opened(state)
    _may_grant(command.by_role, command.role)
    _check_access_window(command.role, command.access_until, now)
    if organisation.member_by_email(command.email):
        raise AlreadyMember("this person is already a member of the organisation")
    if any(
        same_email(i.email, command.email) and _is_open(i, now)
        for i in organisation.invitations.values()
    ):
        raise AlreadyInvited("this person has an open invitation; revoke it to send a new one")
    if command.person_id is not None:
        _check_unlinked(organisation, command.person_id)
        if any(
            i.person_id == command.person_id and _is_open(i, now)
            for i in organisation.invitations.values()
        ):
            raise PersonAlreadyInvited(
                "this staff record has an open invitation; revoke it to send a new one"
            )
    grant = msgspec.structs.replace(command, email=command.email.strip()).granted()
    expires_at = now + INVITATION_LIFETIME
    token_hash = command.token_hash
    return [
        MemberInvited(invitation_id=ids(), token_hash=token_hash, expires_at=expires_at, **grant)
    ]


def decide_accept_invitation(
    state: Organisation | None, command: AcceptInvitation, *, now: datetime, ids: IdFactory
) -> list[Event]:
    organisation = _opened(state)
    invitation = _invitation(organisation, command.invitation_id)
    if not _is_open(invitation, now):
        raise InvitationClosed("this invitation has been used, revoked or has expired")
    if not same_email(invitation.email, command.email):
        raise InvitationForSomeoneElse("this invitation was sent to another email address")
    if command.user_id in organisation.members:
        raise AlreadyMember("you are already a member of this organisation")
    _check_unlinked(organisation, invitation.person_id or command.user_id)
    return [
        InvitationAccepted(invitation_id=invitation.invitation_id, user_id=command.user_id),
        MemberAdded(user_id=command.user_id, **invitation.granted()),
    ]


def decide_remove_member(
    state: Organisation | None, command: RemoveMember, *, now: datetime, ids: IdFactory
) -> list[Event]:
    """End a membership: owners remove anyone, admins employees only; an organisation keeps at
    least one owner. The caller ends the member's sessions and tokens in the same transaction."""
    organisation = _opened(state)
    member = organisation.members.get(command.user_id)
    if member is None:
        raise NotAMember("no such member in this organisation")
    _may_grant(command.by_role, member.role)
    if member.role == "owner" and organisation.owners() == [member.user_id]:
        raise LastOwner("an organisation keeps at least one owner")
    reason = command.reason.strip()
    if not reason:
        raise ReasonRequired("say why the member is removed; it stays in the history")
    return [MemberRemoved(user_id=member.user_id, reason=reason)]


def _check_unlinked(organisation: Organisation, person_id: UUID) -> None:
    if any(m.person_id == person_id for m in organisation.members.values()):
        raise PersonAlreadyLinked(
            "this staff record already has a member account in the organisation"
        )


def decide_revoke_invitation(
    state: Organisation | None, command: RevokeInvitation, *, now: datetime, ids: IdFactory
) -> list[Event]:
    organisation = _opened(state)
    invitation = _invitation(organisation, command.invitation_id)
    _may_grant(command.by_role, invitation.role)
    if invitation.status != "pending":
        raise InvitationClosed("this invitation has already been used or revoked")
    return [InvitationRevoked(invitation_id=invitation.invitation_id)]


def decide_change_auditor_access(
    state: Organisation | None, command: ChangeAuditorAccess, *, now: datetime, ids: IdFactory
) -> list[Event]:
    """Owners extend or end an auditor's window (ending: ``access_until`` = now)."""
    organisation = _opened(state)
    if command.by_role != "owner":
        raise RoleNotAllowed("only an owner grants or ends auditor access")
    member = organisation.members.get(command.user_id)
    if member is None or member.role != "auditor":
        raise NotAMember("no such auditor in this organisation")
    until = max(command.access_until, now)
    if until - now > LONGEST_AUDIT:
        raise InvalidAccessWindow("auditor access lasts at most a year at a time")
    return [AuditorAccessChanged(user_id=member.user_id, access_until=until)]


def decide_choose_pending_counting(
    state: Organisation | None,
    command: ChoosePendingCreditsCounting,
    *,
    now: datetime,
    ids: IdFactory,
) -> list[Event]:
    """Owners choose whether pending credits count; choosing what holds already is no event."""
    organisation = _opened(state)
    if command.by_role != "owner":
        raise RoleNotAllowed("only an owner chooses whether pending credits count")
    if organisation.count_pending_credits == command.count_pending:
        return []
    return [PendingCreditsCountingChosen(count_pending=command.count_pending)]


def _check_access_window(role: Role, access_until: datetime | None, now: datetime) -> None:
    if role != "auditor":
        if access_until is not None:
            raise InvalidAccessWindow("only auditor access has an end date")
        return
    if access_until is None or access_until <= now:
        raise InvalidAccessWindow("auditor access needs an end date in the future")
    if access_until - now > LONGEST_AUDIT:
        raise InvalidAccessWindow("auditor access lasts at most a year at a time")


def _is_open(invitation: Invitation, now: datetime) -> bool:
    return invitation.status == "pending" and now < invitation.expires_at


def _invitation(organisation: Organisation, invitation_id: UUID) -> Invitation:
    try:
        return organisation.invitations[invitation_id]
    except KeyError:
        raise InvitationNotFound("no such invitation in this organisation") from None


_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*")


def decide_choose_time_zone(
    state: Organisation | None, command: ChooseTimeZone, *, now: datetime, ids: IdFactory
) -> list[Event]:
    """Owners and admins choose the time zone (an IANA name, checked against the zone database
    by the caller); choosing the one in force is no event."""
    organisation = _opened(state)
    if command.by_role not in ("owner", "admin"):
        raise RoleNotAllowed("only an owner or an admin chooses the time zone")
    if len(command.time_zone) > 64 or not _ZONE_NAME.fullmatch(command.time_zone):
        raise UnknownTimeZone(f"{command.time_zone[:64]!r} is not a time zone name")
    if command.time_zone == organisation.time_zone:
        return []
    return [TimeZoneChosen(time_zone=command.time_zone)]


def _opened(state: Organisation | None) -> Organisation:
    if state is None:
        raise OrganisationNotOpened("no such organisation")
    return state


def evolve(state: Organisation | None, event: Event) -> Organisation:
    match event:
        case OrganisationOpened(organisation_id=oid, name=name, slug=slug):
            return Organisation(organisation_id=oid, name=name, slug=slug)
        case MemberAdded(user_id=user_id, email=email, role=role, access_until=access_until):
            member = Member(
                user_id=user_id,
                email=email,
                role=role,
                person_id=event.person_id or user_id,
                access_until=access_until,
            )
            return _with_member(_opened(state), member)
        case MemberRemoved(user_id=user_id):
            organisation = _opened(state)
            members = {k: m for k, m in organisation.members.items() if k != user_id}
            return msgspec.structs.replace(organisation, members=members)
        case MemberRoleChanged(user_id=user_id, role=role):
            organisation = _opened(state)
            member = msgspec.structs.replace(organisation.members[user_id], role=role)
            return _with_member(organisation, member)
        case TimeZoneChosen(time_zone=zone):
            return msgspec.structs.replace(_opened(state), time_zone=zone)
        case PendingCreditsCountingChosen(count_pending=count_pending):
            return msgspec.structs.replace(_opened(state), count_pending_credits=count_pending)
        case AuditorAccessChanged(user_id=user_id, access_until=until):
            organisation = _opened(state)
            member = msgspec.structs.replace(organisation.members[user_id], access_until=until)
            return _with_member(organisation, member)
        case MemberInvited(invitation_id=iid, expires_at=expires_at) as invited:
            invitation = Invitation(invitation_id=iid, expires_at=expires_at, **invited.granted())
            return _with_invitation(_opened(state), invitation)
        case InvitationAccepted(invitation_id=iid):
            organisation = _opened(state)
            accepted = msgspec.structs.replace(organisation.invitations[iid], status="accepted")
            return _with_invitation(organisation, accepted)
        case InvitationRevoked(invitation_id=iid):
            organisation = _opened(state)
            revoked = msgspec.structs.replace(organisation.invitations[iid], status="revoked")
            return _with_invitation(organisation, revoked)
    raise TypeError(f"not an organisation event: {type(event).__name__}")


def _with_member(organisation: Organisation, member: Member) -> Organisation:
    return msgspec.structs.replace(
        organisation, members={**organisation.members, member.user_id: member}
    )


def _with_invitation(organisation: Organisation, invitation: Invitation) -> Organisation:
    return msgspec.structs.replace(
        organisation,
        invitations={**organisation.invitations, invitation.invitation_id: invitation},
    )
