"""Command handling: the thin shell around the pure deciders that each context's handlers
(``services.core.<context>.handlers``) are built from.

Every handler takes a ``CommandContext``: the caller's transaction
(``Database.transaction(tenant)``), the store, the command's id and the events' metadata. It
loads the stream, folds it with the aggregate's ``evolve``, calls the pure ``decide_*`` with the
store's clock and an id factory, and appends with the expected version. A refused command
raises its ``DomainError``; a concurrent change raises ``ConcurrencyConflict`` (reload and
retry the whole transaction).

Idempotency: event ids and new entity ids derive from the context's command id (uuid5), so a
retry of a command that already committed returns the events it stored instead of deciding
again.

Facts that no aggregate decides (an access, a download, an export, a mail queued or sent) are
appended with ``record_fact``: the one path that appends without a version check.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4, uuid5

from domain.shared.event import Event, fold
from services.core.eventsourcing.store import (
    ANY_VERSION,
    EventStore,
    Metadata,
    RecordedEvent,
    UnitOfWork,
)

Decider = Callable[..., list[Event]]
"""``decide_<verb>(state, command, *, now, ids) -> list[Event]``."""
S = TypeVar("S")
T_co = TypeVar("T_co", bound=UnitOfWork, covariant=True)


@dataclass(frozen=True, slots=True)
class CommandContext(Generic[T_co]):
    """Where and as whom one command runs: the caller's transaction, the store, the command's
    id (its event ids and new entity ids derive from it, so a retry is idempotent) and the
    metadata its events carry. Every handler takes one; a use case gets it from its unit of
    work (``services.core.application.UnitOfWork.command``)."""

    tx: T_co
    store: EventStore
    command_id: UUID
    metadata: Metadata | None = None

    def derive(self, name: str) -> CommandContext[T_co]:
        """The context of a command this one issues in turn (its id derives from ``name``)."""
        return replace(self, command_id=uuid5(self.command_id, name))


Context = CommandContext[UnitOfWork]
"""A command context on any store's transaction (the handlers that need no SQL take one)."""


def entity_ids(command_id: UUID) -> Callable[[], UUID]:
    """An id factory that yields the same ids, in the same order, for the same command."""
    numbers = itertools.count()
    return lambda: uuid5(command_id, f"entity/{next(numbers)}")


def event_ids(command_id: UUID, count: int) -> list[UUID]:
    """The ids of the first ``count`` events a command appends."""
    return [uuid5(command_id, f"event/{n}") for n in range(count)]


async def execute(
    context: Context,
    stream_id: str,
    evolve: Callable[[Any, Event], Any],
    decide: Decider,
    command: object,
) -> list[RecordedEvent]:
    """Decide ``command`` on the stream's current state and append what it returns (nothing
    if it decides no change); return the recorded events."""
    tx, store, command_id = context.tx, context.store, context.command_id
    recorded = await store.read_stream(tx, stream_id)
    mine = set(event_ids(command_id, len(recorded)))
    if replayed := [e for e in recorded if e.event_id in mine]:
        return replayed
    state = fold(evolve, map(store.decode, recorded))
    events = decide(state, command, now=store.clock(), ids=entity_ids(command_id))
    if not events:
        return []
    return await store.append(
        tx,
        stream_id,
        events,
        expected_version=recorded[-1].stream_version if recorded else 0,
        event_ids=event_ids(command_id, len(events)),
        metadata=context.metadata,
    )


async def record_fact(
    tx: UnitOfWork,
    store: EventStore,
    stream_id: str,
    event: Event,
    *,
    event_id: UUID | None = None,
    metadata: Metadata | None = None,
) -> RecordedEvent:
    """Append ``event``, a fact no aggregate decides, to ``stream_id`` and return it as recorded.

    No version check: facts are not decided on the stream's state, and concurrent requests of
    one member (each recording its access) must not conflict; the tenant's head still orders
    them. ``event_id`` (default: a new one) makes a retried fact idempotent when it derives
    from what is retried, e.g. a mail id.
    """
    [recorded] = await store.append(
        tx,
        stream_id,
        [event],
        expected_version=ANY_VERSION,
        event_ids=[uuid4() if event_id is None else event_id],
        metadata=metadata,
    )
    return recorded


@dataclass(frozen=True, slots=True)
class Aggregate(Generic[S]):
    """A kind of aggregate: the stream one lives on (from its id) and how its events fold.

    The handlers of a context load and change their aggregates through it, so the
    read, fold and execute steps are written once (``services.core.aggregates`` lists them)."""

    stream: Callable[[UUID], str]
    evolve: Callable[[S | None, Event], S]

    async def load(self, tx: UnitOfWork, store: EventStore, aggregate_id: UUID) -> S | None:
        """The aggregate's state as its history says it is now (None: it has no events)."""
        history = await store.read_stream(tx, self.stream(aggregate_id))
        return fold(self.evolve, map(store.decode, history))

    async def execute(
        self, context: Context, aggregate_id: UUID, decide: Decider, command: object
    ) -> list[RecordedEvent]:
        """``execute`` ``command`` with ``decide`` on this aggregate's stream, in ``context``."""
        return await execute(context, self.stream(aggregate_id), self.evolve, decide, command)
