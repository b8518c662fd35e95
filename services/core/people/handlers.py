"""Handlers for the person aggregate (stream ``person-<person id>``).

Deactivating goes through ``deactivate_person`` only (it is not a ``PersonCommand``): it also
removes the member account linked to the record, with its sessions and tokens."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.organisations.organisation import RemoveMember, Role
from domain.people import person
from domain.people.person import (
    AddCredential,
    AddSpecialty,
    AssignPerson,
    ChangeCredentialStatus,
    DeactivatePerson,
    ReactivatePerson,
    RecordBirthMonth,
    RecordCqrCompletion,
    RecordCycleStart,
    RecordRegistryId,
    RegisterPerson,
)
from services.core.aggregates import PERSON
from services.core.db import Tx
from services.core.eventsourcing.commands import CommandContext, Context, Decider
from services.core.eventsourcing.store import RecordedEvent
from services.core.organisation.handlers import remove_member

PersonCommand = (
    RegisterPerson
    | AssignPerson
    | RecordRegistryId
    | RecordBirthMonth
    | AddCredential
    | AddSpecialty
    | ChangeCredentialStatus
    | RecordCycleStart
    | ReactivatePerson
    | RecordCqrCompletion
)

PERSON_COMMANDS: dict[type[PersonCommand], Decider] = {
    RegisterPerson: person.decide_register_person,
    AssignPerson: person.decide_assign_person,
    RecordRegistryId: person.decide_record_registry_id,
    RecordBirthMonth: person.decide_record_birth_month,
    AddCredential: person.decide_add_credential,
    AddSpecialty: person.decide_add_specialty,
    ChangeCredentialStatus: person.decide_change_credential_status,
    RecordCycleStart: person.decide_record_cycle_start,
    ReactivatePerson: person.decide_reactivate_person,
    RecordCqrCompletion: person.decide_record_cqr_completion,
}


async def register_person(context: Context, command: RegisterPerson) -> list[RecordedEvent]:
    return await change_person(context, command.person_id, command)


async def change_person(
    context: Context, person_id: UUID, command: PersonCommand
) -> list[RecordedEvent]:
    """Run any person command on ``person_id``'s stream (see
    ``services.core.eventsourcing.commands``)."""
    return await PERSON.execute(context, person_id, PERSON_COMMANDS[type(command)], command)


async def deactivate_person(
    context: CommandContext[Tx],
    person_id: UUID,
    command: DeactivatePerson,
    *,
    by_role: Role,
    now: datetime,
) -> list[RecordedEvent]:
    """Take the person off the active staff and, in the same transaction, remove the member
    account linked to their record (``remove_member``: sessions and tokens end at once), also
    when the record was deactivated before. Refusals: the person deciders', and
    ``decide_remove_member``'s for the linked member (an admin cannot take an owner's or
    admin's access, nor anyone the last owner's)."""
    decide = person.decide_deactivate_person
    recorded = await PERSON.execute(context, person_id, decide, command)
    linked = await context.tx.pg.fetchval(
        "SELECT user_id FROM memberships WHERE tenant_id = $1 AND person_id = $2",
        context.tx.require_tenant(),
        person_id,
    )
    if linked is not None:
        reason = f"staff record deactivated: {command.reason.strip()}"
        recorded += await remove_member(
            context.derive("remove-member"),
            RemoveMember(user_id=linked, by_role=by_role, reason=reason),
            now=now,
        )
    return recorded
