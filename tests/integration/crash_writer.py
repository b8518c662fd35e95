"""A writer process for the crash test: appends batches forever, printing each acknowledgement.

Usage: python -m tests.integration.crash_writer TENANT WRITER
Batch ``i`` of writer ``w`` holds three events with ids derived from (tenant, w, i), so a retry
after a crash can resend exactly the same events.
"""

from __future__ import annotations

import asyncio
import sys
from uuid import NAMESPACE_URL, UUID, uuid5

from services.core.db import Database
from services.core.settings import load_settings
from tests.support import NoteAdded, make_store

BATCH = 3


def batch_ids(tenant: UUID, writer: int, batch: int) -> list[UUID]:
    return [uuid5(NAMESPACE_URL, f"crash/{tenant}/{writer}/{batch}/{j}") for j in range(BATCH)]


def batch_events(writer: int, batch: int) -> list[NoteAdded]:
    return [NoteAdded(text=f"w{writer} b{batch} e{j}") for j in range(BATCH)]


async def main(tenant: UUID, writer: int) -> None:
    database, store = Database(load_settings()), make_store()
    batch = 0
    while True:
        async with database.transaction(tenant) as tx:
            await store.append(
                tx,
                f"w{writer}",
                batch_events(writer, batch),
                expected_version=batch * BATCH,
                event_ids=batch_ids(tenant, writer, batch),
            )
        print(f"ack {batch}", flush=True)
        batch += 1


if __name__ == "__main__":
    asyncio.run(main(UUID(sys.argv[1]), int(sys.argv[2])))
