"""Handlers for credits (stream ``credit-<credit id>``) and waivers (``waiver-<waiver id>``).

Recording either for a person who was never registered is refused with ``PersonNotRegistered``.
"""

from __future__ import annotations

from uuid import UUID

from domain.credits import credit, waiver
from domain.credits.credit import AmendCredit, RecordCredit, RecordVerification, RetractCredit
from domain.credits.waiver import RecordWaiver
from domain.people.person import PersonNotRegistered
from services.core.aggregates import CREDIT, WAIVER
from services.core.eventsourcing.commands import Decider
from services.core.eventsourcing.store import EventStore, Metadata, RecordedEvent, UnitOfWork
from services.core.stream_ids import person_stream

CreditChange = AmendCredit | RetractCredit | RecordVerification

CREDIT_CHANGES: dict[type[CreditChange], Decider] = {
    AmendCredit: credit.decide_amend_credit,
    RetractCredit: credit.decide_retract_credit,
    RecordVerification: credit.decide_record_verification,
}


async def record_credit(
    tx: UnitOfWork,
    store: EventStore,
    command: RecordCredit,
    *,
    command_id: UUID,
    metadata: Metadata | None = None,
) -> list[RecordedEvent]:
    await require_person(tx, store, command.person_id)
    credit_id, decide = command.credit_id, credit.decide_record_credit
    return await CREDIT.execute(
        tx, store, credit_id, decide, command, command_id=command_id, metadata=metadata
    )


async def change_credit(
    tx: UnitOfWork,
    store: EventStore,
    credit_id: UUID,
    command: CreditChange,
    *,
    command_id: UUID,
    metadata: Metadata | None = None,
) -> list[RecordedEvent]:
    """Amend, retract or record the verification of a recorded credit."""
    decide = CREDIT_CHANGES[type(command)]
    return await CREDIT.execute(
        tx, store, credit_id, decide, command, command_id=command_id, metadata=metadata
    )


async def record_waiver(
    tx: UnitOfWork,
    store: EventStore,
    command: RecordWaiver,
    *,
    command_id: UUID,
    metadata: Metadata | None = None,
) -> list[RecordedEvent]:
    await require_person(tx, store, command.waiver.person_id)
    waiver_id, decide = command.waiver.waiver_id, waiver.decide_record_waiver
    return await WAIVER.execute(
        tx, store, waiver_id, decide, command, command_id=command_id, metadata=metadata
    )


async def require_person(tx: UnitOfWork, store: EventStore, person_id: UUID) -> None:
    if not await store.read_stream(tx, person_stream(person_id)):
        raise PersonNotRegistered(f"no person {person_id} is registered")
