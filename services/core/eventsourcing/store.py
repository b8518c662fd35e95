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


def recorded_event(
    tenant: UUID,
    seq: int,
    stream_id: str,
    stream_version: int,
    event_id: UUID,
    encoded: EncodedEvent,
    meta: dict[str, Any],
    recorded_at: datetime,
    prev_hash: str,
    digest: str,
) -> RecordedEvent:
    event_type, schema_version, data = encoded
    return RecordedEvent(
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
        prev_hash=prev_hash,
        hash=digest,
    )


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
                recorded_event(
                    tenant,
                    seq,
                    stream_id,
                    stream_version,
                    event_id,
                    (event_type, schema_version, data),
                    meta,
                    recorded_at,
                    prev,
                    digest,
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

# One round trip per append (migration 0019): head lock, checks, numbering, the hash chain
# (PostgreSQL's sha256() over the canonical text), insert, head and inline checkpoints.
_APPEND = "SELECT * FROM append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"


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
        encoded = [self.registry.encode(event) for event in events]
        meta = msgspec.to_builtins(metadata or Metadata())
        part: ChainPart = (stream_id, expected_version, encoded, event_ids)
        recorded = await self._write(tx, [part], meta)
        if recorded is not None:
            return recorded
        rows = await tx.pg.fetch(
            _SELECT + " AND event_id = ANY($2::uuid[]) ORDER BY seq",
            tx.require_tenant(),
            list(event_ids),
        )
        stored = [row_to_event(row) for row in rows]
        return replayed_events(stored, stream_id, encoded, event_ids, meta)

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
        parts: list[ChainPart] = [
            (
                a.stream_id,
                a.expected_version,
                [self.registry.encode(event) for event in a.events],
                a.event_ids,
            )
            for a in appends
        ]
        recorded = await self._write(tx, parts, msgspec.to_builtins(metadata or Metadata()))
        if recorded is None:
            raise DuplicateEventIds("event ids already used for other events")
        return recorded

    async def _write(
        self, tx: Tx, parts: Sequence[ChainPart], meta: dict[str, Any]
    ) -> list[RecordedEvent] | None:
        """Append ``parts`` (each with its expected version in place of the current one) in
        one call of ``append_events``, then run the inline projections; None, with nothing
        written, when an event id is already stored."""
        tenant = tx.require_tenant()
        recorded_at = self.clock().astimezone(UTC)
        streams = [stream_id for stream_id, _, _, _ in parts]
        flat = [
            (index, event_id, encoded)
            for index, (_, _, events, ids) in enumerate(parts, start=1)
            for encoded, event_id in zip(events, ids, strict=True)
        ]
        metadata_text = canonical_json(meta)
        row = await tx.pg.fetchrow(
            _APPEND,
            streams,
            [expected for _, expected, _, _ in parts],
            [index for index, _, _ in flat],
            [event_id for _, event_id, _ in flat],
            [event_type for _, _, (event_type, _, _) in flat],
            [schema_version for _, _, (_, schema_version, _) in flat],
            [canonical_json(data) for _, _, (_, _, data) in flat],
            metadata_text,
            recorded_at,
            list(self.projections.checkpoint_names),
        )
        status = row["status"]
        if status == "unknown_tenant":
            raise UnknownTenant(str(tenant))
        if status == "stored":
            return None
        if status == "conflict":
            stream = parts[row["conflict_stream"] - 1]
            raise ConcurrencyConflict(stream[0], stream[1], row["conflict_actual"])
        hashes: list[str] = row["hashes"]
        recorded = [
            recorded_event(
                tenant,
                row["head_seq"] + i,
                streams[index - 1],
                version,
                event_id,
                encoded,
                meta,
                recorded_at,
                row["head_hash"] if i == 1 else hashes[i - 2],
                hashes[i - 1],
            )
            for i, ((index, event_id, encoded), version) in enumerate(
                zip(flat, row["versions"], strict=True), start=1
            )
        ]
        tx.appended()
        await self.projections.after_append(tx, recorded, set(row["advanced"]))
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
