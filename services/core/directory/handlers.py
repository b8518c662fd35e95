"""Handlers for an organisation's provider directory entries (stream ``providers-<tenant id>``)."""

from __future__ import annotations

from uuid import UUID

from domain.credits import providers
from domain.credits.providers import AddProvider, BlockProvider, RemoveProvider
from services.core.aggregates import PROVIDER_DIRECTORY
from services.core.db import Tx
from services.core.eventsourcing.commands import Decider
from services.core.eventsourcing.store import EventStore, Metadata, RecordedEvent

DirectoryChange = AddProvider | BlockProvider | RemoveProvider

DIRECTORY_CHANGES: dict[type[DirectoryChange], Decider] = {
    AddProvider: providers.decide_add_provider,
    BlockProvider: providers.decide_block_provider,
    RemoveProvider: providers.decide_remove_provider,
}


async def change_directory(
    tx: Tx,
    store: EventStore,
    command: DirectoryChange,
    *,
    command_id: UUID,
    metadata: Metadata | None = None,
) -> list[RecordedEvent]:
    """Add a provider to, block one in, or remove an entry from, the transaction tenant's
    directory."""
    tenant_id, decide = tx.require_tenant(), DIRECTORY_CHANGES[type(command)]
    return await PROVIDER_DIRECTORY.execute(
        tx, store, tenant_id, decide, command, command_id=command_id, metadata=metadata
    )
