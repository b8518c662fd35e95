"""Rebuild every projection of a seeded tenant, next to reading the same events in the same run.

    .venv/bin/python -m bench.rebuild [--staff 3000] [--credits-per-person 30] [--reuse TENANT]
        [--database NAME]

Seeds ``cmeledger_bench_rebuild`` (or ``--database``) as ``bench.load.seed`` does (``--reuse``:
measure the tenant a previous run seeded there instead, e.g. the large tenant with
``--database cmeledger_large``), then times, in one run: the replay read (``read_history``
pages of the rebuild's size, decoded: the baseline), and ``ProjectionRunner.rebuild`` of the
tenant as ``cmeledger rebuild-projections`` runs it. Prints JSON with events/s of both, their
ratio, the machine's load average and the seed's figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from typing import Any
from uuid import UUID

from bench.database import settings_for
from bench.eventstore import timed_rebuild
from bench.load.seed import seed
from services.core.db import Database
from services.core.eventsourcing.store import read_history
from services.core.projections import REBUILD_PAGE
from services.core.registry import build_event_store

DATABASE = "cmeledger_bench_rebuild"


async def measure(tenant: UUID, database_name: str) -> dict[str, Any]:
    database, store = Database(settings_for(database_name)), build_event_store()
    try:
        started, read, cursor = time.perf_counter(), 0, 0
        async with database.transaction(tenant) as tx:
            while page := await read_history(tx, after_seq=cursor, limit=REBUILD_PAGE):
                read, cursor = read + len(page), page[-1].seq
        read_s = time.perf_counter() - started
        rebuilt, rebuild_s = await timed_rebuild(database, store, tenant)
    finally:
        await database.dispose()
    return {
        "tenant": str(tenant),
        "events": rebuilt,
        "replay_read_s": round(read_s, 2),
        "replay_read_events_per_s": round(read / read_s),
        "rebuild_s": round(rebuild_s, 2),
        "rebuild_events_per_s": round(rebuilt / rebuild_s),
        "ratio": round(read_s / rebuild_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=3_000)
    parser.add_argument("--credits-per-person", type=int, default=30)
    parser.add_argument("--reuse", type=UUID, metavar="TENANT", help="a tenant seeded before")
    parser.add_argument("--database", default=DATABASE, help="seeded afresh unless --reuse")
    args = parser.parse_args()
    if not args.reuse and not args.database.startswith(DATABASE):
        parser.error(f"seeding drops the database first: name one starting {DATABASE}")
    seeded = (
        None
        if args.reuse
        else asyncio.run(seed(args.staff, args.credits_per_person, args.database))
    )
    tenant = args.reuse or UUID(str(seeded and seeded["tenant"]))
    before = os.getloadavg()[0]
    report = asyncio.run(measure(tenant, args.database))
    report["load_average"] = [round(before, 1), round(os.getloadavg()[0], 1)]
    print(json.dumps({"rebuild": report, "seed": seeded}, indent=2))


if __name__ == "__main__":
    main()
