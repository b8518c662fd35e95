"""The staff use cases: list the staff, count seats, summarise the organisation, import staff from
CSV, deactivate and reactivate a person, and show a person's record to employers.

Owners and admins change the staff; auditors read it with them; employees neither read nor
change it (``AccessDenied``). A person of another organisation does not exist (``NotFound`` or
the person deciders' ``PersonNotRegistered``).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.organisations.organisation import Role
from domain.people.person import DeactivatePerson, ReactivatePerson
from domain.people.roster_import import parse_roster
from services.core.application import AccessDenied, NotFound, UnitOfWork
from services.core.billing.standing import require_employer_features
from services.core.certificates.views import StoredCertificate
from services.core.people import handlers as people_handlers
from services.core.people import queries
from services.core.people.queries import OrganisationSummary
from services.core.people.use_cases import Standing, evaluated, person_of
from services.core.people.views import Person
from services.core.policy import MANAGERS, READERS, require_role
from services.core.projections.certificates import certificates_of
from services.core.reviews import queue as review_queries
from services.core.staff import listing as staff_queries
from services.core.staff.listing import (
    Placements,
    Seats,
    StaffFilter,
    StaffPage,
    StaffSort,
)
from services.core.staff.queries import LinkedAccount, linked_account
from services.core.staff.roster import ImportMode, ImportReport, import_roster

REVIEW_PEEK = 50
"""How many certificates waiting for review the overview counts before saying "50 or more"."""


class ListStaff(msgspec.Struct, frozen=True, kw_only=True):
    selected: StaffFilter
    limit: int
    cursor: str | None = None
    as_of: date | None = None
    """Compute statuses on this day (default: today)."""
    sort: StaffSort | None = None
    """None: the cursor's sort, else ``DEFAULT_SORT``."""


class ImportStaff(msgspec.Struct, frozen=True, kw_only=True):
    """A CSV file as uploaded (docs/staff-import.md) and how to import it."""

    csv: bytes
    mode: ImportMode
    dry_run: bool


class ChangeActivity(msgspec.Struct, frozen=True, kw_only=True):
    """Deactivate or reactivate ``person_id``, with a reason."""

    person_id: UUID
    reason: str


class Overview(msgspec.Struct, frozen=True, kw_only=True):
    """The organisation summary and the certificates waiting for review (at most
    ``REVIEW_PEEK`` counted: ``more_waiting`` says there are more)."""

    summary: OrganisationSummary
    waiting: int
    more_waiting: bool


class StaffRecord(Standing, frozen=True, kw_only=True):
    """A person's record as employers see it: the standing the person sees (``standing_of``),
    with their certificates and linked account."""

    person: Person
    certificates: list[StoredCertificate]
    account: LinkedAccount | None


async def list_staff(uow: UnitOfWork, command: ListStaff) -> StaffPage:
    """The staff by name or by deadline, filtered, a page at a time; raises ``InvalidCursor``
    for a cursor the list did not return (in that order)."""
    require_role(uow.actor, *READERS)
    return await staff_queries.staff_page(
        uow.tx,
        command.selected,
        today=command.as_of or uow.today(),
        limit=command.limit,
        cursor=command.cursor,
        sort=command.sort,
    )


class ExportStaff(msgspec.Struct, frozen=True, kw_only=True):
    selected: StaffFilter
    as_of: date | None = None


class StaffExport(msgspec.Struct, frozen=True, kw_only=True):
    filename: str
    content: bytes


async def export_staff(uow: UnitOfWork, command: ExportStaff) -> StaffExport:
    """Everyone the filtered staff list shows, with their obligations, as one CSV file."""
    require_role(uow.actor, *READERS)
    today = command.as_of or uow.today()
    content = await staff_queries.staff_csv(uow.tx, command.selected, today=today)
    return StaffExport(filename=f"staff-{today}.csv", content=content.encode())


async def staff_placements(uow: UnitOfWork, _: None) -> Placements:
    """The departments and sites staff are placed in (the list's filter choices)."""
    require_role(uow.actor, *READERS)
    return await staff_queries.placements(uow.tx)


async def staff_seats(uow: UnitOfWork, _: None) -> Seats:
    """Active staff records (the seats billing counts) and deactivated ones."""
    require_role(uow.actor, *READERS)
    return await staff_queries.seats(uow.tx)


async def organisation_summary(uow: UnitOfWork, as_of: date | None) -> OrganisationSummary:
    """Counts of the active staff's obligations by status, body, department and site, and the
    next deadlines, on ``as_of`` (default: today)."""
    require_role(uow.actor, *READERS)
    return await queries.organisation_summary(uow.tx, today=as_of or uow.today())


async def organisation_overview(uow: UnitOfWork, _: None) -> Overview:
    """Today's organisation summary and how many certificates wait for review."""
    summary = await organisation_summary(uow, None)
    waiting = await review_queries.review_page(uow.tx, status="needs_review", limit=REVIEW_PEEK)
    return Overview(
        summary=summary, waiting=len(waiting.items), more_waiting=waiting.next_cursor is not None
    )


async def import_staff(uow: UnitOfWork, command: ImportStaff) -> ImportReport:
    """Check every row of the file against the staff as they are, then store as the mode says
    (nothing on a dry run). A file-level problem raises ``RosterRejected`` and stores nothing."""
    require_role(uow.actor, *MANAGERS)
    await require_employer_features(uow)
    roster = parse_roster(command.csv)
    return await import_roster(
        uow.tx,
        uow.store,
        roster,
        mode=command.mode,
        dry_run=command.dry_run,
        metadata=uow.metadata,
        import_id=uow.next_command_id(),
    )


async def deactivate_person(uow: UnitOfWork, command: ChangeActivity) -> Person:
    """Take a person off the active staff (history kept; already inactive: no change) and
    remove the member account linked to the record. Only members deactivate: the handler
    weighs the deactivating member's role against the linked account's."""
    require_role(uow.actor, *MANAGERS)
    await people_handlers.deactivate_person(
        uow.command(),
        command.person_id,
        DeactivatePerson(reason=command.reason),
        by_role=_member_role(uow),
        now=uow.now(),
    )
    return await person_of(uow, command.person_id)


async def reactivate_person(uow: UnitOfWork, command: ChangeActivity) -> Person:
    """Put a deactivated person back on the active staff (already active: no change); account
    access is not restored."""
    require_role(uow.actor, *MANAGERS)
    await people_handlers.change_person(
        uow.command(), command.person_id, ReactivatePerson(reason=command.reason)
    )
    return await person_of(uow, command.person_id)


async def staff_record(uow: UnitOfWork, person_id: UUID) -> StaffRecord:
    """The person, their credits, obligations (today), certificates and linked account."""
    require_role(uow.actor, *READERS)
    found = await evaluated(uow, person_id, uow.today())
    if found is None:
        raise NotFound("no such person in this organisation")
    return StaffRecord(
        **msgspec.structs.asdict(found),
        certificates=await certificates_of(uow.tx, person_id),
        account=await linked_account(uow.tx, person_id),
    )


def _member_role(uow: UnitOfWork) -> Role:
    role = uow.actor.role
    if role == "system":
        raise AccessDenied("only a member deactivates staff")
    return role
