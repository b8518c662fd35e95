"""Relay latency benchmark: the time from an append's commit to a worker picking its job up,
with many tenants appending at once. Prints percentiles as JSON.

    .venv/bin/python -m bench.relay_latency [--tenants 1000] [--rate 200] [--seconds 20]

Uses the fresh database of ``bench.eventstore`` and the local RabbitMQ (a queue of its own,
deleted afterwards). Writer processes append single events, paced to ``--rate`` events/s in
all, each to a tenant drawn at random among ``--tenants``; each notes the wall time just after
its commit. One relay (``services.worker.relay``, woken by the debounced notification, polling
every tenant every 5 s) publishes to RabbitMQ with publisher confirms; a Dramatiq worker in
this process notes the wall time each job starts. Latency = pickup time - commit time, per
event. The writers start once the relay has made its first pass over every tenant; how long
that pass took is reported too (``poll_of_every_tenant_s``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import statistics
import sys
import threading
import time
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import dramatiq
import msgspec
from dramatiq.brokers.rabbitmq import RabbitmqBroker

from bench.eventstore import (
    CreditRecordedSample,
    bench_settings,
    make_store,
    prepare,
    register,
    sample,
)
from services.core.db import Database
from services.core.eventsourcing.store import ANY_VERSION
from services.worker.broker import build_broker
from services.worker.relay import Relay
from services.worker.runtime import Subscriptions
from tests.broker_support import delete_queue

ACTOR = "bench_pickup"


class Writer(NamedTuple):
    tenants: list[str]
    seconds: float
    rate: float
    seed: int


async def write(job: Writer) -> dict[str, float]:
    """Append paced single events to random tenants; return commit wall times by tenant:seq."""
    database, store = Database(bench_settings()), make_store()
    pick = random.Random(job.seed)
    committed: dict[str, float] = {}
    started = time.perf_counter()
    try:
        n = 0
        while (elapsed := time.perf_counter() - started) < job.seconds:
            if n > elapsed * job.rate:
                await asyncio.sleep(n / job.rate - elapsed)
            tenant = UUID(pick.choice(job.tenants))
            async with database.transaction(tenant) as tx:
                [event] = await store.append(
                    tx,
                    f"person-{n % 50}",
                    [sample(n)],
                    expected_version=ANY_VERSION,
                    event_ids=[uuid4()],
                )
            committed[f"{tenant}:{event.seq}"] = time.time()
            n += 1
    finally:
        await database.dispose()
    return committed


def _writer(job: Writer) -> dict[str, float]:
    return asyncio.run(write(job))


async def register_all(tenants: list[str]) -> None:
    database, store = Database(bench_settings()), make_store()
    try:
        for tenant in tenants:
            await register(database, store, UUID(tenant))
    finally:
        await database.dispose()


class RelayThread(threading.Thread):
    """The relay, run on its own event loop until ``stop``."""

    def __init__(self, tenants: list[str], broker: dramatiq.Broker) -> None:
        super().__init__()
        self.tenants = [UUID(t) for t in tenants]
        self.broker = broker
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping: asyncio.Event | None = None
        self.poll_all_s = 0.0

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self.loop, self.stopping = asyncio.get_running_loop(), asyncio.Event()
        database = Database(msgspec.structs.replace(bench_settings(), db_pool_size=10))
        tag = CreditRecordedSample.__struct_config__.tag
        relay = Relay(database, self.broker, Subscriptions({str(tag): (ACTOR,)}))

        async def list_tenants() -> list[UUID]:
            return self.tenants

        first_pass = asyncio.Event()

        async def on_first_pass() -> None:
            started = time.perf_counter()
            await first_pass.wait()
            self.poll_all_s = time.perf_counter() - started
            self.ready.set()

        try:
            await asyncio.gather(
                relay.run(list_tenants, poll_interval=5.0, stop=self.stopping, ready=first_pass),
                on_first_pass(),
            )
        finally:
            await database.dispose()

    def stop(self) -> None:
        self.ready.wait()
        assert self.loop is not None
        assert self.stopping is not None
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.join()


def percentile_ms(ordered: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of ``ordered`` seconds (nearest rank), in ms."""
    return round(ordered[max(int(len(ordered) * fraction) - 1, 0)] * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0, help="appends/s, all writers")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    settings = bench_settings()
    config = asyncio.run(prepare(settings))
    tenants = [str(uuid4()) for _ in range(args.tenants)]
    asyncio.run(register_all(tenants))

    queue = f"bench-relay-{uuid4().hex[:12]}"
    broker = build_broker(msgspec.structs.replace(settings, broker_queue=queue))
    assert isinstance(broker, RabbitmqBroker)
    picked: dict[str, float] = {}

    def pickup(tenant_id: str, event_id: str, seq: int, correlation_id: str | None) -> None:
        picked[f"{tenant_id}:{seq}"] = time.time()

    dramatiq.actor(broker=broker, actor_name=ACTOR, queue_name=queue, max_retries=0)(pickup)
    worker = dramatiq.Worker(broker, worker_threads=4, worker_timeout=100)
    worker.start()
    relay = RelayThread(tenants, broker)
    relay.start()
    try:
        relay.ready.wait()  # the relay listens and has made its first pass
        jobs = [
            Writer(tenants, args.seconds, args.rate / args.writers, seed)
            for seed in range(args.writers)
        ]
        with multiprocessing.get_context("spawn").Pool(args.writers) as pool:
            committed: dict[str, float] = {}
            for part in pool.map(_writer, jobs):
                committed.update(part)
        deadline = time.time() + 60
        while len(picked.keys() & committed.keys()) < len(committed) and time.time() < deadline:
            time.sleep(0.2)
    finally:
        relay.stop()
        worker.stop()
        delete_queue(broker, queue)
        broker.close()
    latencies = sorted(picked[key] - at for key, at in committed.items() if key in picked)
    print(f"  {len(committed)} appends, {len(latencies)} picked up", file=sys.stderr)
    report: dict[str, Any] = {
        "machine": {"postgres": config},
        "tenants": args.tenants,
        "appended": len(committed),
        "tenants_appended": len({key.split(":")[0] for key in committed}),
        "picked_up": len(latencies),
        "append_rate_per_s": round(len(committed) / args.seconds),
        "poll_of_every_tenant_s": round(relay.poll_all_s, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": percentile_ms(latencies, 0.95),
        "p99_ms": percentile_ms(latencies, 0.99),
        "max_ms": round(latencies[-1] * 1000, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
