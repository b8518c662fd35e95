"""The event-store contract, run against every adapter: PostgreSQL and in memory.

Each test drives the port only (``EventStore`` and a unit of work per transaction), so an
adapter that passes them all can stand in for the other. The PostgreSQL case is marked
``integration`` (deselect it with ``-m 'not integration'`` when no database is around); the
in-memory case needs no I/O.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta, timezone
from typing import NamedTuple
from uuid import UUID, uuid4

import pytest

from services.core.db import Database
from services.core.eventsourcing.chain import GENESIS_HASH
from services.core.eventsourcing.chain_check import ChainWalk
from services.core.eventsourcing.memory import InMemoryEventStore
from services.core.eventsourcing.store import (
    ANY_VERSION,
    ConcurrencyConflict,
    DuplicateEventIds,
    EventStore,
    Metadata,
    RecordedEvent,
    StreamAppend,
    UnitOfWork,
    UnknownTenant,
)
from tests.support import CounterSet, NoteAdded, make_registry, make_store, notes


class Backend(NamedTuple):
    """An adapter and how to open one of its units of work for a tenant."""

    store: EventStore
    transaction: Callable[[UUID], AbstractAsyncContextManager[UnitOfWork]]


@pytest.fixture(
    params=[
        pytest.param("postgresql", marks=pytest.mark.integration),
        pytest.param("in-memory", marks=pytest.mark.unit),
    ]
)
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "in-memory":
        memory = InMemoryEventStore(make_registry())
        return Backend(memory, memory.transaction)
    database: Database = request.getfixturevalue("database")
    return Backend(make_store(), database.transaction)


async def registered(backend: Backend) -> UUID:
    tenant = uuid4()
    async with backend.transaction(tenant) as tx:
        await backend.store.register_tenant(tx)
    return tenant


async def add_notes(
    backend: Backend, tenant: UUID, stream: str, texts: list[str], expected_version: int
) -> list[RecordedEvent]:
    async with backend.transaction(tenant) as tx:
        return await backend.store.append(
            tx,
            stream,
            [NoteAdded(text=text) for text in texts],
            expected_version=expected_version,
            event_ids=[uuid4() for _ in texts],
            metadata=Metadata(actor_id="tester", actor_role="owner"),
        )


async def history(backend: Backend, tenant: UUID) -> list[RecordedEvent]:
    async with backend.transaction(tenant) as tx:
        return await backend.store.read_history(tx, limit=10_000)


class RolledBack(Exception):
    """Raised inside a unit of work only to end it with an error."""


async def test_appended_events_read_back_as_recorded(backend: Backend) -> None:
    store, tenant = backend.store, await registered(backend)
    appended = await add_notes(backend, tenant, "s-a", ["one", "two"], 0)
    async with backend.transaction(tenant) as tx:
        assert await store.read_stream(tx, "s-a") == appended
        assert await store.read_stream(tx, "s-a", after_version=1) == appended[1:]
        assert await store.read_stream(tx, "s-other") == []
    assert [(e.stream_id, e.stream_version, e.event_type) for e in appended] == [
        ("s-a", 1, "test.NoteAdded"),
        ("s-a", 2, "test.NoteAdded"),
    ]
    assert appended[0].tenant_id == tenant
    assert appended[0].data == {"text": "one"}
    assert appended[0].metadata == {"actor_id": "tester", "actor_role": "owner"}


async def test_a_unit_of_work_reads_its_own_appends(backend: Backend) -> None:
    store, tenant = backend.store, await registered(backend)
    async with backend.transaction(tenant) as tx:
        appended = await store.append(
            tx, "s", [NoteAdded(text="x")], expected_version=0, event_ids=[uuid4()]
        )
        assert await store.read_stream(tx, "s") == appended
        assert await store.head(tx) == (1, appended[0].hash)


async def test_the_sequence_is_dense_per_tenant_across_streams(backend: Backend) -> None:
    store, tenant = backend.store, await registered(backend)
    await add_notes(backend, tenant, "s-a", ["a1"], 0)
    await add_notes(backend, tenant, "s-b", ["b1", "b2"], 0)
    await add_notes(backend, tenant, "s-a", ["a2"], 1)
    events = await history(backend, tenant)
    assert [(e.seq, e.stream_id, e.stream_version) for e in events] == [
        (1, "s-a", 1),
        (2, "s-b", 1),
        (3, "s-b", 2),
        (4, "s-a", 2),
    ]
    async with backend.transaction(tenant) as tx:
        assert await store.head(tx) == (4, events[-1].hash)
        assert await store.lock_head(tx) == (4, events[-1].hash)


async def test_every_event_links_into_the_tenants_hash_chain(backend: Backend) -> None:
    tenant = await registered(backend)
    await add_notes(backend, tenant, "s-a", ["a1", "a2"], 0)
    async with backend.transaction(tenant) as tx:
        await backend.store.append_many(tx, [notes("s-b", 2), notes("s-c", 1)])
    events = await history(backend, tenant)
    walk = ChainWalk()
    assert all(walk.add(event) for event in events), walk.first_break
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    async with backend.transaction(tenant) as tx:
        assert await backend.store.head(tx) == (walk.checked, walk.prev) == (5, events[-1].hash)


async def test_a_stale_expected_version_conflicts_and_writes_nothing(backend: Backend) -> None:
    store, tenant = backend.store, await registered(backend)
    await add_notes(backend, tenant, "s", ["one", "two"], 0)
    for stale in (0, 1, 3):
        with pytest.raises(ConcurrencyConflict) as conflict:
            await add_notes(backend, tenant, "s", ["late"], stale)
        assert (conflict.value.stream_id, conflict.value.expected, conflict.value.actual) == (
            "s",
            stale,
            2,
        )
    async with backend.transaction(tenant) as tx:
        assert (await store.head(tx))[0] == 2
    [unchecked] = await add_notes(backend, tenant, "s", ["any"], ANY_VERSION)
    assert (unchecked.seq, unchecked.stream_version) == (3, 3)


async def test_concurrent_appends_at_one_version_let_exactly_one_win(backend: Backend) -> None:
    """Each racer commits a little after appending: the others must wait for the tenant's head,
    then find the stream moved on."""
    store, tenant = backend.store, await registered(backend)

    async def racer(n: int) -> list[RecordedEvent]:
        async with backend.transaction(tenant) as tx:
            recorded = await store.append(
                tx, "s", [NoteAdded(text=f"racer {n}")], expected_version=0, event_ids=[uuid4()]
            )
            await asyncio.sleep(0.01)
            return recorded

    outcomes = await asyncio.gather(*(racer(n) for n in range(4)), return_exceptions=True)
    winners = [o for o in outcomes if isinstance(o, list)]
    assert len(winners) == 1
    assert all(isinstance(o, ConcurrencyConflict) for o in outcomes if o not in winners)
    assert await history(backend, tenant) == winners[0]


async def test_a_retry_with_the_same_ids_and_content_returns_the_stored_events(
    backend: Backend,
) -> None:
    store, tenant = backend.store, await registered(backend)
    ids = [uuid4(), uuid4()]
    events = [NoteAdded(text="one"), CounterSet(value=3, unit="credits")]
    meta = Metadata(actor_id="u1", request_id="r1")
    async with backend.transaction(tenant) as tx:
        first = await store.append(
            tx, "s", events, expected_version=0, event_ids=ids, metadata=meta
        )
    await add_notes(backend, tenant, "s", ["later"], 2)
    async with backend.transaction(tenant) as tx:
        retried = await store.append(
            tx, "s", events, expected_version=0, event_ids=ids, metadata=meta
        )
    assert retried == first
    assert len(await history(backend, tenant)) == 3


@pytest.mark.parametrize(
    "reuse", ["other content", "other stream", "other metadata", "partly new", "twice in one"]
)
async def test_reusing_event_ids_otherwise_is_refused(backend: Backend, reuse: str) -> None:
    store, tenant = backend.store, await registered(backend)
    event_id = uuid4()
    async with backend.transaction(tenant) as tx:
        await store.append(tx, "s", [NoteAdded(text="a")], expected_version=0, event_ids=[event_id])
    stream, events, ids, meta = {
        "other content": ("s", [NoteAdded(text="b")], [event_id], None),
        "other stream": ("s-2", [NoteAdded(text="a")], [event_id], None),
        "other metadata": ("s", [NoteAdded(text="a")], [event_id], Metadata(actor_id="x")),
        "partly new": ("s", [NoteAdded(text="a"), NoteAdded(text="c")], [event_id, uuid4()], None),
        "twice in one": ("s-3", [NoteAdded(text="d"), NoteAdded(text="e")], [uuid4()] * 2, None),
    }[reuse]
    with pytest.raises(DuplicateEventIds):
        async with backend.transaction(tenant) as tx:
            await store.append(
                tx, stream, events, expected_version=ANY_VERSION, event_ids=ids, metadata=meta
            )
    assert len(await history(backend, tenant)) == 1


async def test_a_batch_appends_several_streams_in_order(backend: Backend) -> None:
    tenant = await registered(backend)
    await add_notes(backend, tenant, "s-a", ["a1", "a2"], 0)
    async with backend.transaction(tenant) as tx:
        recorded = await backend.store.append_many(tx, [notes("s-a", 2, 2), notes("s-b", 1)])
        assert await backend.store.append_many(tx, []) == []
    assert [(e.stream_id, e.stream_version, e.seq) for e in recorded] == [
        ("s-a", 3, 3),
        ("s-a", 4, 4),
        ("s-b", 1, 5),
    ]
    assert (await history(backend, tenant))[2:] == recorded


@pytest.mark.parametrize("problem", ["stale version", "stored id", "same stream twice"])
async def test_a_refused_batch_writes_nothing(backend: Backend, problem: str) -> None:
    tenant = await registered(backend)
    [stored] = await add_notes(backend, tenant, "s-a", ["a1"], 0)
    batch, error = {
        "stale version": ([notes("s-b", 2), notes("s-a", 1, 0)], ConcurrencyConflict),
        "stored id": (
            [notes("s-b", 1), StreamAppend("s-c", [NoteAdded(text="x")], 0, [stored.event_id])],
            DuplicateEventIds,
        ),
        "same stream twice": ([notes("s-b", 1), notes("s-b", 1)], ValueError),
    }[problem]
    with pytest.raises(error):
        async with backend.transaction(tenant) as tx:
            await backend.store.append_many(tx, batch)
    assert await history(backend, tenant) == [stored]


async def append_then_fail(backend: Backend, tenant: UUID) -> None:
    """Append to two streams in one unit of work, then end it with an error."""
    async with backend.transaction(tenant) as tx:
        await backend.store.append(
            tx, "s-a", [NoteAdded(text="x")], expected_version=0, event_ids=[uuid4()]
        )
        await backend.store.append_many(tx, [notes("s-b", 2)])
        raise RolledBack


async def test_a_unit_of_work_that_fails_after_appending_leaves_nothing(
    backend: Backend,
) -> None:
    tenant = await registered(backend)
    with pytest.raises(RolledBack):
        await append_then_fail(backend, tenant)
    assert await history(backend, tenant) == []
    [first] = await add_notes(backend, tenant, "s-a", ["after"], 0)
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)


async def test_tenants_are_isolated_even_on_one_stream_id(backend: Backend) -> None:
    store = backend.store
    first, second = await registered(backend), await registered(backend)
    await add_notes(backend, first, "person-1", ["first's"], 0)
    await add_notes(backend, second, "person-1", ["second's a", "second's b"], 0)
    for tenant, texts in [(first, ["first's"]), (second, ["second's a", "second's b"])]:
        async with backend.transaction(tenant) as tx:
            stream = await store.read_stream(tx, "person-1")
            events = await store.read_history(tx)
        assert [e.data["text"] for e in stream] == texts
        assert events == stream
        assert [e.seq for e in events] == list(range(1, len(texts) + 1))
        assert {e.tenant_id for e in events} == {tenant}
        assert events[0].prev_hash == GENESIS_HASH


async def test_an_unregistered_tenant_is_refused(backend: Backend) -> None:
    store, tenant = backend.store, uuid4()
    with pytest.raises(UnknownTenant):
        await add_notes(backend, tenant, "s", ["x"], 0)
    with pytest.raises(UnknownTenant):
        async with backend.transaction(tenant) as tx:
            await store.append_many(tx, [notes("s", 1)])
    with pytest.raises(UnknownTenant):
        async with backend.transaction(tenant) as tx:
            await store.head(tx)


async def test_registering_a_tenant_twice_keeps_its_chain(backend: Backend) -> None:
    tenant = await registered(backend)
    [event] = await add_notes(backend, tenant, "s", ["x"], 0)
    async with backend.transaction(tenant) as tx:
        await backend.store.register_tenant(tx)
        assert await backend.store.head(tx) == (1, event.hash)


async def test_history_pages_from_a_seq_up_to_a_limit_and_a_last_seq(backend: Backend) -> None:
    store, tenant = backend.store, await registered(backend)
    await add_notes(backend, tenant, "s", [f"n{n}" for n in range(7)], 0)
    seen: list[int] = []
    async with backend.transaction(tenant) as tx:
        while page := await store.read_history(tx, after_seq=seen[-1] if seen else 0, limit=3):
            assert len(page) <= 3
            seen += [e.seq for e in page]
        bounded = await store.read_history(tx, after_seq=2, through_seq=5)
        assert await store.read_history(tx, after_seq=7) == []
    assert seen == list(range(1, 8))
    assert [e.seq for e in bounded] == [3, 4, 5]


async def test_events_decode_to_what_was_appended_and_keep_their_metadata(
    backend: Backend,
) -> None:
    store, tenant = backend.store, await registered(backend)
    meta = Metadata(
        actor_id="u1", actor_role="admin", request_id="r1", correlation_id="c1", causation_id="e0"
    )
    appended = [NoteAdded(text="Ünïcode ✓"), CounterSet(value=3, unit="credits")]
    async with backend.transaction(tenant) as tx:
        recorded = await store.append(
            tx, "s", appended, expected_version=0, event_ids=[uuid4(), uuid4()], metadata=meta
        )
    async with backend.transaction(tenant) as tx:
        stored = await store.read_stream(tx, "s")
    assert stored == recorded
    assert [store.decode(e) for e in stored] == appended
    assert stored[0].metadata == {
        "actor_id": "u1",
        "actor_role": "admin",
        "request_id": "r1",
        "correlation_id": "c1",
        "causation_id": "e0",
    }


async def test_events_are_stamped_by_the_stores_clock_in_utc(backend: Backend) -> None:
    store, tenant = backend.store, await registered(backend)
    moment = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    store.clock = lambda: moment
    [event] = await add_notes(backend, tenant, "s", ["x"], 0)
    [stored] = await history(backend, tenant)
    assert event.recorded_at == stored.recorded_at == moment
    assert stored.recorded_at.utcoffset() == timedelta(0)
