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
from services.core.eventsourcing.commands import Context, Decider
from services.core.eventsourcing.store import EventStore, RecordedEvent, UnitOfWork
from services.core.stream_ids import person_stream

CreditChange = AmendCredit | RetractCredit | RecordVerification

CREDIT_CHANGES: dict[type[CreditChange], Decider] = {
    AmendCredit: credit.decide_amend_credit,
    RetractCredit: credit.decide_retract_credit,
    RecordVerification: credit.decide_record_verification,
}


async def record_credit(context: Context, command: RecordCredit) -> list[RecordedEvent]:
    await require_person(context.tx, context.store, command.person_id)
    return await CREDIT.execute(context, command.credit_id, credit.decide_record_credit, command)


async def change_credit(
    context: Context, credit_id: UUID, command: CreditChange
) -> list[RecordedEvent]:
    """Amend, retract or record the verification of a recorded credit."""
    return await CREDIT.execute(context, credit_id, CREDIT_CHANGES[type(command)], command)


async def record_waiver(context: Context, command: RecordWaiver) -> list[RecordedEvent]:
    await require_person(context.tx, context.store, command.waiver.person_id)
    decide = waiver.decide_record_waiver
    return await WAIVER.execute(context, command.waiver.waiver_id, decide, command)


async def require_person(tx: UnitOfWork, store: EventStore, person_id: UUID) -> None:
    if not await store.read_stream(tx, person_stream(person_id)):
        raise PersonNotRegistered(f"no person {person_id} is registered")
