"""The consumer feed: each consumer reads a tenant's events after its durable checkpoint.

A tenant's ``seq`` is dense and in commit order, so reading ``seq > checkpoint`` never skips an
event. A consumer acknowledges by advancing its checkpoint, in the same transaction as its own
effects when it has any; the database refuses acknowledgements that do not move forward.
Cross-tenant consumers list ``tenants`` and read each tenant in its own transaction.
"""

from __future__ import annotations

from services.core.db import Tx
from services.core.eventsourcing import checkpoints
from services.core.eventsourcing.store import RecordedEvent, read_history

FEED_PREFIX = "feed:"


async def read_feed(tx: Tx, consumer: str, *, limit: int = 500) -> list[RecordedEvent]:
    """The next events ``consumer`` has not acknowledged, in sequence order."""
    after = await checkpoints.position(tx, FEED_PREFIX + consumer)
    return await read_history(tx, after_seq=after, limit=limit)


async def backlog(tx: Tx, consumer: str) -> int:
    """How many of the tenant's events ``consumer`` has not acknowledged yet."""
    head = await tx.pg.fetchval(
        "SELECT last_seq FROM event_heads WHERE tenant_id = $1", tx.require_tenant()
    )
    after = await checkpoints.position(tx, FEED_PREFIX + consumer)
    return max(0, int(head or 0) - after)


async def acknowledge(tx: Tx, consumer: str, seq: int) -> None:
    """Record that ``consumer`` has handled every event up to ``seq``."""
    await checkpoints.advance(tx, FEED_PREFIX + consumer, seq)
