"""Projections: inline in the append transaction, forward-only checkpoints, exactly-once effect
under duplicate deliveries and crashes, catch-up of a projection that is behind, and rebuilds."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

import asyncpg
import pytest

from domain.shared.event import EventRegistry
from services.core.db import Database, Tx
from services.core.eventsourcing import checkpoints
from services.core.eventsourcing.checkpoints import CheckpointMismatch
from services.core.eventsourcing.store import RecordedEvent
from services.core.projections import ProjectionRunner, process_delivered, reset
from services.core.projections.streams import StreamSummaries
from services.core.registry import EVENT_TYPES, build_projections
from services.core.settings import Settings
from tests.conftest import run_cli
from tests.support import CounterSet, add_notes, append_one, make_store, register, registered_tenant

pytestmark = pytest.mark.integration


async def _summaries(database: Database, tenant) -> list[tuple]:
    async with database.transaction(tenant) as tx:
        rows = await tx.pg.fetch(
            "SELECT stream_id, version, event_count, first_recorded_at, last_recorded_at,"
            " last_event_type FROM stream_summaries ORDER BY stream_id"
        )
    return [tuple(row) for row in rows]


class CrashAfterApply(Exception):
    pass


class Crashing(StreamSummaries):
    """Writes its read model, then dies before the checkpoint moves."""

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        await super().apply(tx, events)
        raise CrashAfterApply


async def test_inline_projection_updates_in_the_append_transaction(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    await add_notes(database, store, tenant, "a", 3, batch=2)
    await add_notes(database, store, tenant, "b", 1)
    summaries = await _summaries(database, tenant)
    assert [(s[0], s[1], s[2], s[5]) for s in summaries] == [
        ("a", 3, 3, "test.NoteAdded"),
        ("b", 1, 1, "test.NoteAdded"),
    ]
    async with database.transaction(tenant) as tx:
        assert await checkpoints.position(tx, "stream_summaries") == 4


async def test_checkpoint_never_moves_backwards(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    await add_notes(database, store, tenant, "a", 5)
    for target in (5, 3):
        with pytest.raises(asyncpg.exceptions.UniqueViolationError, match="forward"):
            async with database.transaction(tenant) as tx:
                await checkpoints.advance(tx, "stream_summaries", target)
    async with database.transaction(tenant) as tx:
        assert await checkpoints.position(tx, "stream_summaries") == 5


async def test_duplicate_deliveries_apply_once(database: Database) -> None:
    store, tenant = make_store([]), uuid4()
    await register(database, store, tenant)
    events = await add_notes(database, store, tenant, "a", 4)
    consumer = StreamSummaries()
    applied = []
    for delivery in (events[:2], events[:2], events[1:], events):
        async with database.transaction(tenant) as tx:
            applied.append(await process_delivered(tx, consumer, delivery))
    assert applied == [2, 0, 2, 0]
    [(stream, version, count, *_)] = await _summaries(database, tenant)
    assert (stream, version, count) == ("a", 4, 4)


async def test_delivery_that_would_skip_events_is_refused(database: Database) -> None:
    store, tenant = make_store([]), uuid4()
    await register(database, store, tenant)
    events = await add_notes(database, store, tenant, "a", 4)
    with pytest.raises(CheckpointMismatch):
        async with database.transaction(tenant) as tx:
            await process_delivered(tx, StreamSummaries(), events[2:])


async def test_crash_between_read_model_write_and_checkpoint_applies_once(
    database: Database,
) -> None:
    store, tenant = make_store([]), uuid4()
    await register(database, store, tenant)
    events = await add_notes(database, store, tenant, "a", 3)
    with pytest.raises(CrashAfterApply):
        async with database.transaction(tenant) as tx:
            await process_delivered(tx, Crashing(), events)
    assert await _summaries(database, tenant) == []
    async with database.transaction(tenant) as tx:
        assert await process_delivered(tx, StreamSummaries(), events) == 3
    [(_, version, count, *_)] = await _summaries(database, tenant)
    assert (version, count) == (3, 3)


async def test_projection_that_is_behind_catches_up_before_new_events(
    database: Database,
) -> None:
    store, tenant = make_store([]), uuid4()
    await register(database, store, tenant)
    await add_notes(database, store, tenant, "a", 3)  # no projection registered yet
    store.projections = ProjectionRunner([StreamSummaries()])
    await add_notes(database, store, tenant, "b", 2)
    assert [(s[0], s[1], s[2]) for s in await _summaries(database, tenant)] == [
        ("a", 3, 3),
        ("b", 2, 2),
    ]


async def test_rebuild_tears_down_and_reproduces_the_inline_result(database: Database) -> None:
    store, tenant = await registered_tenant(database)
    await add_notes(database, store, tenant, "a", 6, batch=3)
    async with database.transaction(tenant) as tx:
        await append_one(store, tx, "b", CounterSet(value=1, unit="credits"))
    inline = await _summaries(database, tenant)
    async with database.transaction(tenant) as tx:  # a row no replay can produce
        await tx.pg.execute(
            "INSERT INTO stream_summaries VALUES ($1, 'planted', 9, 9, now(), now(), 'x')", tenant
        )
    runner = store.projections
    assert isinstance(runner, ProjectionRunner)
    async with database.transaction(tenant) as tx:
        await store.lock_head(tx)
        replayed = await runner.rebuild(tx)
    assert replayed == 7
    assert await _summaries(database, tenant) == inline


async def test_rebuild_projections_command_replays_one_tenant(
    database: Database, migrated: Settings
) -> None:
    store, tenant = await registered_tenant(database)
    await add_notes(database, store, tenant, "a", 5, batch=5)
    before = await _summaries(database, tenant)
    result = run_cli(migrated, "rebuild-projections", "--tenant", str(tenant))
    assert result.returncode == 0, result.stderr
    assert f"tenant {tenant}: 5 events replayed" in result.stdout
    assert "events/s" in result.stdout
    assert await _summaries(database, tenant) == before


async def test_a_reset_deletes_the_tenants_rows_of_the_tables_its_projection_declares(
    database: Database,
) -> None:
    store, tenant = await registered_tenant(database)
    other_store, other = await registered_tenant(database)
    await add_notes(database, store, tenant, "a", 2)
    await add_notes(database, other_store, other, "a", 1)
    async with database.transaction(tenant) as tx:
        await reset(tx, StreamSummaries())
    assert await _summaries(database, tenant) == []
    assert len(await _summaries(database, other)) == 1
    projections = build_projections(EventRegistry(EVENT_TYPES))
    declared = [table for projection in projections for table in projection.tables]
    async with database.transaction(tenant) as tx:
        for projection in projections:
            await reset(tx, projection)
        with_tenant = await tx.pg.fetch(
            "SELECT table_name FROM information_schema.columns"
            " WHERE column_name = 'tenant_id' AND table_name = ANY($1::text[])",
            declared,
        )
    assert len(declared) == len(set(declared)) == len(with_tenant)
