"""The provider directory the certificate worker checks printed provider names against: the seed
entries every organisation shares and the organisation's own.

Every member reads it; owners and admins add entries, block providers (their certificates then
never verify) and remove the organisation's own entries, which lifts a block (seed entries stay:
422). Each change is an event on the organisation's directory stream.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from domain.credits import providers
from domain.credits.providers import Origin, RemoveProvider
from services.api.auth import requires_role
from services.api.schemas import from_view
from services.api.schemas.providers import AddProvider, BlockProvider, ProviderEntry
from services.core.application import UseCases
from services.core.directory import use_cases as directory_use_cases

MANAGERS = requires_role("owner", "admin")


class ProviderController(Controller):
    path = "/api/v1/providers"
    tags = ("providers",)

    @get("")
    async def directory(
        self,
        use_cases: NamedDependency[UseCases],
        origin: Annotated[
            Origin | None,
            QueryParameter(description="seed (shared by every organisation) or tenant (yours)"),
        ] = None,
    ) -> list[ProviderEntry]:
        """The seed entries, then the organisation's own by name."""
        entries = await use_cases.run(directory_use_cases.provider_directory, origin)
        return from_view(entries, list[ProviderEntry])

    @post("", guards=[MANAGERS], status_code=201)
    async def add(
        self, use_cases: NamedDependency[UseCases], data: JSONBody[AddProvider]
    ) -> ProviderEntry:
        """Add a provider whose certificates the worker should recognise; its name and aliases
        must be new to the whole directory (409 otherwise)."""
        command = providers.AddProvider(**msgspec.structs.asdict(data))
        entry = await use_cases.run(directory_use_cases.add_provider, command)
        return from_view(entry, ProviderEntry)

    @post("/blocked", guards=[MANAGERS], status_code=201)
    async def block(
        self, use_cases: NamedDependency[UseCases], data: JSONBody[BlockProvider]
    ) -> ProviderEntry:
        """Block a provider, with a reason: its certificates never verify and go to review with
        the reason. Its name and aliases must be new to the organisation's own entries (409);
        a seed provider may be blocked. Remove the entry to lift the block."""
        command = providers.BlockProvider(**msgspec.structs.asdict(data))
        entry = await use_cases.run(directory_use_cases.block_provider, command)
        return from_view(entry, ProviderEntry)

    @delete("/{provider_id:str}", guards=[MANAGERS])
    async def remove(
        self,
        use_cases: NamedDependency[UseCases],
        provider_id: FromPath[str],
        reason: Annotated[
            str, QueryParameter(min_length=1, max_length=500, description="Why it is removed")
        ],
    ) -> None:
        """Remove one of the organisation's own entries, with a reason."""
        command = RemoveProvider(provider_id=provider_id, reason=reason)
        await use_cases.run(directory_use_cases.remove_provider, command)
