"""The provider directory the certificate worker checks printed provider names against: the seed
entries every organisation shares and the organisation's own.

Every member reads it; owners and admins add entries and remove the organisation's own (seed
entries stay: 422). Each change is an event on the organisation's directory stream.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from domain.credits.providers import (
    SEED_PROVIDERS,
    AddProvider,
    Origin,
    ProviderEntry,
    RemoveProvider,
)
from services.api.auth import Principal, requires_role
from services.api.controllers.invitations import actor
from services.api.idempotency import request_command_id
from services.core.handlers.providers import change_directory
from services.core.projections.providers import tenant_providers

MANAGERS = requires_role("owner", "admin")


class ProviderController(Controller):
    path = "/api/v1/providers"
    tags = ("providers",)

    @get("")
    async def directory(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        origin: Annotated[
            Origin | None,
            QueryParameter(description="seed (shared by every organisation) or tenant (yours)"),
        ] = None,
    ) -> list[ProviderEntry]:
        """The seed entries, then the organisation's own by name."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            own = await tenant_providers(tx)
        return [e for e in (*SEED_PROVIDERS, *own) if origin in (None, e.origin)]

    @post("", guards=[MANAGERS], status_code=201)
    async def add(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[AddProvider]
    ) -> ProviderEntry:
        """Add a provider whose certificates the worker should recognise; its name and aliases
        must be new to the whole directory (409 otherwise)."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            [added] = await change_directory(
                tx,
                state.store,
                data,
                command_id=request_command_id(request),
                metadata=actor(request),
            )
            provider_id = added.data["provider_id"]
            return next(e for e in await tenant_providers(tx) if e.provider_id == provider_id)

    @delete("/{provider_id:str}", guards=[MANAGERS])
    async def remove(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        provider_id: FromPath[str],
        reason: Annotated[
            str, QueryParameter(min_length=1, max_length=500, description="Why it is removed")
        ],
    ) -> None:
        """Remove one of the organisation's own entries, with a reason."""
        command = RemoveProvider(provider_id=provider_id, reason=reason)
        async with state.database.transaction(request.user.tenant_id) as tx:
            await change_directory(
                tx,
                state.store,
                command,
                command_id=request_command_id(request),
                metadata=actor(request),
            )
