"""The credit use cases: record, amend and retract a credit, and read a person's credits.

Each takes a unit of work and a typed command, checks who may act (``services.core.policy``),
decides through the pure domain and returns what the caller shows.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import msgspec

from domain.compliance.evaluation import CreditExclusion, CreditUse, Obligation
from domain.credits.credit import AmendCredit, Credit, CreditDetails, RecordCredit, RetractCredit
from domain.people.credentials import Body
from domain.people.person import Person
from services.core import queries
from services.core.application import NotFound, UnitOfWork
from services.core.handlers import credits as credit_handlers
from services.core.idempotency import new_entity_id
from services.core.policy import authorise_person


class BodyAcceptance(msgspec.Struct, frozen=True, kw_only=True):
    """How one obligation treats the credit: counted (and by which rule) or not (and why)."""

    body: Body
    period: str
    counted: Decimal
    admitted_by: list[str]
    not_counted: list[CreditExclusion]


class RecordNewCredit(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    details: CreditDetails


class CreditWithAcceptance(msgspec.Struct, frozen=True, kw_only=True):
    credit: Credit
    acceptance: list[BodyAcceptance]


class ChangeCredit(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    credit_id: UUID
    change: AmendCredit | RetractCredit


async def person_of(uow: UnitOfWork, person_id: UUID) -> Person:
    """The staff record ``person_id`` (``NotFound`` when this organisation has none)."""
    found = await queries.get_person(uow.tx, person_id)
    if found is None:
        raise NotFound("no such person in this organisation")
    return found


async def credit_of(uow: UnitOfWork, person_id: UUID, credit_id: UUID) -> Credit:
    """The person's credit ``credit_id`` (``NotFound`` when the person has no such credit)."""
    for credit in await queries.my_credits(uow.tx, person_id):
        if credit.credit_id == credit_id:
            return credit
    raise NotFound("no such credit for this person")


def credit_acceptance(obligations: list[Obligation], credit_id: UUID) -> list[BodyAcceptance]:
    """What each obligation the credit falls in makes of it."""
    found = []
    for obligation in obligations:
        used: list[CreditUse] = [u for u in obligation.used if u.credit_id == credit_id]
        refused = [x for x in obligation.not_used if x.credit_id == credit_id]
        if used or refused:
            found.append(
                BodyAcceptance(
                    body=obligation.body,
                    period=obligation.period,
                    counted=sum((u.credits_counted for u in used), Decimal(0)),
                    admitted_by=[u.admitted_by for u in used],
                    not_counted=refused,
                )
            )
    return found


async def record_credit(uow: UnitOfWork, command: RecordNewCredit) -> CreditWithAcceptance:
    """Record a CME activity for a person (themself, or anyone for owners and admins); the
    result says at once which bodies count it, and why not."""
    authorise_person(uow.actor, command.person_id, write=True)
    await person_of(uow, command.person_id)
    command_id = uow.next_command_id()
    credit_id = new_entity_id(command_id, "credit")
    await credit_handlers.record_credit(
        uow.tx,
        uow.store,
        RecordCredit(credit_id=credit_id, person_id=command.person_id, details=command.details),
        command_id=command_id,
        metadata=uow.metadata,
    )
    obligations = await queries.my_obligations(uow.tx, command.person_id, today=uow.today())
    return CreditWithAcceptance(
        credit=await credit_of(uow, command.person_id, credit_id),
        acceptance=credit_acceptance(obligations, credit_id),
    )


async def change_credit(uow: UnitOfWork, command: ChangeCredit) -> Credit:
    """Amend or retract a person's credit, with a reason (history keeps the old details)."""
    authorise_person(uow.actor, command.person_id, write=True)
    await credit_of(uow, command.person_id, command.credit_id)
    await credit_handlers.change_credit(
        uow.tx,
        uow.store,
        command.credit_id,
        command.change,
        command_id=uow.next_command_id(),
        metadata=uow.metadata,
    )
    return await credit_of(uow, command.person_id, command.credit_id)


async def list_credits(uow: UnitOfWork, person_id: UUID) -> list[Credit]:
    """The person's credits with verification status, newest first."""
    authorise_person(uow.actor, person_id, write=False)
    await person_of(uow, person_id)
    return await queries.my_credits(uow.tx, person_id)
