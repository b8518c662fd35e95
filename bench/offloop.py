"""Time a cold whole-tenant computation of standings and how long the event loop waits meanwhile.

For each way of running the pure part of ``queries.standings_on`` (``--modes``: on the event
loop, in a worker thread as ``services.core.offloop`` does, in a process pool, or not at all:
``reads``, the database reads alone), computes every
person's standing of the tenant (``--tenant``, default the only one of ``--database``) with an
empty cache, while a probe on the same loop sleeps ``PROBE_S`` again and again and records how
late each wake-up is (what ``/health``, answered on the loop, waits). Prints JSON: the
computation's seconds and the probe's p50, p95 and worst lateness in ms, per mode.
Usage: ``python -m bench.offloop --database cmeledger_large``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any
from uuid import UUID

from bench.database import settings_for
from services.core.db import Database
from services.core.people import queries

PROBE_S = 0.01


async def _on_loop(work: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    return work(*args, **kwargs)


async def _skipped(work: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    return {}


def _in_processes(pool: ProcessPoolExecutor) -> Callable[..., Any]:
    async def run(work: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, functools.partial(work, *args, **kwargs))

    return run


async def _probe(lateness: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(PROBE_S)
        lateness.append(time.perf_counter() - started - PROBE_S)


async def measure(database: Database, tenant: UUID, runner: Callable[..., Any]) -> dict[str, Any]:
    """One cold computation with ``runner`` as ``queries.off_loop``."""
    queries.off_loop = runner  # type: ignore[assignment]
    lateness: list[float] = []
    stop = asyncio.Event()
    probing = asyncio.create_task(_probe(lateness, stop))
    started = time.perf_counter()
    async with database.transaction(tenant) as tx:
        found = await queries.standings_on(tx, today=date.today(), explained=False)
    seconds = time.perf_counter() - started
    stop.set()
    await probing
    ms = sorted(x * 1000 for x in lateness)
    return {
        "people": len(found),
        "computation_s": round(seconds, 2),
        "probe_p50_ms": round(statistics.median(ms), 1),
        "probe_p95_ms": round(ms[int(len(ms) * 0.95)], 1),
        "probe_worst_ms": round(ms[-1], 1),
        "load_average": os.getloadavg()[0],
    }


async def main_async(database_name: str, tenant: UUID | None, modes: list[str]) -> dict[str, Any]:
    database = Database(settings_for(database_name))
    original = queries.off_loop
    pool = ProcessPoolExecutor(max_workers=1)
    runners = {
        "reads": _skipped,
        "loop": _on_loop,
        "thread": original,
        "process": _in_processes(pool),
    }
    try:
        if tenant is None:
            async with database.connection() as conn:
                tenant = await conn.fetchval("SELECT tenant_id FROM tenants LIMIT 1")
        assert tenant is not None
        pool.submit(int).result()  # the worker started before it is timed
        return {mode: await measure(database, tenant, runners[mode]) for mode in modes}
    finally:
        queries.off_loop = original  # type: ignore[assignment]
        pool.shutdown()
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cmeledger_large")
    parser.add_argument("--tenant", type=UUID)
    parser.add_argument("--modes", nargs="+", default=["loop", "thread", "process"])
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args.database, args.tenant, args.modes)), indent=2))


if __name__ == "__main__":
    main()
