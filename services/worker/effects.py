"""The actors' effect ledger ``actor_effects``: an actor claims its message there in the same
transaction as its work, so the work is done once however often the message is delivered."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from services.core.db import Tx

if TYPE_CHECKING:
    from services.worker.actors import Job


async def claim_effect(tx: Tx, job: Job) -> bool:
    """Claim ``job``'s message: False if it was claimed before (a duplicate delivery). A
    concurrent delivery of the same message waits here until the first one's transaction ends."""
    claimed: bool | None = await tx.pg.fetchval(
        "INSERT INTO actor_effects (tenant_id, message_id, actor, event_id, seq)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true",
        job.tenant_id,
        UUID(job.message_id),
        job.actor_name,
        job.event_id,
        job.seq,
    )
    return bool(claimed)
