"""Concurrent writers: optimistic concurrency, atomic batches, and a skip-free tailing reader."""

from __future__ import annotations

import asyncio
import random
from uuid import UUID, uuid4

import pytest

from services.core.db import Database
from services.core.eventsourcing.store import ConcurrencyConflict, DuplicateEventIds, EventStore
from tests.support import NoteAdded, add_notes, append_one, make_store, register, registered_tenant

pytestmark = pytest.mark.integration


async def _racer(database: Database, store: EventStore, tenant: UUID, version: int) -> str:
    try:
        async with database.transaction(tenant) as tx:
            await store.append(
                tx, "race", [NoteAdded(text="mine")], expected_version=version, event_ids=[uuid4()]
            )
    except ConcurrencyConflict:
        return "conflict"
    return "won"


@pytest.mark.parametrize("racers", [2, 8])
async def test_racers_on_one_stream_version_exactly_one_wins(
    database: Database, racers: int
) -> None:
    store, tenant, rounds = make_store(), uuid4(), 10
    await register(database, store, tenant)
    for version in range(rounds):
        outcomes = await asyncio.gather(
            *(_racer(database, store, tenant, version) for _ in range(racers))
        )
        assert sorted(outcomes) == ["conflict"] * (racers - 1) + ["won"]
    async with database.transaction(tenant) as tx:
        stream = await store.read_stream(tx, "race")
        head_seq, _ = await store.head(tx)
    assert [e.stream_version for e in stream] == list(range(1, rounds + 1))
    assert head_seq == rounds


async def test_batch_with_a_bad_last_event_leaves_nothing(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    [existing] = await add_notes(database, store, tenant, "other", 1)

    reused_id = [uuid4(), uuid4(), existing.event_id]
    with pytest.raises(DuplicateEventIds):
        async with database.transaction(tenant) as tx:
            await store.append(
                tx,
                "s",
                [NoteAdded(text=str(i)) for i in range(3)],
                expected_version=0,
                event_ids=reused_id,
            )
    # PostgreSQL's jsonb refuses NUL characters: the last event fails inside the database.
    with pytest.raises(Exception, match=r"unsupported Unicode escape|\\u0000"):
        async with database.transaction(tenant) as tx:
            await store.append(
                tx,
                "s",
                [NoteAdded(text="ok"), NoteAdded(text="bad\x00")],
                expected_version=0,
                event_ids=[uuid4(), uuid4()],
            )

    async with database.transaction(tenant) as tx:
        assert await store.read_stream(tx, "s") == []
        assert (await store.head(tx))[0] == 1
    # The sequence stays dense after the failures.
    [after] = await add_notes(database, store, tenant, "s", 1)
    assert after.seq == 2


async def _writer(
    database: Database, store: EventStore, tenant: UUID, stream: str, count: int, rng: random.Random
) -> int:
    """Append ``count`` events one per transaction with 0-2 ms before commit; roll back some."""
    committed = 0
    version = 0
    while committed < count:
        rollback = rng.random() < 0.2
        try:
            async with database.transaction(tenant) as tx:
                await append_one(store, tx, stream, NoteAdded(text=f"{stream}-{version}"), version)
                await asyncio.sleep(rng.uniform(0, 0.002))
                if rollback:
                    raise _Rollback
        except _Rollback:
            continue
        version += 1
        committed += 1
    return committed


class _Rollback(Exception):
    pass


async def test_tailing_reader_misses_nothing_under_concurrent_writers(database: Database) -> None:
    store, tenants = make_store(), [uuid4(), uuid4()]
    for tenant in tenants:
        await register(database, store, tenant)
    writers_per_tenant, per_writer = 4, 40
    rng = random.Random(7)
    seen: dict[UUID, list[int]] = {tenant: [] for tenant in tenants}
    done = asyncio.Event()

    async def tail(tenant: UUID) -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            async with database.transaction(tenant) as tx:
                page = await store.read_history(tx, after_seq=cursor, limit=50)
            seen[tenant] += [e.seq for e in page]
            if page:
                cursor = page[-1].seq
            elif finished:
                return
            else:
                await asyncio.sleep(0.001)

    readers = [asyncio.create_task(tail(tenant)) for tenant in tenants]
    await asyncio.gather(
        *(
            _writer(database, store, tenant, f"w{w}", per_writer, random.Random(rng.random()))
            for tenant in tenants
            for w in range(writers_per_tenant)
        )
    )
    done.set()
    await asyncio.gather(*readers)

    total = writers_per_tenant * per_writer
    for tenant in tenants:
        assert seen[tenant] == list(range(1, total + 1)), "missed, duplicated or reordered"
        async with database.transaction(tenant) as tx:
            history = await store.read_history(tx, limit=total + 10)
        assert [e.seq for e in history] == list(range(1, total + 1))
