"""Event store benchmark: prints events/s, latency percentiles and ratios as JSON.

    .venv/bin/python -m bench.eventstore [--events N]

Runs against the local PostgreSQL (fsync as configured there, reported in the output) in a
fresh database ``cmeledger_bench`` (or ``$CMELEDGER_BENCH_DATABASE``), with the hash chain,
row-level security and the inline ``stream_summaries`` projection on, exactly as the
application appends. Writers are separate
processes, as API and worker processes would be.

Each figure is measured twice in the same run: through the store, and as the baseline, a raw
asyncpg INSERT of the same row (same columns, values and indexes; no chain, no row-level
security, no projection, no trigger) into ``raw_events``, one transaction per append, with as
many writers; batches insert 100 rows with one ``unnest`` statement; the replay baseline is a
plain read of the same rows. ``ratio`` is the store's rate over the baseline's.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import statistics
import sys
import time
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import asyncpg
import msgspec

from bench.database import fresh_database
from domain.shared.event import Event, EventRegistry
from services.core.db import Database, asyncpg_dsn
from services.core.eventsourcing.chain import GENESIS_HASH, canonical_json
from services.core.eventsourcing.store import EventStore, Metadata, PostgresEventStore
from services.core.projections import ProjectionRunner
from services.core.projections.streams import StreamSummaries
from services.core.settings import Settings, load_settings

BENCH_DATABASE = os.environ.get("CMELEDGER_BENCH_DATABASE", "cmeledger_bench")
"""The scratch database, dropped and created anew by each run."""


class CreditRecordedSample(Event, frozen=True, kw_only=True, tag="bench.CreditRecorded"):
    """An event of a realistic size (about 300 bytes of JSON)."""

    person_id: str
    title: str
    provider: str
    credit_type: str
    credits: str
    completed_on: str
    topics: list[str]


def sample(i: int) -> CreditRecordedSample:
    return CreditRecordedSample(
        person_id=f"person-{i % 500}",
        title=f"Vascular ultrasound update, module {i}",
        provider="Gulfcoast Ultrasound Institute",
        credit_type="SDMS",
        credits="1.25",
        completed_on="2026-11-02",
        topics=["sonography", "vascular"],
    )


def make_store() -> PostgresEventStore:
    return PostgresEventStore(
        EventRegistry([CreditRecordedSample]), ProjectionRunner([StreamSummaries()])
    )


def bench_settings() -> Settings:
    base = load_settings()
    return msgspec.structs.replace(
        base,
        database_url=base.database_url.rsplit("/", 1)[0] + "/" + BENCH_DATABASE,
        owner_database_url=base.owner_database_url.rsplit("/", 1)[0] + "/" + BENCH_DATABASE,
        db_pool_size=2,
    )


async def prepare(settings: Settings) -> dict[str, str]:
    """A fresh, migrated ``BENCH_DATABASE`` with ``raw_events``, the baseline's table."""
    config = await fresh_database(settings)
    owner = await asyncpg.connect(asyncpg_dsn(settings.owner_database_url))
    try:
        await owner.execute(
            "CREATE TABLE raw_events (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
            " INCLUDING INDEXES)"
        )
    finally:
        await owner.close()
    return config


async def register(database: Database, store: EventStore, tenant: UUID) -> None:
    async with database.transaction(tenant) as tx:
        await store.register_tenant(tx)


class Job(NamedTuple):
    """One writer process: ``appends`` transactions of ``batch`` events each."""

    raw: bool
    tenant: str
    stream_prefix: str
    appends: int
    batch: int


async def append_loop(job: Job) -> list[float]:
    """Append through the store as the application does; return each latency (s)."""
    tenant = UUID(job.tenant)
    database, store = Database(bench_settings()), make_store()
    await register(database, store, tenant)
    latencies = []
    meta = Metadata(actor_id="bench", actor_role="employee", request_id="bench")
    version: dict[str, int] = {}
    try:
        for i in range(job.appends):
            stream = f"{job.stream_prefix}-{i % 50}"
            events = [sample(i * job.batch + j) for j in range(job.batch)]
            started = time.perf_counter()
            async with database.transaction(tenant) as tx:
                await store.append(
                    tx,
                    stream,
                    events,
                    expected_version=version.get(stream, 0),
                    event_ids=[uuid4() for _ in range(job.batch)],
                    metadata=meta,
                )
            latencies.append(time.perf_counter() - started)
            version[stream] = version.get(stream, 0) + job.batch
    finally:
        await database.dispose()
    return latencies


_RAW_INSERT = """
INSERT INTO raw_events (tenant_id, seq, stream_id, stream_version, event_id, event_type,
                        schema_version, data, metadata, recorded_at, prev_hash, hash)
SELECT $1, u.seq, $2, u.version, u.event_id, $3, 1, u.data::jsonb, $4::jsonb, now(),
       u.prev_hash, u.hash
FROM unnest($5::bigint[], $6::int[], $7::uuid[], $8::text[], $9::text[], $10::text[])
     AS u(seq, version, event_id, data, prev_hash, hash)
"""


