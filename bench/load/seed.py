"""Seed a large tenant for the load suite: one organisation with 10,000 staff and their credits.

    .venv/bin/python -m bench.load.seed [--staff 10000] [--credits-per-person 30]

Creates (dropping it first) the database ``cmeledger_large`` and, through the production code
paths, an organisation whose owner signs in as ``owner@large.example`` (password
``correct horse battery``): the staff come from a roster CSV through the import use case
(``import_roster``, the code behind ``POST /api/v1/staff/import``), and each person's credits,
spread over the last three years, are decided by ``decide_record_credit`` and appended in batches
with ``append_many`` (hash chain, row-level security and every inline projection on, obligations
included). Prints JSON with the counts and the time of each step.

Then serve the app on it (``CMELEDGER_DATABASE_URL=...cmeledger_large cmeledger serve``) and run
the load suite against it (``bench/load/locustfile.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import asyncpg

from bench.database import fresh_database, settings_for
from bench.staff_import import roster_csv
from domain.credits.credit import CreditDetails, CreditType, RecordCredit, decide_record_credit
from domain.people.roster_import import parse_roster
from services.core.db import Database
from services.core.eventsourcing.store import EventStore, StreamAppend
from services.core.organisation.handlers import open_organisation
from services.core.registry import build_event_store
from services.core.staff.roster import import_roster
from services.core.stream_ids import credit_stream

DATABASE = "cmeledger_large"
OWNER_EMAIL = "owner@large.example"
PASSWORD = "correct horse battery"
PEOPLE_PER_BATCH = 100

BODY_CREDIT_TYPES: dict[str, tuple[CreditType, ...]] = {
    "ARDMS": ("sdms",),
    "ARRT": ("arrt_category_a",),
    "CCI": ("ase",),
    "NMTCB": ("sdms",),
}


def credits_of(person_id: UUID, body: str, count: int, today: date) -> list[RecordCredit]:
    """``count`` credits of 0.5 to 2 spread evenly over the three years before ``today``."""
    found = []
    for n in range(count):
        completed = today - timedelta(days=(n * 1095) // max(count, 1) + 1)
        found.append(
            RecordCredit(
                credit_id=uuid4(),
                person_id=person_id,
                details=CreditDetails(
                    title=f"Imaging update, module {n}",
                    provider="Gulfcoast Ultrasound Institute",
                    accrediting_organisation="SDMS",
                    credit_types=BODY_CREDIT_TYPES[body],
                    completed_on=completed,
                    credits=Decimal("0.5") * (1 + n % 4),
                    topics=("sonography",),
                ),
            )
        )
    return found


async def people_and_bodies(database: Database, tenant: UUID) -> list[tuple[UUID, str]]:
    async with database.transaction(tenant) as tx:
        rows = await tx.pg.fetch(
            "SELECT person_id, coalesce(state->'credentials'->0->>'body', 'ARDMS') AS body"
            " FROM people ORDER BY person_id"
        )
    return [(row["person_id"], row["body"]) for row in rows]


async def append_credits(
    database: Database,
    store: EventStore,
    tenant: UUID,
    people: list[tuple[UUID, str]],
    per_person: int,
) -> int:
    now = datetime.now(UTC)
    written = 0
    for start in range(0, len(people), PEOPLE_PER_BATCH):
        batch = people[start : start + PEOPLE_PER_BATCH]
        appends = []
        for person_id, body in batch:
            for command in credits_of(person_id, body, per_person, now.date()):
                events = decide_record_credit(None, command, now=now, ids=uuid4)
                appends.append(
                    StreamAppend(
                        stream_id=credit_stream(command.credit_id),
                        events=events,
                        expected_version=0,
                        event_ids=[uuid4() for _ in events],
                    )
                )
        async with database.transaction(tenant) as tx:
            written += len(await store.append_many(tx, appends))
    return written


async def analyse(owner_url: str) -> None:
    """Gather the planner's statistics now, as autovacuum would later: the pages measured right
    after seeding are planned on the tables as they are."""
    owner = await asyncpg.connect(owner_url.replace("+asyncpg", ""))
    try:
        await owner.execute("ANALYZE")
    finally:
        await owner.close()


async def seed(staff: int, per_person: int, database_name: str = DATABASE) -> dict[str, object]:
    """Build the tenant in ``database_name`` (dropped first); what was made, and how long it
    took."""
    settings = settings_for(database_name)
    config = await fresh_database(settings)
    database, store = Database(settings), build_event_store()
    try:
        started = time.perf_counter()
        opened = await open_organisation(
            database,
            store,
            name="Large Imaging Network",
            slug="large-imaging",
            email=OWNER_EMAIL,
            password=PASSWORD,
        )
        tenant = opened.tenant_id
        roster = parse_roster(roster_csv(staff, "L"))
        imported_at = time.perf_counter()
        async with database.transaction(tenant) as tx:
            report = await import_roster(tx, store, roster, mode="all_or_nothing", dry_run=False)
        import_s = time.perf_counter() - imported_at
        people = await people_and_bodies(database, tenant)
        credits_at = time.perf_counter()
        events = await append_credits(database, store, tenant, people, per_person)
        credits_s = time.perf_counter() - credits_at
        async with database.transaction(tenant) as tx:
            total_events = await tx.pg.fetchval("SELECT count(*) FROM events")
    finally:
        await database.dispose()
    await analyse(settings.owner_database_url)
    return {
        "database": database_name,
        "tenant": str(tenant),
        "owner": OWNER_EMAIL,
        "staff": report.created,
        "roster_import_s": round(import_s, 2),
        "roster_rows_per_s": round(staff / import_s),
        "credits": events,
        "credits_s": round(credits_s, 1),
        "credit_events_per_s": round(events / credits_s),
        "events_in_tenant": total_events,
        "total_s": round(time.perf_counter() - started, 1),
        "postgres": config,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--credits-per-person", type=int, default=30)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(seed(args.staff, args.credits_per_person)), indent=2))


if __name__ == "__main__":
    main()
