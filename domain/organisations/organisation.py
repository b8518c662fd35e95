"""The organisation aggregate: an employer account (the tenant) and its members' roles.

Roles: ``owner`` manages everything including admins, auditors and billing; ``admin`` manages
staff and reviews certificates; ``auditor`` reads everything and changes nothing; ``employee``
sees and changes only their own record. Deciders are pure and refuse with ``OrganisationRefused``.
"""

from __future__ import annotations

import re
from typing import Literal
from uuid import UUID

import msgspec

from domain.shared.errors import DomainError
from domain.shared.event import Event

Role = Literal["owner", "admin", "auditor", "employee"]
ROLES: tuple[Role, ...] = ("owner", "admin", "auditor", "employee")
PRIVILEGED_ROLES: frozenset[Role] = frozenset({"owner", "admin", "auditor"})
"""Roles only an owner may grant or take away."""

_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?")


class Member(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    email: str
    role: Role


class Organisation(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: UUID
    name: str
    slug: str
    members: dict[UUID, Member] = msgspec.field(default_factory=dict)

    def owners(self) -> list[UUID]:
        return [m.user_id for m in self.members.values() if m.role == "owner"]


# --- events ------------------------------------------------------------------------------------


class OrganisationOpened(Event, frozen=True, kw_only=True, tag="organisations.OrganisationOpened"):
    organisation_id: UUID
    name: str
    slug: str


class MemberAdded(Event, frozen=True, kw_only=True, tag="organisations.MemberAdded"):
    user_id: UUID
    email: str
    role: Role


class MemberRoleChanged(Event, frozen=True, kw_only=True, tag="organisations.MemberRoleChanged"):
    user_id: UUID
    role: Role
    previous_role: Role


ORGANISATION_EVENTS: list[type[Event]] = [OrganisationOpened, MemberAdded, MemberRoleChanged]


# --- commands ----------------------------------------------------------------------------------


class OpenOrganisation(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: UUID
    name: str
    slug: str
    owner_user_id: UUID
    owner_email: str


class AddMember(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    email: str
    role: Role
    by_role: Role


class ChangeMemberRole(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    role: Role
    by_role: Role


# --- refusals ----------------------------------------------------------------------------------


class OrganisationRefused(DomainError):
    code = "organisation_refused"


class InvalidOrganisation(OrganisationRefused):
    code = "invalid_organisation"


class OrganisationAlreadyOpened(OrganisationRefused):
    code = "organisation_exists"


class OrganisationNotOpened(OrganisationRefused):
    code = "organisation_not_found"


class RoleNotAllowed(OrganisationRefused):
    code = "role_not_allowed"


class AlreadyMember(OrganisationRefused):
    code = "already_member"


class NotAMember(OrganisationRefused):
    code = "not_a_member"


class LastOwner(OrganisationRefused):
    code = "last_owner"


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


def decide_add_member(state: Organisation | None, command: AddMember) -> list[Event]:
    organisation = _opened(state)
    _may_grant(command.by_role, command.role)
    if command.user_id in organisation.members:
        raise AlreadyMember("this person is already a member of the organisation")
    return [MemberAdded(user_id=command.user_id, email=command.email, role=command.role)]


def decide_change_member_role(state: Organisation | None, command: ChangeMemberRole) -> list[Event]:
    organisation = _opened(state)
    member = organisation.members.get(command.user_id)
    if member is None:
        raise NotAMember("no such member in this organisation")
    if member.role == command.role:
        return []
    _may_grant(command.by_role, command.role)
    _may_grant(command.by_role, member.role)
    if member.role == "owner" and organisation.owners() == [member.user_id]:
        raise LastOwner("an organisation keeps at least one owner")
    return [MemberRoleChanged(user_id=member.user_id, role=command.role, previous_role=member.role)]


def _opened(state: Organisation | None) -> Organisation:
    if state is None:
        raise OrganisationNotOpened("no such organisation")
    return state


def evolve(state: Organisation | None, event: Event) -> Organisation:
    match event:
        case OrganisationOpened(organisation_id=oid, name=name, slug=slug):
            return Organisation(organisation_id=oid, name=name, slug=slug)
        case MemberAdded(user_id=user_id, email=email, role=role):
            organisation = _opened(state)
            member = Member(user_id=user_id, email=email, role=role)
            return msgspec.structs.replace(
                organisation, members={**organisation.members, user_id: member}
            )
        case MemberRoleChanged(user_id=user_id, role=role):
            organisation = _opened(state)
            member = msgspec.structs.replace(organisation.members[user_id], role=role)
            return msgspec.structs.replace(
                organisation, members={**organisation.members, user_id: member}
            )
    raise TypeError(f"not an organisation event: {type(event).__name__}")
