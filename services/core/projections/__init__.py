"""Projections: read models derived from events, each with its own checkpoint.

A projection handles some event types (``event_types``; None for all) and applies them in
batches, set-based. The ``ProjectionRunner`` runs every registered projection inline, in the
append transaction, and moves each checkpoint in that same transaction. A projection found
behind (new) is caught up from the events table before the new events apply.

A rebuild reads the tenant's events in large pages. A projection that is ``Rebuildable`` folds
every page in memory and writes its read model once, at the end, in bulk; the others apply each
page as it comes (their events are few, or each page is one statement for them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from services.core.db import Tx
from services.core.eventsourcing import checkpoints
from services.core.eventsourcing.checkpoints import CheckpointMismatch
from services.core.eventsourcing.store import InlineProjections, RecordedEvent, read_history
from services.core.projections.epochs import read_models_rewritten

CATCH_UP_PAGE = 5_000
"""Events read per statement by a catch-up: it runs inside an append, and a page's obligations
are evaluated and written in one statement, so a page stays small."""
REBUILD_PAGE = 20_000
"""Events read per statement by a rebuild (folded in memory, written once at the end)."""


class Projection(Protocol):
    name: str
    tables: tuple[str, ...]
    """The read model's tables, each with a ``tenant_id`` column; ``reset`` empties them in
    this order (rows that refer to others first)."""
    event_types: frozenset[str] | None

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        """Apply events (already filtered to ``event_types``) to the read model."""


async def reset(tx: Tx, projection: Projection) -> None:
    """Delete the transaction tenant's rows of ``projection``'s read model."""
    for table in projection.tables:
        await tx.pg.execute(
            f"DELETE FROM {table} WHERE tenant_id = $1",  # noqa: S608 (declared names)
            tx.require_tenant(),
        )


class Rebuild(Protocol):
    """A read model being rebuilt: every page of its events folded in memory, then written."""

    def add(self, events: Sequence[RecordedEvent]) -> None:
        """Fold events (already filtered to the projection's ``event_types``), in seq order."""

    async def write(self, tx: Tx) -> None:
        """Write the folded read model into its emptied tables, in bulk."""


@runtime_checkable
class Rebuildable(Protocol):
    def rebuilding(self) -> Rebuild:
        """A fresh in-memory rebuild of the read model."""


def _relevant(projection: Projection, events: Sequence[RecordedEvent]) -> list[RecordedEvent]:
    types = projection.event_types
    return [e for e in events if types is None or e.event_type in types]


class ProjectionRunner(InlineProjections):
    def __init__(self, projections: Sequence[Projection]) -> None:
        names = [p.name for p in projections]
        if len(set(names)) != len(names):
            raise ValueError(f"projection names must be unique: {names}")
        self.projections = list(projections)
        self.checkpoint_names = names

    async def after_append(
        self, tx: Tx, events: Sequence[RecordedEvent], advanced: set[str]
    ) -> None:
        current = advanced
        for projection in self.projections:
            if projection.name in current and (relevant := _relevant(projection, events)):
                await projection.apply(tx, relevant)
        behind = [p for p in self.projections if p.name not in current]
        if behind:
            await self.catch_up(tx, behind)

    async def catch_up(self, tx: Tx, projections: Sequence[Projection]) -> int:
        """Apply every event after each projection's checkpoint; return events read."""
        positions = {p.name: await checkpoints.position(tx, p.name) for p in projections}
        cursor = min(positions.values())
        read = 0
        while page := await read_history(tx, after_seq=cursor, limit=CATCH_UP_PAGE):
            read += len(page)
            for projection in projections:
                unseen = [e for e in page if e.seq > positions[projection.name]]
                if not unseen:
                    continue
                if relevant := _relevant(projection, unseen):
                    await projection.apply(tx, relevant)
                await checkpoints.advance(tx, projection.name, unseen[-1].seq)
                positions[projection.name] = unseen[-1].seq
            cursor = page[-1].seq
        return read

    async def rebuild(self, tx: Tx) -> int:
        """Tear down and replay every projection for the tenant, moving its read-model epoch;
        return events replayed. Each ``Rebuildable`` projection is written once, at the end, in
        the order of the projections (a later one may read an earlier one's tables).

        The caller must hold the tenant's head lock so no append interleaves.
        """
        tx.forget_saved()
        await read_models_rewritten(tx)
        for projection in self.projections:
            await reset(tx, projection)
            await checkpoints.reset(tx, projection.name)
        folds = {p.name: p.rebuilding() for p in self.projections if isinstance(p, Rebuildable)}
        cursor = read = 0
        while page := await read_history(tx, after_seq=cursor, limit=REBUILD_PAGE):
            read += len(page)
            for projection in self.projections:
                if not (relevant := _relevant(projection, page)):
                    continue
                if (fold := folds.get(projection.name)) is not None:
                    fold.add(relevant)
                else:
                    await projection.apply(tx, relevant)
            cursor = page[-1].seq
        for projection in self.projections:
            if (fold := folds.get(projection.name)) is not None:
                await fold.write(tx)
            if cursor:
                await checkpoints.advance(tx, projection.name, cursor)
        return read


async def process_delivered(tx: Tx, projection: Projection, events: Sequence[RecordedEvent]) -> int:
    """Apply events delivered from outside (at least once) exactly once; return how many applied.

    Events at or below the checkpoint are duplicates and are ignored. A delivery that starts
    past checkpoint + 1 would skip events and raises ``CheckpointMismatch``.
    """
    done = await checkpoints.position(tx, projection.name)
    fresh = [e for e in events if e.seq > done]
    if not fresh:
        return 0
    if fresh[0].seq != done + 1:
        raise CheckpointMismatch(f"{projection.name}: at {done}, delivery starts at {fresh[0].seq}")
    if relevant := _relevant(projection, fresh):
        await projection.apply(tx, relevant)
    await checkpoints.advance(tx, projection.name, fresh[-1].seq)
    return len(fresh)
