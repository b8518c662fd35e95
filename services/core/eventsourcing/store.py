"""The tenant event store: append-only, hash-chained, dense per-tenant sequence.

``EventStore`` is the port the handlers depend on; ``PostgresEventStore`` is the production
adapter and ``services.core.eventsourcing.memory.InMemoryEventStore`` the one for tests without a
database. Both pass one contract suite (tests/contracts/test_event_store.py).

Guarantees of every adapter:
- Appends of one tenant are serialised by a lock on the tenant's head (PostgreSQL: its row
  lock), held to commit, so the tenant's ``seq`` is dense (1, 2, 3, ...) and in commit order;
  tenants never wait on each other.
- Optimistic concurrency per (tenant, stream): a stale ``expected_version`` raises
  ``ConcurrencyConflict`` and writes nothing.
- Idempotency: appending events whose ids are all already stored (with the same content)
  returns the stored events instead of writing again; a partial or different reuse of ids
  raises ``DuplicateEventIds``.
- A batch is atomic: all its events are stored, or none. ``append_many`` writes several streams
  as one batch (one head lock, one insert, one projection run), for bulk imports.
- Every event extends its tenant's SHA-256 chain (``services.core.eventsourcing.chain``).
- PostgreSQL only: inline projections run in the same transaction
  (``services.core.projections``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple, Protocol, TypeAlias, TypeVar
from uuid import UUID

import msgspec

from domain.shared.event import Event, EventRegistry
from services.core.db import Tx
from services.core.eventsourcing.chain import (
    GENESIS_HASH,
    canonical_json,
    event_hash,
    format_timestamp,
)

ANY_VERSION: Final = -1
"""Pass as ``expected_version`` to append without a concurrency check."""


class StreamAppend(NamedTuple):
    """One stream's part of ``EventStore.append_many``."""

    stream_id: str
    events: Sequence[Event]
    expected_version: int
    event_ids: Sequence[UUID]


