"""Staff import: apply a parsed roster (``domain.people.roster_import``) in one tenant transaction.

Contract of ``import_roster``:
- Every row is matched and planned before anything is written: by employee number, else by
  email (a person's recorded email, else a member's sign-in email, whose staff record is used
  or created). A row whose employee number and email point at two different people, or that
  matches the same person as an earlier row, is invalid.
- ``mode="all_or_nothing"`` writes nothing if any row is invalid; ``"valid_rows"`` writes the
  valid rows. ``dry_run`` writes nothing and reports what would happen.
- Writing is one ``append_many`` under the tenant's head lock (taken before the people are
  read), so it is atomic and cannot interleave with another change of the tenant.
- Departments and sites are matched case- and spelling-tolerantly to those already used (and to
  those of earlier rows): "echo" is stored as the existing "Echocardiography", and the row's
  report says so (``matches``), see ``staff.placements``.
- Idempotent by content: a row that states what its person already holds produces no events,
  so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal
from uuid import UUID, uuid4, uuid5

import msgspec

from domain.people.person import Person, PersonRefused
from domain.people.roster_import import Roster, RosterRow, plan_row
from domain.shared.event import Event, event_tag
from domain.shared.limits import OutOfLimits
from services.core.collector import collector_paused
from services.core.db import Tx
from services.core.eventsourcing.commands import entity_ids, event_ids
from services.core.eventsourcing.store import EventStore, Metadata, StreamAppend
from services.core.people import views
from services.core.projections.folded import restored
from services.core.staff.listing import placements
from services.core.staff.placements import Placer
from services.core.stream_ids import person_stream

ImportMode = Literal["all_or_nothing", "valid_rows"]
RowOutcome = Literal["create", "update", "unchanged", "invalid"]


class RowReport(msgspec.Struct, frozen=True, kw_only=True):
    line: int
    outcome: RowOutcome
    person_id: UUID | None = None
    employee_number: str | None = None
    email: str | None = None
    changes: list[str] = msgspec.field(default_factory=list)
    """The event types the row causes (or would cause), e.g. ``people.CredentialAdded``."""
    errors: list[str] = msgspec.field(default_factory=list)
    matches: list[str] = msgspec.field(default_factory=list)
    """Departments and sites written differently from an existing one and stored as it, e.g.
    ``department "echo" is the existing "Echocardiography"``."""


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    mode: ImportMode
    dry_run: bool
    applied: bool
    """Whether the changes were stored (false for a dry run or a refused all-or-nothing file)."""
    rows: int
    created: int
    updated: int
    unchanged: int
    invalid: int
    events: int
    report: list[RowReport]
    """One entry per data line, in file order."""


class _Known(msgspec.Struct, frozen=True):
    person: Person
    version: int


_PEOPLE = """
SELECT p.state::text AS state, coalesce(s.version, 0) AS version FROM people p
LEFT JOIN stream_summaries s ON s.tenant_id = p.tenant_id AND s.stream_id = 'person-' || p.person_id
WHERE p.tenant_id = $1
  AND (p.employee_number = ANY($2::text[]) OR p.email = ANY($3::text[])
       OR p.person_id = ANY($4::uuid[]))
