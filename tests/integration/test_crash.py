"""A writer killed with SIGKILL mid-append loses no acknowledged event and leaves no partial
batch; a retry with the same event ids creates no duplicate; appends work afterwards."""

from __future__ import annotations

import asyncio
import sys

import pytest

from services.core.db import Database
from services.core.settings import Settings
from tests.conftest import ROOT, settings_env
from tests.integration.crash_writer import BATCH, batch_events, batch_ids
from tests.support import add_notes, registered_tenant

pytestmark = pytest.mark.integration
WRITERS = 3


async def _acks_until_killed(settings: Settings, tenant: str, writer: int) -> list[int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.crash_writer",
        tenant,
        str(writer),
        cwd=ROOT,
        env=settings_env(settings),
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    acks: list[int] = []
    while len(acks) < 15 + 5 * writer:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
        assert line, "writer exited early"
        acks.append(int(line.split()[1]))
    process.kill()  # SIGKILL: no clean-up, possibly between commit and acknowledgement
    rest = await process.stdout.read()
    acks += [int(line.split()[1]) for line in rest.decode().splitlines() if line]
    await process.wait()
    return acks


async def test_killed_writers_lose_no_acknowledged_event(
    database: Database, migrated: Settings
) -> None:
    store, tenant = await registered_tenant(database)
    acked = await asyncio.gather(
        *(_acks_until_killed(migrated, str(tenant), w) for w in range(WRITERS))
    )

    async with database.transaction(tenant) as tx:
        history = await store.read_history(tx, limit=100_000)
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    for writer, acks in enumerate(acked):
        stream = [e for e in history if e.stream_id == f"w{writer}"]
        stored_batches, remainder = divmod(len(stream), BATCH)
        assert remainder == 0, "a partial batch is visible"
        assert acks == list(range(len(acks)))
        assert stored_batches in (len(acks), len(acks) + 1), "acknowledged batch lost"
        for batch in range(stored_batches):
            ids = batch_ids(tenant, writer, batch)
            assert [e.event_id for e in stream[batch * BATCH : (batch + 1) * BATCH]] == ids

        # The writer's client would now retry its unacknowledged batch with the same ids.
        retry = len(acks)
        async with database.transaction(tenant) as tx:
            result = await store.append(
                tx,
                f"w{writer}",
                batch_events(writer, retry),
                expected_version=retry * BATCH,
                event_ids=batch_ids(tenant, writer, retry),
            )
            after = await store.read_stream(tx, f"w{writer}")
        assert [e.event_id for e in result] == batch_ids(tenant, writer, retry)
        assert len(after) == (retry + 1) * BATCH, "the retry duplicated or lost events"

    [fresh] = await add_notes(database, store, tenant, "after-crash", 1)
    async with database.transaction(tenant) as tx:
        assert fresh.seq == (await store.head(tx))[0]
