"""The staff-record use cases: register a person, read and change their record, and read their
standing (credits and obligations, now or as recorded at a past moment).

Who may: ``services.core.policy.authorise_person`` for every record; assigning department, site
and employee number is for owners and admins; replaying the past is for owners, admins and
auditors. A person of another organisation does not exist (``NotFound``).
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.compliance.evaluation import Obligation
from domain.compliance.rules import Basis
from domain.compliance.standing import Standing as BodyStanding
from domain.people.person import AssignPerson, Credential, RegisterPerson
from domain.shared.limits import Code, Name
from services.core.accounts import identity
from services.core.application import AccessDenied, NotFound, UnitOfWork
from services.core.audit.history import obligations_known_at
from services.core.credits.views import Credit
from services.core.idempotency import new_entity_id
from services.core.people import handlers as people_handlers
from services.core.people import queries
from services.core.people.views import Person
from services.core.policy import authorise_person, manages, reads_all, require_role


class RegisterNewPerson(msgspec.Struct, frozen=True, kw_only=True):
    full_name: str
    person_id: UUID | None = None
    """None: a new staff record (owners and admins), or the member's own record (others)."""
    department: Name | None = None
    site: Name | None = None
    employee_number: Code | None = None


class ChangePerson(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    change: people_handlers.PersonCommand


class FindPerson(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    to_change: bool = False
    """Authorise as for a change (the caller offers to change the record)."""


class ObligationsQuery(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    as_of: date | None = None
    """Evaluate on this day (default: the day of ``known_at``, else today)."""
    known_at: datetime | None = None
    """Replay only what was recorded by this moment."""


class Standing(msgspec.Struct, frozen=True, kw_only=True):
    """A person's record, credits, obligations and standing per body on ``today`` (empty
    without a record)."""

    person: Person | None
    credits: list[Credit]
    obligations: list[Obligation]
    standings: list[BodyStanding]
    count_pending: bool
    """The organisation's choice: whether pending credits count toward the statuses."""
    today: date
    unsupported: list[tuple[Credential, Basis]]
    """Credentials held whose body's CE rules are not modelled (no obligation), each with why."""


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    person: Person | None
    email_verified: bool
    """Whether the acting member confirmed their email address."""


NO_SUCH_PERSON = "no such person in this organisation"


async def person_of(uow: UnitOfWork, person_id: UUID) -> Person:
    """The staff record ``person_id`` (``NotFound`` when this organisation has none)."""
    found = await queries.get_person(uow.tx, person_id)
    if found is None:
        raise NotFound(NO_SUCH_PERSON)
    return found


async def register_person(uow: UnitOfWork, command: RegisterNewPerson) -> Person:
    """Create a staff record (owners and admins), or one's own (any member but auditors)."""
    context = uow.command()
    person_id = command.person_id or (
        new_entity_id(context.command_id, "person") if manages(uow.actor) else uow.actor.person_id
    )
    if person_id is None:
        raise AccessDenied("only owners and admins create staff records")
    authorise_person(uow.actor, person_id, write=True)
    await people_handlers.register_person(
        context,
        RegisterPerson(
            person_id=person_id,
            full_name=command.full_name,
            department=command.department,
            site=command.site,
            employee_number=command.employee_number,
        ),
    )
    return await person_of(uow, person_id)


async def view_person(uow: UnitOfWork, person_id: UUID) -> Person:
    """Registry ids, credentials held, birth month, department and site."""
    authorise_person(uow.actor, person_id, write=False)
    return await person_of(uow, person_id)


async def find_person(uow: UnitOfWork, query: FindPerson) -> Person | None:
    """The staff record, or None while it is not created yet."""
    authorise_person(uow.actor, query.person_id, write=query.to_change)
    return await queries.get_person(uow.tx, query.person_id)


async def change_person(uow: UnitOfWork, command: ChangePerson) -> Person:
    """Run a change (credential, CQR, registry id, birth month, assignment) on a record."""
    if isinstance(command.change, AssignPerson) and not manages(uow.actor):
        raise AccessDenied("only owners and admins assign staff")
    authorise_person(uow.actor, command.person_id, write=True)
    await person_of(uow, command.person_id)
    await people_handlers.change_person(uow.command(), command.person_id, command.change)
    return await person_of(uow, command.person_id)


async def obligations_of(uow: UnitOfWork, query: ObligationsQuery) -> list[Obligation]:
    """The previous and current obligation per body, with every number explained; with
    ``known_at``, as the record showed them at that moment."""
    authorise_person(uow.actor, query.person_id, write=False)
    today = query.as_of or (query.known_at or uow.now()).date()
    await person_of(uow, query.person_id)
    if query.known_at is None:
        return await queries.my_obligations(uow.tx, query.person_id, today=today)
    if not reads_all(uow.actor):
        raise AccessDenied("replaying the past is for owners, admins, auditors")
    replayed = await obligations_known_at(
        uow.tx,
        uow.store,
        query.person_id,
        known_at=query.known_at,
        today=today,
        count_pending=await queries.counts_pending_credits(uow.tx),
    )
    if replayed is None:
        raise NotFound("this person was not registered at that moment")
    return replayed


class StandingQuery(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    as_of: date | None = None
    """Evaluate on this day (default: today)."""


async def standings_of(uow: UnitOfWork, query: StandingQuery) -> list[BodyStanding]:
    """The person's standing with each body: the status every view shows, with its sentence,
    next action and the cycle it rests on."""
    authorise_person(uow.actor, query.person_id, write=False)
    found = await queries.my_standing(uow.tx, query.person_id, today=query.as_of or uow.today())
    if found is None:
        raise NotFound("no such person in this organisation")
    return found.standings


async def evaluated(uow: UnitOfWork, person_id: UUID, today: date) -> Standing | None:
    """The person's record, credits and obligations on ``today`` (None: no record). Checks no
    one: the calling use case has authorised the actor."""
    found = await queries.my_standing(uow.tx, person_id, today=today)
    if found is None:
        return None
    return Standing(
        person=found.person,
        credits=await queries.my_credits(uow.tx, person_id),
        obligations=found.obligations,
        standings=found.standings,
        count_pending=found.count_pending,
        today=today,
        unsupported=found.unsupported,
    )


async def standing_of(uow: UnitOfWork, person_id: UUID) -> Standing:
    """The person's record, credits and obligations today (empty while there is no record)."""
    authorise_person(uow.actor, person_id, write=False)
    today = uow.today()
    found = await evaluated(uow, person_id, today)
    if found is None:
        return Standing(
            person=None,
            credits=[],
            obligations=[],
            standings=[],
            count_pending=await queries.counts_pending_credits(uow.tx),
            today=today,
            unsupported=[],
        )
    return found


async def profile_of(uow: UnitOfWork, person_id: UUID) -> Profile:
    """The member's record (None while not created) and whether their address is confirmed."""
    authorise_person(uow.actor, person_id, write=False)
    verified = uow.actor.user_id is not None and await identity.email_verified(
        uow.tx, uow.actor.user_id
    )
    return Profile(person=await queries.get_person(uow.tx, person_id), email_verified=verified)


async def summarise_organisation(
    uow: UnitOfWork, as_of: date | None
) -> queries.OrganisationSummary:
    """Counts by status, body, department and site, and the next deadlines (of active staff)."""
    require_role(uow.actor, "owner", "admin", "auditor")
    return await queries.organisation_summary(uow.tx, today=as_of or uow.today())
