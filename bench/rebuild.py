"""Rebuild benchmark: every projection of a tenant dropped and replayed, next to reading the same
events. Prints JSON.

    .venv/bin/python -m bench.rebuild [--database cmeledger_large] [--tenant ID]

Runs on an existing database (by default the large tenant of ``bench.load.seed``) and leaves
its read models as a rebuild leaves them: identical. Per tenant, in the order measured: the
baseline, the tenant's events read in the rebuild's own pages (``read_history``, ``PAGE_SIZE``
at a time) with nothing applied, once to warm the cache and once timed; then the rebuild, as
``cmeledger rebuild-projections`` runs it (head lock, every registered projection reset and
caught up in one transaction). ``ratio`` is the rebuild's events/s over the read's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any
from uuid import UUID

from bench.database import settings_for
from bench.load.seed import DATABASE
from services.core.db import Database
from services.core.eventsourcing.store import read_history
from services.core.projections import PAGE_SIZE, ProjectionRunner
from services.core.registry import build_event_store
from services.main import list_tenants


async def read_all(database: Database, tenant: UUID) -> tuple[int, float]:
    """The tenant's events read page by page as a rebuild reads them: (events, seconds)."""
    started, read, cursor = time.perf_counter(), 0, 0
    async with database.transaction(tenant) as tx:
        while page := await read_history(tx, after_seq=cursor, limit=PAGE_SIZE):
            read, cursor = read + len(page), page[-1].seq
    return read, time.perf_counter() - started


async def rebuild(database: Database, tenant: UUID) -> tuple[int, float]:
    """Every projection of the tenant rebuilt as the command does: (events, seconds)."""
    store = build_event_store()
    assert isinstance(store.projections, ProjectionRunner)
    started = time.perf_counter()
    async with database.transaction(tenant) as tx:
        await store.lock_head(tx)
        replayed = await store.projections.rebuild(tx)
    return replayed, time.perf_counter() - started


async def measure(database_name: str, tenant: UUID | None) -> dict[str, Any]:
    database = Database(settings_for(database_name))
    try:
        tenants = [tenant] if tenant else await list_tenants(database)
        figures = []
        for tenant_id in tenants:
            await read_all(database, tenant_id)
            read, read_s = await read_all(database, tenant_id)
            replayed, rebuild_s = await rebuild(database, tenant_id)
            if not replayed:
                continue
            figures.append(
                {
                    "tenant": str(tenant_id),
                    "events": replayed,
                    "rebuild_s": round(rebuild_s, 2),
                    "events_per_s": round(replayed / rebuild_s),
                    "read_events_per_s": round(read / read_s),
                    "ratio": round(replayed / rebuild_s / (read / read_s), 3),
                }
            )
    finally:
        await database.dispose()
    return {"database": database_name, "tenants": figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--tenant", type=UUID, help="one tenant (default: every tenant)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.database, args.tenant)), indent=2))


if __name__ == "__main__":
    main()
