"""Durable, forward-only positions in a tenant's event sequence, per projection or consumer.

The database refuses to move a checkpoint backwards or to the same position (trigger
``checkpoints_forward_only``), so a duplicate delivery processed in the same transaction as its
checkpoint fails and rolls back instead of applying twice.
"""

from __future__ import annotations

from services.core.db import Tx


class CheckpointMismatch(Exception):
    """Delivered events do not continue from the checkpoint (a gap would be skipped)."""


async def position(tx: Tx, name: str) -> int:
    """The last seq processed by ``name`` in the transaction's tenant (0 if none)."""
    value = await tx.pg.fetchval(
        "SELECT position FROM checkpoints WHERE tenant_id = $1 AND name = $2",
        tx.require_tenant(),
        name,
    )
    return int(value or 0)


async def advance(tx: Tx, name: str, to: int) -> None:
    """Move ``name`` to ``to``; the database rejects any move that is not forward."""
    await tx.pg.execute(
        "INSERT INTO checkpoints AS c (tenant_id, name, position) VALUES ($1, $2, $3)"
        " ON CONFLICT (tenant_id, name)"
        " DO UPDATE SET position = excluded.position, updated_at = now()",
        tx.require_tenant(),
        name,
        to,
    )


async def reset(tx: Tx, name: str) -> None:
    await tx.pg.execute(
        "DELETE FROM checkpoints WHERE tenant_id = $1 AND name = $2", tx.require_tenant(), name
    )
