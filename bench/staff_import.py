"""Staff import benchmark: prints rows/s of parsing, dry run, import and re-import as JSON.

    .venv/bin/python -m bench.staff_import [--rows 10000] [--per-stream-rows 1000]

Runs ``parse_roster`` and ``import_roster`` (the code behind ``POST /api/v1/staff/import``,
without HTTP) in a fresh database ``cmeledger_bench`` with the production store: hash chain,
row-level security and every inline projection, obligations evaluation included. Each row is a
new person with one or two credentials. ``per_stream`` shows, for comparison, the same rows
written with one ``append`` per person instead of one ``append_many``.

The baseline, measured in the same run: ``raw_insert`` writes the events the import stored (same
columns and values) into ``raw_events`` with one bare asyncpg ``unnest`` INSERT, without the
chain, row-level security or projections; ``ratio`` is the import's rows/s over the baseline's.
``phases`` splits the import's wall time (the append call, each inline projection, the rest:
planning and encoding), ``cpu_seconds`` is this process's CPU time during the import,
``server_cpu_seconds`` that of the PostgreSQL backend serving it (from ``/proc``; null when
PostgreSQL runs elsewhere), and ``load_average`` is read before and after (the machine may be
shared: compare ratios, and CPU seconds, which a busy machine does not stretch as it does wall
seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from bench.eventstore import bench_settings, prepare, register
from domain.people.person import RegisterPerson
from domain.people.roster_import import COLUMNS, Roster, parse_roster
from services.core.db import Database, asyncpg_dsn
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore, PostgresEventStore
from services.core.people.handlers import register_person
from services.core.projections import ProjectionRunner
from services.core.registry import build_event_store
from services.core.settings import Settings
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
            CommandContext(tx, store, uuid4()), RegisterPerson(person_id=uuid4(), full_name="Owner")
        )


_RAW_INSERT = """
INSERT INTO raw_events (tenant_id, seq, stream_id, stream_version, event_id, event_type,
                        schema_version, data, metadata, recorded_at, prev_hash, hash)
SELECT $1, u.seq, u.stream_id, u.version, u.event_id, u.event_type, u.schema_version,
       u.data::jsonb, u.metadata::jsonb, u.recorded_at, u.prev_hash, u.hash
FROM unnest($2::bigint[], $3::text[], $4::int[], $5::uuid[], $6::text[], $7::int[],
            $8::text[], $9::text[], $10::timestamptz[], $11::text[], $12::text[])
     AS u(seq, stream_id, version, event_id, event_type, schema_version, data, metadata,
          recorded_at, prev_hash, hash)
"""
_COLUMNS = (
    "seq, stream_id, stream_version, event_id, event_type, schema_version, data::text,"
    " metadata::text, recorded_at, prev_hash, hash"
)


async def raw_insert(settings: Settings, tenant: UUID, after_seq: int) -> float:
    """The baseline: the tenant's events after ``after_seq`` written again, as they are, into
    ``raw_events`` by one bare INSERT in its own transaction; return its seconds."""
    conn = await asyncpg.connect(asyncpg_dsn(settings.owner_database_url))
    try:
        await conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant))
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE tenant_id = $1 AND seq > $2 ORDER BY seq",
            tenant,
            after_seq,
        )
        columns = [list(column) for column in zip(*rows, strict=True)]
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute(_RAW_INSERT, tenant, *columns)
        return time.perf_counter() - started
    finally:
        await conn.close()


@contextmanager
def phases(store: EventStore) -> Iterator[dict[str, list[float]]]:
    """Wall and CPU seconds of this process spent, while in the block, in the store's append
    call and in each inline projection (wrapped here, on these objects only)."""
    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    assert isinstance(store, PostgresEventStore)
    assert isinstance(store.projections, ProjectionRunner)
    originals: list[tuple[Any, str]] = []

    def timed(owner: Any, attribute: str, label: str) -> None:
        original: Callable[..., Awaitable[Any]] = getattr(owner, attribute)

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return await original(*args, **kwargs)
            finally:
                spent[label][0] += time.perf_counter() - wall
                spent[label][1] += time.process_time() - cpu

        originals.append((owner, attribute))
        setattr(owner, attribute, wrapper)

    timed(store, "append_many", "append_many")
    for projection in store.projections.projections:
        timed(projection, "apply", f"projection {projection.name}")
    try:
        yield spent
    finally:
        for owner, attribute in originals:
            delattr(owner, attribute)


async def head_seq(database: Database, tenant: UUID) -> int:
    async with database.transaction(tenant) as tx:
        seq: int = await tx.pg.fetchval(
            "SELECT last_seq FROM event_heads WHERE tenant_id = $1", tenant
        )
    return seq


def split(spent: dict[str, list[float]], total: tuple[float, float]) -> dict[str, object]:
    """Each phase's wall and CPU seconds; ``append_call`` is ``append_many`` without the
    projections it runs, ``planning_and_rest`` the import without ``append_many``."""
    phase = {name: (wall, cpu) for name, (wall, cpu) in spent.items() if name != "append_many"}
    append = spent.get("append_many", [0.0, 0.0])
    phase["append_call"] = (
        append[0] - sum(wall for wall, _ in phase.values()),
        append[1] - sum(cpu for _, cpu in phase.values()),
    )
    phase["planning_and_rest"] = (total[0] - append[0], total[1] - append[1])
    return {
        name: {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
        for name, (wall, cpu) in phase.items()
    }


def backend_cpu(pid: int) -> float | None:
    """CPU seconds (user and system) PostgreSQL's backend ``pid`` has used, if this machine runs
    it (else None)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def timed_import(
    database: Database,
    store: EventStore,
    tenant: UUID,
    roster: Roster,
    *,
    dry_run: bool,
    server_cpu: list[float] | None = None,
) -> tuple[float, ImportReport]:
    """The import's wall seconds and report; the CPU seconds of its backend are appended to
    ``server_cpu`` when they can be read."""
    started = time.perf_counter()
    async with database.transaction(tenant) as tx:
        backend = await tx.pg.fetchval("SELECT pg_backend_pid()")
        before = backend_cpu(backend)
        report = await import_roster(tx, store, roster, mode="all_or_nothing", dry_run=dry_run)
        after = backend_cpu(backend)
    if server_cpu is not None and before is not None and after is not None:
        server_cpu.append(after - before)
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
        before = await head_seq(database, tenant)
        load_before, cpu = os.getloadavg(), time.process_time()
        server_cpu: list[float] = []
        with phases(store) as spent:
            applied, report = await timed_import(
                database, store, tenant, roster, dry_run=False, server_cpu=server_cpu
            )
        cpu, load_after = time.process_time() - cpu, os.getloadavg()
        baseline = await raw_insert(settings, tenant, before)
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
        "import": {
            **figures(applied),
            "cpu_seconds": round(cpu, 3),
            "server_cpu_seconds": round(server_cpu[0], 3) if server_cpu else None,
            "phases": split(spent, (applied, cpu)),
        },
        "raw_insert": figures(baseline),
        "ratio": round(baseline / applied, 4),
        "load_average": {"before": load_before, "after": load_after},
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
