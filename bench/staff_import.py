"""Staff import benchmark: prints rows/s of parsing, dry run, import and re-import as JSON.

    .venv/bin/python -m bench.staff_import [--rows 10000] [--per-stream-rows 1000]

Runs ``parse_roster`` and ``import_roster`` (the code behind ``POST /api/v1/staff/import``,
without HTTP) in a fresh database ``cmeledger_bench`` with the production store: hash chain,
row-level security and every inline projection, obligations evaluation included. Each row is a
new person with one or two credentials. ``per_stream`` shows, for comparison, the same rows
written with one ``append`` per person instead of one ``append_many``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from uuid import UUID, uuid4

from bench.eventstore import bench_settings, prepare, register
from domain.people.person import RegisterPerson
from domain.people.roster_import import COLUMNS, Roster, parse_roster
from services.core.db import Database
from services.core.eventsourcing.store import EventStore
from services.core.people.handlers import register_person
from services.core.registry import build_event_store
from services.core.staff.roster import ImportReport, import_roster, plan_import

CREDENTIALS = (
    ("", "ARDMS:RDMS:2019-05-01:AB+OB/GYN"),
    ("", "ARDMS:RVT:2018-03-15:VT; ARDMS:RDCS:2020-09-01:AE"),
    ("4", "ARRT:R:2015-06-01; ARRT:CT:2017-06-01"),
    ("", "CCI:RCS:2016-01-10"),
    ("11", "NMTCB:CNMT:2017-03-01"),
)


def roster_csv(rows: int, prefix: str) -> bytes:
    lines = [",".join(COLUMNS)]
    for n in range(rows):
        birth_month, credentials = CREDENTIALS[n % len(CREDENTIALS)]
        lines.append(
            f"{prefix}-{n},{prefix.lower()}{n}@example.org,Person {n},Dept {n % 12},"
            f"Site {n % 3},{birth_month},,{credentials}"
        )
    return ("\n".join(lines) + "\n").encode()


async def open_tenant(database: Database, store: EventStore, tenant: UUID) -> None:
    """A tenant with some history, as after sign-up: its projections' checkpoints exist, so
    appends project inline instead of catching up from the events table."""
    await register(database, store, tenant)
    async with database.transaction(tenant) as tx:
        await register_person(
            tx, store, RegisterPerson(person_id=uuid4(), full_name="Owner"), command_id=uuid4()
        )


async def timed_import(
    database: Database, store: EventStore, tenant: UUID, roster: Roster, *, dry_run: bool
) -> tuple[float, ImportReport]:
    started = time.perf_counter()
    async with database.transaction(tenant) as tx:
        report = await import_roster(tx, store, roster, mode="all_or_nothing", dry_run=dry_run)
    return time.perf_counter() - started, report


async def per_stream(database: Database, store: EventStore, rows: int) -> dict[str, float]:
    """The same kind of rows, one ``append`` (and projection run) per person."""
    tenant = uuid4()
    await open_tenant(database, store, tenant)
    roster = parse_roster(roster_csv(rows, "P"))
    started = time.perf_counter()
    async with database.transaction(tenant) as tx:
        _, appends = await plan_import(tx, store, roster)
        for a in appends:
            await store.append(
                tx,
                a.stream_id,
                a.events,
                expected_version=a.expected_version,
                event_ids=a.event_ids,
            )
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}


async def run(rows: int, per_stream_rows: int) -> dict[str, object]:
    settings = bench_settings()
    config = await prepare(settings)
    database, store = Database(settings), build_event_store()
    tenant = uuid4()
    await open_tenant(database, store, tenant)
    data = roster_csv(rows, "E")
    try:
        started = time.perf_counter()
        roster = parse_roster(data)
        parsed = time.perf_counter() - started
        dry, preview = await timed_import(database, store, tenant, roster, dry_run=True)
        applied, report = await timed_import(database, store, tenant, roster, dry_run=False)
        again, repeat = await timed_import(database, store, tenant, roster, dry_run=False)
        assert (report.created, repeat.unchanged, repeat.events) == (rows, rows, 0)
        compare = await per_stream(database, store, per_stream_rows) if per_stream_rows else None
    finally:
        await database.dispose()

    def figures(seconds: float) -> dict[str, float]:
        return {"seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}

    return {
        "rows": rows,
        "bytes": len(data),
        "events": report.events,
        "parse": figures(parsed),
        "dry_run": figures(dry),
        "import": figures(applied),
        "reimport_unchanged": figures(again),
        "per_stream_appends": compare,
        "postgres": config,
        "preview_created": preview.created,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--per-stream-rows", type=int, default=1_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.rows, args.per_stream_rows)), indent=2))


if __name__ == "__main__":
    main()
