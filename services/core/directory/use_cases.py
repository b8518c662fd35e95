"""The provider directory use cases: read it, add an entry, block a provider, remove one of the
organisation's own entries (which lifts a block).

Every member reads the directory; owners and admins change it. Each change is an event on the
organisation's directory stream (``handlers.providers.change_directory``).
"""

from __future__ import annotations

from domain.credits.providers import (
    SEED_PROVIDERS,
    AddProvider,
    BlockProvider,
    Origin,
    ProviderEntry,
    RemoveProvider,
)
from services.core.application import UnitOfWork
from services.core.directory.handlers import change_directory
from services.core.policy import MANAGERS, require_role
from services.core.projections.providers import tenant_providers


async def provider_directory(uow: UnitOfWork, origin: Origin | None) -> list[ProviderEntry]:
    """The seed entries, then the organisation's own by name; only those of ``origin`` when
    given."""
    own = await tenant_providers(uow.tx)
    return [e for e in (*SEED_PROVIDERS, *own) if origin in (None, e.origin)]


async def add_provider(uow: UnitOfWork, command: AddProvider) -> ProviderEntry:
    """Add a provider whose certificates the worker should recognise (its name and aliases new
    to the whole directory); the entry added."""
    require_role(uow.actor, *MANAGERS)
    [added] = await change_directory(uow.command(), command)
    return await _entry(uow, added.data["provider_id"])


async def block_provider(uow: UnitOfWork, command: BlockProvider) -> ProviderEntry:
    """Block a provider, with a reason: its certificates then never verify and go to review
    with that reason; the blocked entry."""
    require_role(uow.actor, *MANAGERS)
    [blocked] = await change_directory(uow.command(), command)
    return await _entry(uow, blocked.data["provider_id"])


async def _entry(uow: UnitOfWork, provider_id: str) -> ProviderEntry:
    return next(e for e in await tenant_providers(uow.tx) if e.provider_id == provider_id)


async def remove_provider(uow: UnitOfWork, command: RemoveProvider) -> None:
    """Remove one of the organisation's own entries, with a reason (seed entries stay); removing
    a blocked entry lifts the block."""
    require_role(uow.actor, *MANAGERS)
    await change_directory(uow.command(), command)
