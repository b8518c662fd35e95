"""The in-memory adapter of the event-store port, for use-case tests without PostgreSQL.

``InMemoryEventStore`` keeps every guarantee of ``PostgresEventStore`` (dense per-tenant
sequence, the same hash chain, optimistic concurrency, idempotent event ids, atomic batches,
the same errors) and passes the same contract suite. Units of work come from
``InMemoryEventStore.transaction(tenant_id)``: appends are buffered in the unit of work (its own
reads see them) and become visible to others only when it ends without an error; an error
discards them. As with the PostgreSQL head row lock, the first append (or ``lock_head``) of a
unit of work holds the tenant's appends until it ends; tenants never wait on each other.

There are no inline projections: read models live in PostgreSQL, so a use case that also
queries them needs the PostgreSQL adapter.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC
from typing import Any
from uuid import UUID

import msgspec

from domain.shared.event import Event, EventRegistry
from services.core.eventsourcing.chain import GENESIS_HASH, canonical_json
from services.core.eventsourcing.store import (
    ChainPart,
    Clock,
    DuplicateEventIds,
    EncodedEvent,
    Metadata,
    RecordedEvent,
    StreamAppend,
    UnknownTenant,
    chain_events,
    check_append,
    check_batch,
    check_expected_version,
    replayed_events,
    utc_now,
)


def _as_stored(value: Any) -> Any:
    """``value`` as a JSON column gives it back: a fresh copy, floats refused."""
    return msgspec.json.decode(canonical_json(value))


class InMemoryUnitOfWork:
    """One open in-memory transaction scoped to ``tenant_id`` (None: no tenant)."""

    def __init__(self, tenant_id: UUID | None) -> None:
        self._tenant_id = tenant_id
        self.pending: list[RecordedEvent] = []
        """Events appended in this unit of work, not yet committed."""
        self.registers_tenant = False
        self.holds_lock = False

    @property
    def tenant_id(self) -> UUID | None:
        return self._tenant_id

    def require_tenant(self) -> UUID:
        if self._tenant_id is None:
            raise RuntimeError("this operation needs a tenant-scoped transaction")
        return self._tenant_id


class InMemoryEventStore:
    """Tenants' events in process memory; see the module docstring."""

    def __init__(self, registry: EventRegistry, clock: Clock = utc_now) -> None:
        self.registry = registry
        self.clock = clock
        self._committed: dict[UUID, list[RecordedEvent]] = {}
        self._locks: dict[UUID, asyncio.Lock] = {}

    @asynccontextmanager
    async def transaction(self, tenant_id: UUID | None) -> AsyncIterator[InMemoryUnitOfWork]:
        """One unit of work scoped to ``tenant_id``; commits on success, discards on error."""
        uow = InMemoryUnitOfWork(tenant_id)
        try:
            yield uow
            if uow.tenant_id is not None and (uow.registers_tenant or uow.pending):
                self._committed.setdefault(uow.tenant_id, []).extend(uow.pending)
        finally:
            if uow.holds_lock and uow.tenant_id is not None:
                self._locks[uow.tenant_id].release()

    # -- tenants -------------------------------------------------------------------------------

    async def register_tenant(self, tx: InMemoryUnitOfWork) -> None:
        if tx.require_tenant() not in self._committed:
            tx.registers_tenant = True

    async def lock_head(self, tx: InMemoryUnitOfWork) -> tuple[int, str]:
        self._require_registered(tx)
        if not tx.holds_lock:
            await self._locks.setdefault(tx.require_tenant(), asyncio.Lock()).acquire()
            tx.holds_lock = True
        return self._head(tx)

    async def head(self, tx: InMemoryUnitOfWork) -> tuple[int, str]:
        self._require_registered(tx)
        return self._head(tx)

    def _require_registered(self, tx: InMemoryUnitOfWork) -> None:
        tenant = tx.require_tenant()
        if tenant not in self._committed and not tx.registers_tenant:
            raise UnknownTenant(str(tenant))

    def _head(self, tx: InMemoryUnitOfWork) -> tuple[int, str]:
        events = self._visible(tx)
        return (events[-1].seq, events[-1].hash) if events else (0, GENESIS_HASH)

    def _visible(self, tx: InMemoryUnitOfWork) -> list[RecordedEvent]:
        """The tenant's committed events followed by this unit of work's own."""
        return [*self._committed.get(tx.require_tenant(), ()), *tx.pending]

    # -- writing -------------------------------------------------------------------------------

    async def append(
        self,
        tx: InMemoryUnitOfWork,
        stream_id: str,
        events: Sequence[Event],
        *,
        expected_version: int,
        event_ids: Sequence[UUID],
        metadata: Metadata | None = None,
    ) -> list[RecordedEvent]:
        check_append(events, event_ids)
        last_seq, last_hash = await self.lock_head(tx)
        encoded = self._encode(events)
        meta = _as_stored(msgspec.to_builtins(metadata or Metadata()))
        wanted = set(event_ids)
        if stored := [e for e in self._visible(tx) if e.event_id in wanted]:
            return replayed_events(stored, stream_id, encoded, event_ids, meta)
        version = self._versions(tx).get(stream_id, 0)
        check_expected_version(stream_id, expected_version, version)
        return self._write(
            tx, last_seq, last_hash, [(stream_id, version, encoded, event_ids)], meta
        )

    async def append_many(
        self,
        tx: InMemoryUnitOfWork,
        appends: Sequence[StreamAppend],
        *,
        metadata: Metadata | None = None,
    ) -> list[RecordedEvent]:
        if not appends:
            return []
        check_batch(appends)
        last_seq, last_hash = await self.lock_head(tx)
        ids = {event_id for a in appends for event_id in a.event_ids}
        if any(e.event_id in ids for e in self._visible(tx)):
            raise DuplicateEventIds("event ids already used for other events")
        versions = self._versions(tx)
        for a in appends:
            check_expected_version(a.stream_id, a.expected_version, versions.get(a.stream_id, 0))
        parts: list[ChainPart] = [
            (a.stream_id, versions.get(a.stream_id, 0), self._encode(a.events), a.event_ids)
            for a in appends
        ]
        meta = _as_stored(msgspec.to_builtins(metadata or Metadata()))
        return self._write(tx, last_seq, last_hash, parts, meta)

    def _encode(self, events: Sequence[Event]) -> list[EncodedEvent]:
        return [
            (event_type, schema_version, _as_stored(data))
            for event_type, schema_version, data in map(self.registry.encode, events)
        ]

    def _versions(self, tx: InMemoryUnitOfWork) -> dict[str, int]:
        """Each stream's current version (events are in seq order, so the last one wins)."""
        return {e.stream_id: e.stream_version for e in self._visible(tx)}

    def _write(
        self,
        tx: InMemoryUnitOfWork,
        last_seq: int,
        last_hash: str,
        parts: Sequence[ChainPart],
        meta: dict[str, Any],
    ) -> list[RecordedEvent]:
        recorded_at = self.clock().astimezone(UTC)
        recorded = chain_events(tx.require_tenant(), last_seq, last_hash, parts, meta, recorded_at)
        tx.pending.extend(recorded)
        return recorded

    # -- reading -------------------------------------------------------------------------------

    async def read_stream(
        self, tx: InMemoryUnitOfWork, stream_id: str, *, after_version: int = 0
    ) -> list[RecordedEvent]:
        return [
            e
            for e in self._visible(tx)
            if e.stream_id == stream_id and e.stream_version > after_version
        ]

    async def read_history(
        self,
        tx: InMemoryUnitOfWork,
        *,
        after_seq: int = 0,
        limit: int = 500,
        through_seq: int | None = None,
    ) -> list[RecordedEvent]:
        chosen = [
            e
            for e in self._visible(tx)
            if e.seq > after_seq and (through_seq is None or e.seq <= through_seq)
        ]
        return chosen[:limit]

    def decode(self, event: RecordedEvent) -> Event:
        return self.registry.decode(event.event_type, event.schema_version, event.data)
