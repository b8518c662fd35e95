"""The staff use cases on PostgreSQL, without HTTP: they check who acts themselves (route guards
are only a first filter), a person of another organisation does not exist, and a refused or
dry-run import stores nothing."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest

from domain.compliance.evaluation import Obligation, evaluate, unchanged_through
from domain.compliance.packs import RULE_PACKS
from domain.people.roster_import import RosterRejected, parse_roster
from services.core.application import AccessDenied, Actor, Application, NotFound, UseCases
from services.core.db import Database
from services.core.people import use_cases as people
from services.core.projections.obligations import load_inputs
from services.core.registry import build_event_store
from services.core.settings import Settings
from services.core.staff import use_cases as staff
from services.core.staff.listing import StaffFilter
from services.core.staff.roster import import_roster
from services.core.staff.use_cases import ChangeActivity, ImportStaff, ListStaff
from tests.conftest import new_tenant
from tests.support import register

pytestmark = pytest.mark.integration

SAMPLE = (Path(__file__).resolve().parents[2] / "docs" / "staff-import-sample.csv").read_bytes()


@pytest.fixture
def application(database: Database, migrated: Settings) -> Application:
    return Application(database=database, store=build_event_store(), settings=migrated)


async def organisation(application: Application) -> UUID:
    tenant = new_tenant()
    await register(application.database, application.store, tenant)
    return tenant


def acting(application: Application, tenant: UUID, role: Any) -> UseCases:
    user = None if role == "system" else uuid4()
    return application.use_cases(
        Actor(tenant_id=tenant, role=role, user_id=user, name="test"), uuid4
    )


async def imported(application: Application, tenant: UUID) -> UUID:
    report = await acting(application, tenant, "owner").run(
        staff.import_staff, ImportStaff(csv=SAMPLE, mode="all_or_nothing", dry_run=False)
    )
    assert report.applied
    assert report.report[0].person_id is not None
    return report.report[0].person_id


async def test_employees_neither_read_nor_change_the_staff_and_auditors_only_read(
    application: Application,
) -> None:
    tenant = await organisation(application)
    person_id = await imported(application, tenant)
    change = ChangeActivity(person_id=person_id, reason="left")
    listing = ListStaff(selected=StaffFilter(), limit=10)
    employee = acting(application, tenant, "employee")
    for use_case, command in [
        (staff.list_staff, listing),
        (staff.staff_seats, None),
        (staff.staff_record, person_id),
        (staff.organisation_overview, None),
        (staff.import_staff, ImportStaff(csv=SAMPLE, mode="valid_rows", dry_run=True)),
        (staff.deactivate_person, change),
    ]:
        with pytest.raises(AccessDenied):
            await employee.run(use_case, command)  # type: ignore[arg-type]
    auditor = acting(application, tenant, "auditor")
    assert len((await auditor.run(staff.list_staff, listing)).items) == 4
    for use_case in (staff.deactivate_person, staff.reactivate_person):
        with pytest.raises(AccessDenied):
            await auditor.run(use_case, change)
    with pytest.raises(AccessDenied, match="only a member"):
        await acting(application, tenant, "system").run(staff.deactivate_person, change)
    seats = await auditor.run(staff.staff_seats, None)
    assert (seats.active, seats.deactivated) == (4, 0)


async def test_another_organisations_person_does_not_exist(application: Application) -> None:
    person_id = await imported(application, await organisation(application))
    intruder = acting(application, await organisation(application), "owner")
    with pytest.raises(NotFound):
        await intruder.run(staff.staff_record, person_id)
    assert (await intruder.run(staff.staff_seats, None)).active == 0


async def test_a_rejected_file_or_a_dry_run_stores_nothing(application: Application) -> None:
    tenant = await organisation(application)
    owner = acting(application, tenant, "owner")
    with pytest.raises(RosterRejected):
        await owner.run(staff.import_staff, ImportStaff(csv=b"", mode="valid_rows", dry_run=False))
    preview = await owner.run(
        staff.import_staff, ImportStaff(csv=SAMPLE, mode="valid_rows", dry_run=True)
    )
    assert (preview.applied, preview.created) == (False, 4)
    assert (await owner.run(staff.staff_seats, None)).active == 0


async def test_a_staff_record_is_the_standing_its_person_sees_with_certificates_and_account(
    application: Application,
) -> None:
    tenant = await organisation(application)
    person_id = await imported(application, tenant)
    owner = acting(application, tenant, "owner")
    record = await owner.run(staff.staff_record, person_id)
    seen = await owner.run(people.standing_of, person_id)
    assert isinstance(record, people.Standing)
    shared = {f.name for f in msgspec.structs.fields(people.Standing)}
    assert {k: v for k, v in msgspec.structs.asdict(record).items() if k in shared} == (
        msgspec.structs.asdict(seen)
    )
    assert (record.certificates, record.account) == ([], None)


def roster(rows: list[tuple[str, str]], prefix: str = "E") -> bytes:
    """A roster of people with (birth month, credentials) each, all new."""
    lines = ["employee_number,email,full_name,birth_month,credentials"]
    lines += [
        f"{prefix}{n},{prefix.lower()}{n}@example.org,Person {n},{month},{held}"
        for n, (month, held) in enumerate(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


_ROWS = [
    ("4", "ARRT:R:2015-06-01; ARDMS:RDMS:2019-05-01:AB"),
    ("4", "ARRT:R:2015-06-01; ARDMS:RDMS:2019-05-01:AB"),
    ("11", "ARRT:R:2015-06-01; ARDMS:RDMS:2019-05-01:AB"),
    ("4", "ARRT:R:2016-06-01; ARDMS:RDMS:2019-05-01:AB"),
    ("4", "ARRT:R:2015-06-01; ARDMS:RDMS:2019-05-01:AB+OB/GYN"),
    ("4", "ARDMS:RDMS:2019-05-01:AB; ARRT:R:2015-06-01"),
    ("", "ARDMS:RVT:2018-03-15:VT"),
    ("", "ARDMS:RVT:2018-03-15:VT"),
    ("", "ARDMS:RVT:2018-03-16:VT"),
    ("", "CCI:RCS:2016-01-10"),
    ("", "CCI:RCS:2016-01-10"),
    ("", "NMTCB:CNMT:2017-03-01; ND:S:2018-05-05"),
]


async def test_imported_peoples_obligations_are_those_evaluated_one_by_one(
    application: Application,
) -> None:
    """Alike people share one evaluation in the import; each stored row and explanation is
    still what evaluate() and unchanged_through() give for that person alone."""
    tenant = await organisation(application)
    report = await acting(application, tenant, "owner").run(
        staff.import_staff, ImportStaff(csv=roster(_ROWS), mode="all_or_nothing", dry_run=False)
    )
    assert report.created == len(_ROWS)
    ids = [row.person_id for row in report.report if row.person_id is not None]
    async with application.database.transaction(tenant) as tx:
        inputs = await load_inputs(tx, ids)
        evaluated = {
            r["person_id"]: (r["evaluated_on"], r["valid_through"])
            for r in await tx.pg.fetch("SELECT * FROM obligation_evaluations")
        }
        stored = await tx.pg.fetch(
            "SELECT person_id, ordinal, body, period, window_start, window_end, deadline,"
            " required, counted, waived, shortfall, late_credits_until, flagged,"
            " explanation::text AS explanation FROM obligations ORDER BY person_id, ordinal"
        )
    assert len({r["explanation"] for r in stored}) == len(stored)
    for person_id in ids:
        person = inputs[person_id].person
        day, valid_through = evaluated[person_id]
        alone = evaluate(person, [], [], today=day, rule_packs=RULE_PACKS)
        assert valid_through == unchanged_through(
            person, [], [], alone, evaluated_on=day, rule_packs=RULE_PACKS
        )
        rows = [dict(r) for r in stored if r["person_id"] == person_id]
        assert alone, person_id
        assert [msgspec.json.decode(r.pop("explanation"), type=Obligation) for r in rows] == alone
        columns = ("body", "period", "window_start", "window_end", "deadline")
        assert [[r[c] for c in columns] for r in rows] == [
            [o.body, o.period, o.window.start, o.window.end, o.deadline] for o in alone
        ]
        numbers = ("required", "counted", "waived", "shortfall")
        assert [[r[c] for c in numbers] for r in rows] == [
            [getattr(o.lines[0], c) for c in numbers] for o in alone
        ]
        assert [(r["ordinal"], r["late_credits_until"], r["flagged"]) for r in rows] == [
            (n, o.late_credits_until, bool(o.flags)) for n, o in enumerate(alone)
        ]


async def test_an_imports_statements_do_not_grow_with_its_rows(application: Application) -> None:
    """Planning, the append and every inline projection are set-based: importing 12 people
    runs as many statements as importing 3."""

    async def statements(rows: list[tuple[str, str]]) -> int:
        tenant = await organisation(application)
        counted: list[object] = []
        async with application.database.transaction(tenant) as tx:
            tx.pg.add_query_logger(counted.append)
            await import_roster(
                tx,
                application.store,
                parse_roster(roster(rows)),
                mode="all_or_nothing",
                dry_run=False,
            )
            await asyncio.sleep(0)  # asyncpg calls its query loggers soon after, not at once
            tx.pg.remove_query_logger(counted.append)
        return len(counted)

    await statements(_ROWS[:1])  # the connection learns the column types (asyncpg's queries)
    assert await statements(_ROWS[:3]) == await statements(_ROWS) > 0


async def test_an_import_runs_no_cyclic_garbage_collection(application: Application) -> None:
    """An import allocates objects in proportion to its rows and keeps them to its end; Python's
    full collections would walk them again and again, so the collector waits for the import:
    it runs as often around an import of 12 people as around one of 3."""

    async def collections(rows: list[tuple[str, str]]) -> int:
        tenant, roster_rows = await organisation(application), parse_roster(roster(rows))
        started: list[int] = []

        def collected(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started.append(info["generation"])

        threshold = gc.get_threshold()
        async with application.database.transaction(tenant) as tx:
            gc.set_threshold(1)  # with the collector on, nearly every allocation collects
            gc.callbacks.append(collected)
            try:
                report = await import_roster(
                    tx, application.store, roster_rows, mode="all_or_nothing", dry_run=False
                )
            finally:
                gc.callbacks.remove(collected)
                gc.set_threshold(*threshold)
        assert report.created == len(rows)
        assert gc.isenabled()
        return len(started)

    await collections(_ROWS[:1])  # the connection learns the column types (asyncpg's queries)
    assert await collections(_ROWS[:3]) == await collections(_ROWS)


async def test_an_imports_explanations_are_compressed_with_lz4(application: Application) -> None:
    """A row of obligations holds its explanation twice (with ``summary``), too large for a row
    uncompressed; the application's transactions compress such values with lz4 (several times
    faster to write and to read than PostgreSQL's default, pglz)."""
    tenant = await organisation(application)
    await acting(application, tenant, "owner").run(
        staff.import_staff, ImportStaff(csv=roster(_ROWS), mode="all_or_nothing", dry_run=False)
    )
    async with application.database.transaction(tenant) as tx:
        methods = await tx.pg.fetch(
            "SELECT DISTINCT pg_column_compression(explanation) AS explanation,"
            " pg_column_compression(summary) AS summary FROM obligations"
        )
    assert [dict(m) for m in methods] == [{"explanation": "lz4", "summary": "lz4"}]