async def raw_loop(job: Job) -> list[float]:
    """The baseline: the same rows inserted by a bare asyncpg INSERT; return each latency (s)."""
    tenant = UUID(job.tenant)
    conn = await asyncpg.connect(asyncpg_dsn(bench_settings().owner_database_url))
    meta = canonical_json({"actor_id": "bench", "actor_role": "employee", "request_id": "bench"})
    registry = EventRegistry([CreditRecordedSample])
    latencies = []
    version: dict[str, int] = {}
    try:
        for i in range(job.appends):
            stream = f"{job.stream_prefix}-{i % 50}"
            numbers = range(i * job.batch, (i + 1) * job.batch)
            data = [canonical_json(registry.encode(sample(n))[2]) for n in numbers]
            hashes = [hashlib.sha256(text.encode()).hexdigest() for text in data]
            at = version.get(stream, 0)
            started = time.perf_counter()
            await conn.execute(
                _RAW_INSERT,
                tenant,
                stream,
                CreditRecordedSample.__struct_config__.tag,
                meta,
                [n + 1 for n in numbers],
                [at + k + 1 for k in range(job.batch)],
                [uuid4() for _ in numbers],
                data,
                [GENESIS_HASH, *hashes[:-1]],
                hashes,
            )
            latencies.append(time.perf_counter() - started)
            version[stream] = at + job.batch
    finally:
        await conn.close()
    return latencies


def _writer(job: Job) -> list[float]:
    return asyncio.run(raw_loop(job) if job.raw else append_loop(job))


def run_writers(jobs: list[Job]) -> dict[str, float]:
    """Run one process per job at once; report events/s over the wall time and latencies."""
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        warm = [job._replace(tenant=str(uuid4()), appends=20, batch=1) for job in jobs]
        pool.map(_writer, warm)  # start-up, imports, first connections
        started = time.perf_counter()
        results = pool.map(_writer, jobs)
        elapsed = time.perf_counter() - started
    latencies = sorted(x for result in results for x in result)
    label = "raw INSERT" if jobs[0].raw else "store"
    print(f"  {label}, {len(jobs)} writer(s): {elapsed:.1f} s", file=sys.stderr)
    events = sum(job.appends * job.batch for job in jobs)
    return {
        "events": events,
        "seconds": round(elapsed, 3),
        "events_per_s": round(events / elapsed),
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000, 3),
    }


def compare(jobs: list[Job]) -> dict[str, Any]:
    """The figure through the store, the raw INSERT baseline of the same jobs, and the ratio."""
    raw = run_writers([job._replace(raw=True, tenant=str(uuid4())) for job in jobs])
    store = run_writers(jobs)
    return {
        "writers": len(jobs),
        "store": store,
        "raw_insert": raw,
        "ratio": round(store["events_per_s"] / raw["events_per_s"], 3),
    }


async def timed_rebuild(
    database: Database, store: PostgresEventStore, tenant: UUID
) -> tuple[int, float]:
    """Rebuild the tenant's projections as ``cmeledger rebuild-projections`` does: events
    replayed, and seconds."""
    runner = store.projections
    assert isinstance(runner, ProjectionRunner)
    started = time.perf_counter()
    async with database.transaction(tenant) as tx:
        await store.lock_head(tx)
        events = await runner.rebuild(tx)
    return events, time.perf_counter() - started


async def replay(tenant: UUID) -> dict[str, Any]:
    """Rebuild the projections of one tenant from its whole history, against the baseline of
    reading the same rows with a plain query."""
    database, store = Database(bench_settings()), make_store()
    conn = await asyncpg.connect(asyncpg_dsn(bench_settings().owner_database_url))
    try:
        await conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant))
        started = time.perf_counter()
        rows = await conn.fetch("SELECT * FROM events WHERE tenant_id = $1 ORDER BY seq", tenant)
        raw_elapsed = time.perf_counter() - started
        events, elapsed = await timed_rebuild(database, store, tenant)
    finally:
        await conn.close()
        await database.dispose()
    raw_rate = len(rows) / raw_elapsed
    return {
        "events": events,
        "seconds": round(elapsed, 3),
        "events_per_s": round(events / elapsed),
        "raw_read_events_per_s": round(raw_rate),
        "ratio": round(events / elapsed / raw_rate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000, help="single appends per writer")
    args = parser.parse_args()
    n = args.events
    settings = bench_settings()
    config = asyncio.run(prepare(settings))

    def single(tenant: str | None = None, prefix: str = "s") -> Job:
        return Job(False, tenant or str(uuid4()), prefix, n, 1)

    shared_tenant = str(uuid4())
    batch_tenant = str(uuid4())
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "postgres": config},
        "single_1_writer": compare([single()]),
        "single_4_writers_4_tenants": compare([single() for _ in range(4)]),
        "single_4_writers_1_tenant": compare([single(shared_tenant, f"w{w}") for w in range(4)]),
        "batch_100_1_writer": compare([Job(False, batch_tenant, "b", max(n // 20, 10), 100)]),
    }
    report["replay"] = asyncio.run(replay(UUID(batch_tenant)))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
