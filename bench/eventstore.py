"""Event store benchmark: prints events/s and latency percentiles as JSON.

    .venv/bin/python -m bench.eventstore [--events N]

Runs against the local PostgreSQL (fsync as configured there, reported in the output) in a
fresh database ``cmeledger_bench``, with the hash chain, row-level security and the inline
``stream_summaries`` projection on, exactly as the application appends. Writers are separate
processes, as API and worker processes would be.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
from uuid import UUID, uuid4

import asyncpg
import msgspec

from domain.shared.event import Event, EventRegistry
from services.core.db import Database
from services.core.eventsourcing.store import EventStore, Metadata, PostgresEventStore
from services.core.projections import ProjectionRunner
from services.core.projections.streams import StreamSummaries
from services.core.settings import Settings, load_settings

BENCH_DATABASE = "cmeledger_bench"


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
    dsn = settings.owner_database_url.replace("+asyncpg", "").rsplit("/", 1)[0] + "/postgres"
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        config = {
            name: await admin.fetchval(f"SHOW {name}")
            for name in ("fsync", "synchronous_commit", "server_version", "shared_buffers")
        }
    finally:
        await admin.close()
    env = {
        **os.environ,
        "CMELEDGER_DATABASE_URL": settings.database_url,
        "CMELEDGER_OWNER_DATABASE_URL": settings.owner_database_url,
        "CMELEDGER_LOG_LEVEL": "WARNING",
    }
    migration = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.main", "migrate", env=env
    )
    if await migration.wait():
        raise SystemExit("migration failed")
    return config


async def register(database: Database, store: EventStore, tenant: UUID) -> None:
    async with database.transaction(tenant) as tx:
        await store.register_tenant(tx)


async def append_loop(tenant: UUID, stream_prefix: str, appends: int, batch: int) -> list[float]:
    """Append ``appends`` transactions of ``batch`` events each; return each latency (s)."""
    database, store = Database(bench_settings()), make_store()
    await register(database, store, tenant)
    latencies = []
    meta = Metadata(actor_id="bench", actor_role="employee", request_id="bench")
    version: dict[str, int] = {}
    try:
        for i in range(appends):
            stream = f"{stream_prefix}-{i % 50}"
            started = time.perf_counter()
            async with database.transaction(tenant) as tx:
                await store.append(
                    tx,
                    stream,
                    [sample(i * batch + j) for j in range(batch)],
                    expected_version=version.get(stream, 0),
                    event_ids=[uuid4() for _ in range(batch)],
                    metadata=meta,
                )
            latencies.append(time.perf_counter() - started)
            version[stream] = version.get(stream, 0) + batch
    finally:
        await database.dispose()
    return latencies


def _writer(args: tuple[str, str, int, int]) -> list[float]:
    tenant, prefix, appends, batch = args
    return asyncio.run(append_loop(UUID(tenant), prefix, appends, batch))


def run_writers(jobs: list[tuple[str, str, int, int]]) -> dict[str, float]:
    """Run one process per job at once; report events/s over the wall time and latencies."""
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        pool.map(_writer, [(str(uuid4()), "warm", 20, 1) for _ in jobs])  # start-up, imports
        started = time.perf_counter()
        results = pool.map(_writer, jobs)
        elapsed = time.perf_counter() - started
    latencies = sorted(x for result in results for x in result)
    print(f"  {len(jobs)} writer(s): {elapsed:.1f} s", file=sys.stderr)
    events = sum(appends * batch for _, _, appends, batch in jobs)
    return {
        "writers": len(jobs),
        "events": events,
        "seconds": round(elapsed, 3),
        "events_per_s": round(events / elapsed),
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 3),
    }


async def replay(tenant: UUID) -> dict[str, float]:
    """Rebuild the projections of one tenant from its whole history."""
    database, store = Database(bench_settings()), make_store()
    runner = store.projections
    assert isinstance(runner, ProjectionRunner)
    try:
        started = time.perf_counter()
        async with database.transaction(tenant) as tx:
            await store.lock_head(tx)
            events = await runner.rebuild(tx)
        elapsed = time.perf_counter() - started
    finally:
        await database.dispose()
    return {"events": events, "seconds": round(elapsed, 3), "events_per_s": round(events / elapsed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000, help="single appends per writer")
    args = parser.parse_args()
    n = args.events
    settings = bench_settings()
    config = asyncio.run(prepare(settings))

    shared_tenant = str(uuid4())
    batch_tenant = str(uuid4())
    report = {
        "machine": {"cpus": os.cpu_count(), "postgres": config},
        "single_1_writer": run_writers([(str(uuid4()), "s", n, 1)]),
        "single_4_writers_4_tenants": run_writers([(str(uuid4()), "s", n, 1) for _ in range(4)]),
        "single_4_writers_1_tenant": run_writers(
            [(shared_tenant, f"w{w}", n, 1) for w in range(4)]
        ),
        "batch_100_1_writer": run_writers([(batch_tenant, "b", max(n // 20, 10), 100)]),
    }
    report["replay"] = asyncio.run(replay(UUID(batch_tenant)))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
