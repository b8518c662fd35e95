"""Handlers for an organisation's provider directory entries (stream ``providers-<tenant id>``)."""

from __future__ import annotations

from domain.credits import providers
from domain.credits.providers import AddProvider, BlockProvider, RemoveProvider
from services.core.aggregates import PROVIDER_DIRECTORY
from services.core.eventsourcing.commands import Context, Decider
from services.core.eventsourcing.store import RecordedEvent

DirectoryChange = AddProvider | BlockProvider | RemoveProvider

DIRECTORY_CHANGES: dict[type[DirectoryChange], Decider] = {
    AddProvider: providers.decide_add_provider,
    BlockProvider: providers.decide_block_provider,
    RemoveProvider: providers.decide_remove_provider,
}


async def change_directory(context: Context, command: DirectoryChange) -> list[RecordedEvent]:
    """Add a provider to, block one in, or remove an entry from, the transaction tenant's
    directory."""
    tenant_id, decide = context.tx.require_tenant(), DIRECTORY_CHANGES[type(command)]
    return await PROVIDER_DIRECTORY.execute(context, tenant_id, decide, command)