"""
_MEMBERS = """
SELECT lower(email) AS email, person_id FROM memberships
WHERE tenant_id = $1 AND lower(email) = ANY($2::text[])
"""


async def import_roster(
    tx: Tx,
    store: EventStore,
    roster: Roster,
    *,
    mode: ImportMode,
    dry_run: bool,
    metadata: Metadata | None = None,
    import_id: UUID | None = None,
) -> ImportReport:
    """Validate every row of ``roster`` against the tenant's staff, then apply as the mode says
    (see the module docstring). ``import_id`` seeds the new ids (default: random). Python's
    cyclic garbage collector waits meanwhile (``collector_paused``)."""
    with collector_paused():
        if not dry_run:
            await store.lock_head(tx)
        reports, appends = await plan_import(tx, store, roster, import_id=import_id)
        invalid = sum(1 for r in reports if r.outcome == "invalid")
        apply = not dry_run and (mode == "valid_rows" or invalid == 0)
        if apply:
            await store.append_many(tx, appends, metadata=metadata)
    return ImportReport(
        mode=mode,
        dry_run=dry_run,
        applied=apply,
        rows=len(reports),
        created=sum(1 for r in reports if r.outcome == "create"),
        updated=sum(1 for r in reports if r.outcome == "update"),
        unchanged=sum(1 for r in reports if r.outcome == "unchanged"),
        invalid=invalid,
        events=sum(len(a.events) for a in appends),
        report=reports,
    )


async def plan_import(
    tx: Tx, store: EventStore, roster: Roster, *, import_id: UUID | None = None
) -> tuple[list[RowReport], list[StreamAppend]]:
    """The report of every line, in file order, and the appends of the valid rows that change
    something (one per person, with the stream version read). Writes nothing."""
    seed = import_id or uuid4()
    by_number, by_email, members = await _load(tx, roster.rows)
    now = store.clock()
    reports: dict[int, RowReport] = {
        e.line: RowReport(line=e.line, outcome="invalid", errors=e.errors) for e in roster.invalid
    }
    appends: list[StreamAppend] = []
    claimed: dict[UUID, int] = {}
    used = await placements(tx)
    placer = Placer(used.departments, used.sites)
    for given in roster.rows:
        row, matches = _placed(placer, given)
        command_id = uuid5(seed, f"line/{row.line}")
        ids = entity_ids(command_id)
        try:
            known, person_id = _match(row, by_number, by_email, members)
            if person_id is None:
                person_id = ids()
            if (first := claimed.setdefault(person_id, row.line)) != row.line:
                raise PersonRefused(f"line {first} already imports this person")
            events = plan_row(
                known.person if known else None, row, person_id=person_id, now=now, ids=ids
            )
        except (PersonRefused, OutOfLimits) as exc:
            reports[row.line] = _report(row, "invalid", errors=[str(exc)])
            continue
        outcome: RowOutcome = "unchanged" if not events else "update" if known else "create"
        reports[row.line] = _report(
            row, outcome, person_id=person_id, events=events, matches=matches
        )
        if events:
            appends.append(
                StreamAppend(
                    person_stream(person_id),
                    events,
                    known.version if known else 0,
                    event_ids(command_id, len(events)),
                )
            )
    return [reports[line] for line in sorted(reports)], appends


def _placed(placer: Placer, row: RosterRow) -> tuple[RosterRow, list[str]]:
    """The row with its department and site as the organisation already names them, and the
    matches made (``placements.match_placement``)."""
    department, by_department = placer.place("department", row.department)
    site, by_site = placer.place("site", row.site)
    matches = [
        match.text(kind)
        for kind, match in (("department", by_department), ("site", by_site))
        if match is not None
    ]
    return msgspec.structs.replace(row, department=department, site=site), matches


async def _load(
    tx: Tx, rows: Iterable[RosterRow]
) -> tuple[dict[str, _Known], dict[str, _Known], dict[str, UUID]]:
    """The people the rows may name, by employee number and by email, and the members' staff
    record ids by sign-in email: two queries whatever the number of rows. Each person is the
    domain's ``Person``: the import decides its changes against the record."""
    rows = list(rows)
    tenant = tx.require_tenant()
    emails = sorted({r.email for r in rows if r.email})
    numbers = sorted({r.employee_number for r in rows if r.employee_number})
    members = {r["email"]: r["person_id"] for r in await tx.pg.fetch(_MEMBERS, tenant, emails)}
    found = [
        _Known(restored(r["state"], views.Person, Person), r["version"])
        for r in await tx.pg.fetch(_PEOPLE, tenant, numbers, emails, list(members.values()))
    ]
    by_number = {k.person.employee_number: k for k in found if k.person.employee_number}
    by_email = {k.person.email: k for k in found if k.person.email}
    by_id = {k.person.person_id: k for k in found}
    for email, person_id in members.items():
        if person_id in by_id:
            by_email.setdefault(email, by_id[person_id])
    return by_number, by_email, members


def _match(
    row: RosterRow,
    by_number: dict[str, _Known],
    by_email: dict[str, _Known],
    members: dict[str, UUID],
) -> tuple[_Known | None, UUID | None]:
    """The person the row names (if registered) and their id (None: a new person)."""
    numbered = by_number.get(row.employee_number) if row.employee_number else None
    mailed = by_email.get(row.email) if row.email else None
    if numbered and mailed and numbered.person.person_id != mailed.person.person_id:
        raise PersonRefused(
            f"employee number {row.employee_number} and email {row.email} belong to two people"
        )
    known = numbered or mailed
    if known:
        return known, known.person.person_id
    return None, members.get(row.email) if row.email else None


def _report(
    row: RosterRow,
    outcome: RowOutcome,
    *,
    person_id: UUID | None = None,
    events: list[Event] | None = None,
    errors: list[str] | None = None,
    matches: list[str] | None = None,
) -> RowReport:
    return RowReport(
        line=row.line,
        outcome=outcome,
        person_id=person_id,
        employee_number=row.employee_number,
        email=row.email,
        changes=[event_tag(type(e)) for e in events or []],
        errors=errors or [],
        matches=matches or [],
    )
