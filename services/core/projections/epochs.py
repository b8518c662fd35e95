"""The tenant's read-model epoch (migration 0035): moved by every rewrite of its read models
that appends no event, so what is cached by standing head (``people.standings_cache``) is keyed
by both."""

from __future__ import annotations

from services.core.db import Tx

_MOVE = """
INSERT INTO read_model_epochs AS e (tenant_id, epoch) VALUES ($1, 1)
ON CONFLICT (tenant_id) DO UPDATE SET epoch = e.epoch + 1
"""


async def read_models_rewritten(tx: Tx) -> None:
    """Move the transaction tenant's epoch: call in the transaction that rewrites its read
    models without appending."""
    await tx.pg.execute(_MOVE, tx.require_tenant())
