"""Handlers for the person aggregate (stream ``person-<person id>``)."""

from __future__ import annotations

from uuid import UUID

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
from services.core.eventstore import EventStore, Metadata, RecordedEvent, UnitOfWork
from services.core.handlers import Decider, execute
from services.core.stream_ids import person_stream

PersonCommand = (
    RegisterPerson
    | AssignPerson
    | RecordRegistryId
    | RecordBirthMonth
    | AddCredential
    | AddSpecialty
    | ChangeCredentialStatus
    | RecordCycleStart
    | DeactivatePerson
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
    DeactivatePerson: person.decide_deactivate_person,
    ReactivatePerson: person.decide_reactivate_person,
    RecordCqrCompletion: person.decide_record_cqr_completion,
}


async def register_person(
    tx: UnitOfWork,
    store: EventStore,
    command: RegisterPerson,
    *,
    command_id: UUID,
    metadata: Metadata | None = None,
) -> list[RecordedEvent]:
    return await change_person(
        tx, store, command.person_id, command, command_id=command_id, metadata=metadata
    )


async def change_person(
    tx: UnitOfWork,
    store: EventStore,
    person_id: UUID,
    command: PersonCommand,
    *,
    command_id: UUID,
    metadata: Metadata | None = None,
) -> list[RecordedEvent]:
    """Run any person command on ``person_id``'s stream (see ``services.core.handlers``)."""
    return await execute(
        tx,
        store,
        person_stream(person_id),
        evolve=person.evolve,
        decide=PERSON_COMMANDS[type(command)],
        command=command,
        command_id=command_id,
        metadata=metadata,
    )
