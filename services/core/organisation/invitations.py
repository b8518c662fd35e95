"""Inviting someone into the organisation in one transaction: the staff record the invitation is
for (created now from ``NewStaff``, or an existing ``person_id``), the invitation, and the
invitation mail to send once the transaction has committed (the link's secret exists only now).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

import msgspec

from domain.organisations.organisation import Role
from domain.people.person import RegisterPerson
from services.core.db import Tx
from services.core.eventsourcing.commands import CommandContext
from services.core.idempotency import command_sequence, new_entity_id
from services.core.mail import Message
from services.core.notifications.invitations import invitation_message
from services.core.organisation import handlers as org
from services.core.organisation.handlers import Invited
from services.core.organisation.queries import organisation_name
from services.core.people import handlers as people_handlers
from services.core.settings import Settings


class NewStaff(msgspec.Struct, frozen=True, kw_only=True):
    full_name: str
    department: str | None = None
    site: str | None = None
    employee_number: str | None = None


class SentInvitation(msgspec.Struct, frozen=True, kw_only=True):
    invited: Invited
    person_id: UUID | None
    """The staff record the invitation is for, if any."""
    message: Message
    """The invitation mail, to send after the commit."""


async def invite(
    context: CommandContext[Tx],
    settings: Settings,
    *,
    email: str,
    role: Role,
    by_role: Role,
    person_id: UUID | None = None,
    staff: NewStaff | None = None,
    access_until: datetime | None = None,
) -> SentInvitation:
    """Invite ``email`` with ``role`` (auditors until ``access_until``), for the staff record
    ``person_id`` or a new one made of ``staff`` (give at most one). Refusals are those of
    ``RegisterPerson`` and ``InviteMember``; nothing is stored when one is raised and the
    caller rolls back. The ids of what it records derive from the context's command id."""
    next_command_id = command_sequence(context.command_id)
    if staff is not None:
        registration = replace(context, command_id=next_command_id())
        person_id = new_entity_id(registration.command_id, "person")
        await people_handlers.register_person(
            registration,
            RegisterPerson(
                person_id=person_id,
                full_name=staff.full_name,
                email=email,
                department=staff.department,
                site=staff.site,
                employee_number=staff.employee_number,
            ),
        )
    invited = await org.invite_member(
        replace(context, command_id=next_command_id()),
        email=email,
        role=role,
        by_role=by_role,
        person_id=person_id,
        access_until=access_until,
    )
    message = invitation_message(
        settings, organisation=await organisation_name(context.tx), invited=invited
    )
    return SentInvitation(invited=invited, person_id=person_id, message=message)
