"""Appending and reading: dense sequence, stream versions, metadata, idempotent retries."""

from __future__ import annotations

import itertools
from uuid import uuid4

import pytest

from services.core.db import Database
from services.core.eventsourcing.chain import GENESIS_HASH
from services.core.eventsourcing.store import (
    ANY_VERSION,
    ConcurrencyConflict,
    DuplicateEventIds,
    Metadata,
    UnknownTenant,
)
from tests.support import CounterSet, NoteAdded, add_notes, make_store, registered_tenant

pytestmark = pytest.mark.integration


async def test_appends_get_dense_tenant_sequence_and_stream_versions(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    await add_notes(database, store, tenant, "person-a", 3)
    await add_notes(database, store, tenant, "person-b", 4, batch=2)

    async with database.transaction(tenant) as tx:
        history = await store.read_history(tx)
        stream_b = await store.read_stream(tx, "person-b")
        head = await store.head(tx)

    assert [e.seq for e in history] == [1, 2, 3, 4, 5, 6, 7]
    assert [e.stream_version for e in stream_b] == [1, 2, 3, 4]
    assert history[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(history))
    assert head == (7, history[-1].hash)
    assert history[0].metadata == {"actor_id": "tester", "actor_role": "owner"}


async def test_history_pages_by_last_seq(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    await add_notes(database, store, tenant, "s", 7, batch=7)
    seen: list[int] = []
    async with database.transaction(tenant) as tx:
        while page := await store.read_history(tx, after_seq=seen[-1] if seen else 0, limit=3):
            seen += [e.seq for e in page]
    assert seen == list(range(1, 8))


async def test_stale_expected_version_raises_conflict_and_writes_nothing(
    database: Database,
) -> None:
    store, tenant = await registered_tenant(database)
    await add_notes(database, store, tenant, "s", 2)
    with pytest.raises(ConcurrencyConflict) as conflict:
        async with database.transaction(tenant) as tx:
            await store.append(
                tx, "s", [NoteAdded(text="late")], expected_version=1, event_ids=[uuid4()]
            )
    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    async with database.transaction(tenant) as tx:
        assert (await store.head(tx))[0] == 2


async def test_retry_with_same_event_ids_returns_original_result(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    ids = [uuid4(), uuid4()]
    events = [NoteAdded(text="one"), CounterSet(value=3, unit="credits")]
    async with database.transaction(tenant) as tx:
        first = await store.append(tx, "s", events, expected_version=0, event_ids=ids)
    async with database.transaction(tenant) as tx:
        retried = await store.append(tx, "s", events, expected_version=0, event_ids=ids)
        history = await store.read_history(tx)
    assert retried == first
    assert len(history) == 2


async def test_reusing_event_ids_for_other_content_is_refused(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    event_id = uuid4()
    async with database.transaction(tenant) as tx:
        await store.append(tx, "s", [NoteAdded(text="a")], expected_version=0, event_ids=[event_id])
    for events, ids in [
        ([NoteAdded(text="b")], [event_id]),
        ([NoteAdded(text="a"), NoteAdded(text="c")], [event_id, uuid4()]),
    ]:
        with pytest.raises(DuplicateEventIds):
            async with database.transaction(tenant) as tx:
                await store.append(tx, "s", events, expected_version=ANY_VERSION, event_ids=ids)


async def test_append_for_unregistered_tenant_is_refused(database: Database) -> None:
    store = make_store()
    with pytest.raises(UnknownTenant):
        async with database.transaction(uuid4()) as tx:
            await store.append(
                tx, "s", [NoteAdded(text="x")], expected_version=0, event_ids=[uuid4()]
            )


async def test_metadata_and_decoding_round_trip(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    meta = Metadata(
        actor_id="u1", actor_role="admin", request_id="r1", correlation_id="c1", causation_id="e0"
    )
    async with database.transaction(tenant) as tx:
        [recorded] = await store.append(
            tx,
            "s",
            [NoteAdded(text="Ünïcode ✓")],
            expected_version=0,
            event_ids=[uuid4()],
            metadata=meta,
        )
        [stored] = await store.read_stream(tx, "s")
    assert stored == recorded
    assert stored.metadata["correlation_id"] == "c1"
    assert store.decode(stored) == NoteAdded(text="Ünïcode ✓")