class Metadata(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Who caused an event and in which request, correlation and causation chain."""

    actor_id: str | None = None
    actor_role: str | None = None
    request_id: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None


class RecordedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event as stored, with its data at the schema version it was written in."""

    tenant_id: UUID
    seq: int
    stream_id: str
    stream_version: int
    event_id: UUID
    event_type: str
    schema_version: int
    data: dict[str, Any]
    metadata: dict[str, Any]
    recorded_at: datetime
    prev_hash: str
    hash: str


class EventStoreError(Exception):
    """Base of the store's typed errors."""


class ConcurrencyConflict(EventStoreError):
    """The stream moved on since the caller read it; reload and decide again."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(stream_id, expected, actual)
        self.stream_id, self.expected, self.actual = stream_id, expected, actual

    def __str__(self) -> str:
        return f"stream {self.stream_id!r} is at version {self.actual}, expected {self.expected}"


class DuplicateEventIds(EventStoreError):
    """Event ids were reused for different content (a retry must resend the same events)."""


class UnknownTenant(EventStoreError):
    """The transaction's tenant was never registered."""


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class UnitOfWork(Protocol):
    """What every store needs of the caller's transaction: the tenant it is scoped to.
    ``services.core.db.Tx`` (which also carries the PostgreSQL connection) is one."""

    @property
    def tenant_id(self) -> UUID | None: ...

    def require_tenant(self) -> UUID:
        """The tenant id; raises ``RuntimeError`` in a transaction without a tenant."""
        ...


UnitOfWorkT = TypeVar("UnitOfWorkT", bound=UnitOfWork, contravariant=True)


class EventStorePort(Protocol[UnitOfWorkT]):
    """The port: appends and reads one tenant's events inside a caller-owned unit of work.

    Parametrised by the unit of work an adapter is driven with: ``PostgresEventStore`` is an
    ``EventStorePort[Tx]``, ``InMemoryEventStore`` an ``EventStorePort[InMemoryUnitOfWork]``.
    Every adapter keeps the guarantees in this module's docstring and raises the errors
    defined here.
    """

    registry: EventRegistry
    clock: Clock

    async def register_tenant(self, tx: UnitOfWorkT) -> None:
        """Create the transaction tenant's empty chain (idempotent)."""

    async def lock_head(self, tx: UnitOfWorkT) -> tuple[int, str]:
        """Hold the tenant's appends until the unit of work ends; return (last seq, hash)."""
        ...

    async def head(self, tx: UnitOfWorkT) -> tuple[int, str]:
        """The tenant's last sequence number and hash, without locking."""
        ...

    async def append(
        self,
        tx: UnitOfWorkT,
        stream_id: str,
        events: Sequence[Event],
        *,
        expected_version: int,
        event_ids: Sequence[UUID],
        metadata: Metadata | None = None,
    ) -> list[RecordedEvent]:
        """Append ``events`` to one stream atomically (see ``PostgresEventStore.append``)."""
        ...

    async def append_many(
        self, tx: UnitOfWorkT, appends: Sequence[StreamAppend], *, metadata: Metadata | None = None
    ) -> list[RecordedEvent]:
        """Append to several distinct streams as one batch (see
        ``PostgresEventStore.append_many``)."""
        ...

    async def read_stream(
        self, tx: UnitOfWorkT, stream_id: str, *, after_version: int = 0
    ) -> list[RecordedEvent]:
        """The stream's events after ``after_version``, in version order."""
        ...

    async def read_history(
        self,
        tx: UnitOfWorkT,
        *,
        after_seq: int = 0,
        limit: int = 500,
        through_seq: int | None = None,
    ) -> list[RecordedEvent]:
        """Up to ``limit`` of the tenant's events after ``after_seq`` (at most
        ``through_seq``), in sequence order."""
        ...

    def decode(self, event: RecordedEvent) -> Event:
        """The domain event, upcast to the current schema version."""
        ...


EventStore: TypeAlias = EventStorePort[Any]
"""The port as handlers take it: driven with whichever unit of work its adapter needs (each
adapter is handed its own by the caller that built both)."""


def check_append(events: Sequence[Event], event_ids: Sequence[UUID]) -> None:
    """Refuse an append without events, without one id per event, or using an id twice."""
    if not events or len(events) != len(event_ids):
        raise ValueError("append needs one event id per event, and at least one event")
    if len(set(event_ids)) != len(event_ids):
        raise DuplicateEventIds("an append may not use one event id twice")


def check_batch(appends: Sequence[StreamAppend]) -> None:
    """Refuse a batch naming a stream twice, or any part ``check_append`` refuses."""
    streams = [a.stream_id for a in appends]
    if len(set(streams)) != len(streams):
        raise ValueError("append_many takes each stream once")
    if any(not a.events or len(a.events) != len(a.event_ids) for a in appends):
        raise ValueError("append needs one event id per event, and at least one event")
    ids = [event_id for a in appends for event_id in a.event_ids]
    if len(set(ids)) != len(ids):
        raise DuplicateEventIds("an append may not use one event id twice")


def check_expected_version(stream_id: str, expected_version: int, version: int) -> None:
    if expected_version != ANY_VERSION and expected_version != version:
        raise ConcurrencyConflict(stream_id, expected_version, version)


EncodedEvent = tuple[str, int, dict[str, Any]]
"""An event as the registry encodes it: type, schema version, data."""

ChainPart = tuple[str, int, Sequence[EncodedEvent], Sequence[UUID]]
"""One stream's part of a write: stream id, its current version, encoded events, event ids."""


def chain_events(
    tenant: UUID,
    last_seq: int,
    last_hash: str,
    parts: Sequence[ChainPart],
    meta: dict[str, Any],
    recorded_at: datetime,
) -> list[RecordedEvent]:
    """The events of ``parts`` as recorded after the head ``last_seq``/``last_hash``: numbered
    on from it and linked into the tenant's hash chain (``services.core.eventsourcing.chain``)."""
    stamp = format_timestamp(recorded_at)
    recorded: list[RecordedEvent] = []
    prev = last_hash
    for stream_id, version, encoded, event_ids in parts:
        for offset, ((event_type, schema_version, data), event_id) in enumerate(
            zip(encoded, event_ids, strict=True), start=1
        ):
            seq, stream_version = last_seq + len(recorded) + 1, version + offset
            digest = event_hash(
                tenant_id=str(tenant),
                seq=seq,
                stream_id=stream_id,
                stream_version=stream_version,
                event_id=str(event_id),
                event_type=event_type,
                schema_version=schema_version,
                data=data,
                metadata=meta,
                recorded_at=stamp,
                prev_hash=prev,
            )
            recorded.append(
                RecordedEvent(
                    tenant_id=tenant,
                    seq=seq,
                    stream_id=stream_id,
                    stream_version=stream_version,
                    event_id=event_id,
                    event_type=event_type,
                    schema_version=schema_version,
                    data=data,
                    metadata=meta,
                    recorded_at=recorded_at,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
    return recorded


def replayed_events(
    stored: Sequence[RecordedEvent],
    stream_id: str,
    encoded: Sequence[EncodedEvent],
    event_ids: Sequence[UUID],
    meta: dict[str, Any],
) -> list[RecordedEvent]:
    """A retry of an append that already committed: the ``stored`` events with ``event_ids``,
    in their order, if they are exactly what the retry sends; else ``DuplicateEventIds``."""
    by_id = {e.event_id: e for e in stored}
    same = len(by_id) == len(event_ids) and all(
        (s := by_id.get(event_id)) is not None
        and (s.stream_id, s.event_type, s.schema_version, s.data, s.metadata)
        == (stream_id, event_type, schema_version, data, meta)
        for (event_type, schema_version, data), event_id in zip(encoded, event_ids, strict=True)
    )
    if not same:
        raise DuplicateEventIds("event ids already used for other events")
    return [by_id[event_id] for event_id in event_ids]


_LOCK_HEAD = "SELECT last_seq, last_hash FROM event_heads WHERE tenant_id = $1 FOR UPDATE"

# jsonb is read as text so decoding never depends on the driver's codec configuration.
_SELECT = (
    "SELECT tenant_id, seq, stream_id, stream_version, event_id, event_type, schema_version,"
    " data::text AS data, metadata::text AS metadata, recorded_at, prev_hash, hash"
    " FROM events WHERE tenant_id = $1"
)

# One round trip: insert the events, move the head, and advance the inline projections'
# checkpoints that stand just before the first event (returned; the others must catch up).
_INSERT = """
WITH inserted AS (
    INSERT INTO events (tenant_id, seq, stream_id, stream_version, event_id, event_type,
                        schema_version, data, metadata, recorded_at, prev_hash, hash)
    SELECT $1, e.seq, e.stream_id, e.version, e.event_id, e.event_type, e.schema_version,
           e.data::jsonb, $3::jsonb, $4, e.prev_hash, e.hash
    FROM unnest($2::text[], $5::bigint[], $6::int[], $7::uuid[], $8::text[], $9::int[],
                $10::text[], $11::text[], $12::text[])
         AS e(stream_id, seq, version, event_id, event_type, schema_version, data, prev_hash,
              hash)
), head AS (
    UPDATE event_heads SET last_seq = $13, last_hash = $14 WHERE tenant_id = $1
)
UPDATE checkpoints SET position = $13, updated_at = now()
WHERE tenant_id = $1 AND name = ANY($15::text[]) AND position = $5[1] - 1
RETURNING name
"""


def select_events(condition: str) -> str:
    """A query for the transaction tenant's events (``$1``) with ``condition`` appended, e.g.
    ``" AND seq > $2 ORDER BY seq"``; rows decode with ``row_to_event``."""
    return _SELECT + condition


def row_to_event(row: Any) -> RecordedEvent:
    return RecordedEvent(
        tenant_id=row["tenant_id"],
        seq=row["seq"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        schema_version=row["schema_version"],
        data=msgspec.json.decode(row["data"]),
        metadata=msgspec.json.decode(row["metadata"]),
        recorded_at=row["recorded_at"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


class InlineProjections:
    """What the store calls after each append, inside the same transaction."""

    checkpoint_names: Sequence[str] = ()

    async def after_append(
        self, tx: Tx, events: Sequence[RecordedEvent], advanced: set[str]
    ) -> None:
        """Bring every inline read model up to the appended events (default: nothing).

        ``advanced`` names the checkpoints the append itself moved from just before the first
        event to the last one; any other checkpoint is behind and must catch up.
        """


class PostgresEventStore:
    """The PostgreSQL adapter of ``EventStore``: one tenant's events inside a caller-owned
    database transaction (``Tx``), with the inline projections run in it."""

    def __init__(
        self,
        registry: EventRegistry,
        projections: InlineProjections | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.registry = registry
        self.projections = projections or InlineProjections()
        self.clock = clock

    # -- tenants -------------------------------------------------------------------------------

    async def register_tenant(self, tx: Tx) -> None:
        """Create the transaction tenant's registry entry and empty chain (idempotent)."""
        tenant = tx.require_tenant()
        await tx.pg.execute(
            "INSERT INTO tenants (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING", tenant
        )
        await tx.pg.execute(
            "INSERT INTO event_heads (tenant_id, last_seq, last_hash) VALUES ($1, 0, $2)"
            " ON CONFLICT DO NOTHING",
            tenant,
            GENESIS_HASH,
        )

    async def lock_head(self, tx: Tx) -> tuple[int, str]:
        """Lock the tenant's head until commit; return (last seq, last hash)."""
        row = await tx.pg.fetchrow(_LOCK_HEAD, tx.require_tenant())
        if row is None:
            raise UnknownTenant(str(tx.tenant_id))
        return row["last_seq"], row["last_hash"]

    async def head(self, tx: Tx) -> tuple[int, str]:
        """The tenant's last sequence number and hash, without locking."""
        row = await tx.pg.fetchrow(
            "SELECT last_seq, last_hash FROM event_heads WHERE tenant_id = $1",
            tx.require_tenant(),
        )
        if row is None:
            raise UnknownTenant(str(tx.tenant_id))
        return row["last_seq"], row["last_hash"]

    # -- writing -------------------------------------------------------------------------------

    async def append(
        self,
        tx: Tx,
        stream_id: str,
        events: Sequence[Event],
        *,
        expected_version: int,
        event_ids: Sequence[UUID],
        metadata: Metadata | None = None,
    ) -> list[RecordedEvent]:
        """Append ``events`` to ``stream_id`` atomically and return them as recorded.

        ``expected_version`` is the stream version the caller decided on (0: a new stream;
        ``ANY_VERSION``: no check). ``event_ids`` must be stable across retries of one command.
        """
        check_append(events, event_ids)
        tenant = tx.require_tenant()
        state = await tx.pg.fetchrow(
            "SELECT * FROM lock_stream($1, $2::uuid[])", stream_id, list(event_ids)
        )
        if state is None:
            raise UnknownTenant(str(tenant))
        last_seq, last_hash, version, already_stored = state
        encoded = [self.registry.encode(event) for event in events]
        meta = msgspec.to_builtins(metadata or Metadata())
        if already_stored:
            rows = await tx.pg.fetch(
                _SELECT + " AND event_id = ANY($2::uuid[]) ORDER BY seq", tenant, list(event_ids)
            )
            stored = [row_to_event(row) for row in rows]
            return replayed_events(stored, stream_id, encoded, event_ids, meta)
        check_expected_version(stream_id, expected_version, version)
        return await self._write(
            tx, last_seq, last_hash, [(stream_id, version, encoded, event_ids)], meta
        )

    async def append_many(
        self, tx: Tx, appends: Sequence[StreamAppend], *, metadata: Metadata | None = None
    ) -> list[RecordedEvent]:
        """Append to several distinct streams as one atomic batch and return the events as
        recorded, in the order given: one head lock, one insert and one run of the inline
        projections whatever the number of streams. Each stream is checked as by ``append``
        (at least one event, one id per event, ``expected_version``), but there is no replay:
        an event id already stored raises ``DuplicateEventIds`` and nothing is written."""
        if not appends:
            return []
        check_batch(appends)
        streams = [a.stream_id for a in appends]
        ids = [event_id for a in appends for event_id in a.event_ids]
        tenant = tx.require_tenant()
        last_seq, last_hash = await self.lock_head(tx)
        versions = {
            row["stream_id"]: row["version"]
            for row in await tx.pg.fetch(
                "SELECT stream_id, max(stream_version) AS version FROM events"
                " WHERE tenant_id = $1 AND stream_id = ANY($2::text[]) GROUP BY stream_id",
                tenant,
                streams,
            )
        }
        if await tx.pg.fetchval(
            "SELECT count(*) FROM events WHERE tenant_id = $1 AND event_id = ANY($2::uuid[])",
            tenant,
            ids,
        ):
            raise DuplicateEventIds("event ids already used for other events")
        for a in appends:
            check_expected_version(a.stream_id, a.expected_version, versions.get(a.stream_id, 0))
        parts: list[ChainPart] = [
            (
                a.stream_id,
                versions.get(a.stream_id, 0),
                [self.registry.encode(event) for event in a.events],
                a.event_ids,
            )
            for a in appends
        ]
        meta = msgspec.to_builtins(metadata or Metadata())
        return await self._write(tx, last_seq, last_hash, parts, meta)

    async def _write(
        self,
        tx: Tx,
        last_seq: int,
        last_hash: str,
        parts: Sequence[ChainPart],
        meta: dict[str, Any],
    ) -> list[RecordedEvent]:
        """Chain, insert and project ``parts`` after the locked head ``last_seq``/``last_hash``."""
        tenant = tx.require_tenant()
        recorded_at = self.clock().astimezone(UTC)
        recorded = chain_events(tenant, last_seq, last_hash, parts, meta, recorded_at)
        advanced = await tx.pg.fetch(
            _INSERT,
            tenant,
            [e.stream_id for e in recorded],
            canonical_json(meta),
            recorded_at,
            [e.seq for e in recorded],
            [e.stream_version for e in recorded],
            [e.event_id for e in recorded],
            [e.event_type for e in recorded],
            [e.schema_version for e in recorded],
            [canonical_json(e.data) for e in recorded],
            [e.prev_hash for e in recorded],
            [e.hash for e in recorded],
            recorded[-1].seq,
            recorded[-1].hash,
            list(self.projections.checkpoint_names),
        )
        await self.projections.after_append(tx, recorded, {row["name"] for row in advanced})
        return recorded

    # -- reading -------------------------------------------------------------------------------

    async def read_stream(
        self, tx: Tx, stream_id: str, *, after_version: int = 0
    ) -> list[RecordedEvent]:
        """The stream's events after ``after_version``, in version order."""
        rows = await tx.pg.fetch(
            _SELECT + " AND stream_id = $2 AND stream_version > $3 ORDER BY stream_version",
            tx.require_tenant(),
            stream_id,
            after_version,
        )
        return [row_to_event(row) for row in rows]

    async def read_history(
        self, tx: Tx, *, after_seq: int = 0, limit: int = 500, through_seq: int | None = None
    ) -> list[RecordedEvent]:
        """See ``read_history``."""
        return await read_history(tx, after_seq=after_seq, limit=limit, through_seq=through_seq)

    def decode(self, event: RecordedEvent) -> Event:
        """The domain event, upcast to the current schema version."""
        return self.registry.decode(event.event_type, event.schema_version, event.data)


async def read_history(
    tx: Tx, *, after_seq: int = 0, limit: int = 500, through_seq: int | None = None
) -> list[RecordedEvent]:
    """Up to ``limit`` of the tenant's events after ``after_seq`` (and at most ``through_seq``),
    in sequence order. The sequence is dense and in commit order, so paging by the last seq
    seen never skips an event."""
    rows = await tx.pg.fetch(
        _SELECT + " AND seq > $2 AND ($4::bigint IS NULL OR seq <= $4) ORDER BY seq LIMIT $3",
        tx.require_tenant(),
        after_seq,
        limit,
        through_seq,
    )
    return [row_to_event(row) for row in rows]
