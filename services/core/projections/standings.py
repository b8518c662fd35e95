"""Read model ``standing_heads`` (migration 0036): per tenant, the sequence number and hash of
its last event that can change a standing, so what is cached from the standings
(``people.standings_cache``) is keyed by it rather than by every event (an auditor's read, a
sign-in, a download).

An event can change a standing when a projection writing a table the standings are read from
(``STANDING_TABLES``) handles it: the set is derived from the projections, never listed by hand.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent
from services.core.projections import Projection

STANDING_TABLES = frozenset(
    {"people", "person_credentials", "credits", "waivers", "obligations", "obligation_evaluations"}
)
"""The read models ``people.queries.standings_on`` and what is computed from it (the overview,
the staff lists) read. The organisation's pending-credit choice is read too, but it is part of
the cache key by itself."""

_MOVE = """
INSERT INTO standing_heads AS h (tenant_id, last_seq, last_hash) VALUES ($1, $2, $3)
ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash
"""


def standing_event_types(projections: Sequence[Projection]) -> frozenset[str] | None:
    """The event types handled by the ``projections`` that write a ``STANDING_TABLES`` table
    (None: every type, when one of them handles all)."""
    found: set[str] = set()
    for projection in projections:
        if STANDING_TABLES.isdisjoint(projection.tables):
            continue
        if projection.event_types is None:
            return None
        found |= projection.event_types
    return frozenset(found)


class StandingHeads:
    """Moves the tenant's standing head to the last event of each batch it handles: the events
    the ``projections`` writing the standings' tables handle."""

    name = "standing_heads"
    tables: tuple[str, ...] = ("standing_heads",)

    def __init__(self, projections: Sequence[Projection]) -> None:
        self.event_types = standing_event_types(projections)

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        await tx.pg.execute(_MOVE, tx.require_tenant(), events[-1].seq, events[-1].hash)
