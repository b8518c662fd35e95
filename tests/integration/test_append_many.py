"""``EventStore.append_many``: several streams in one atomic, chained, projected batch."""

from __future__ import annotations

import pytest

from services.core.db import Database
from services.core.eventsourcing.chain_check import verify_chain
from services.core.eventsourcing.store import ConcurrencyConflict, DuplicateEventIds, StreamAppend
from tests.support import NoteAdded, add_notes, notes, registered_tenant

pytestmark = pytest.mark.integration


async def test_several_streams_are_appended_in_one_chained_batch(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    await add_notes(database, store, tenant, "s-a", 2)
    async with database.transaction(tenant) as tx:
        recorded = await store.append_many(tx, [notes("s-a", 2, 2), notes("s-b", 3)])
    assert [(e.stream_id, e.stream_version, e.seq) for e in recorded] == [
        ("s-a", 3, 3),
        ("s-a", 4, 4),
        ("s-b", 1, 5),
        ("s-b", 2, 6),
        ("s-b", 3, 7),
    ]
    async with database.transaction(tenant) as tx:
        assert (await verify_chain(tx, store)).first_break is None
        summaries = await tx.pg.fetch(
            "SELECT stream_id, version, event_count FROM stream_summaries"
            " WHERE tenant_id = $1 ORDER BY stream_id",
            tenant,
        )
    assert [tuple(r) for r in summaries] == [("s-a", 4, 4), ("s-b", 3, 3)]


@pytest.mark.parametrize("problem", ["stale version", "stored id", "same stream twice"])
async def test_a_refused_batch_writes_nothing(database: Database, problem: str) -> None:
    store, tenant = await registered_tenant(database)
    [stored] = await add_notes(database, store, tenant, "s-a", 1)
    batch = {
        "stale version": [notes("s-b", 1), notes("s-a", 1, 0)],
        "stored id": [
            notes("s-b", 1),
            StreamAppend("s-c", [NoteAdded(text="x")], 0, [stored.event_id]),
        ],
        "same stream twice": [notes("s-b", 1), notes("s-b", 1)],
    }[problem]
    error = {
        "stale version": ConcurrencyConflict,
        "stored id": DuplicateEventIds,
        "same stream twice": ValueError,
    }[problem]
    with pytest.raises(error):
        async with database.transaction(tenant) as tx:
            await store.append_many(tx, batch)
    async with database.transaction(tenant) as tx:
        assert [e.stream_id for e in await store.read_history(tx)] == ["s-a"]
