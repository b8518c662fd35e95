"""Read model ``provider_directory``: the entries an organisation added to its provider directory
(the seed entries are data: ``domain.credits.providers.SEED_PROVIDERS``), one row of plain
columns each, and its query."""

from __future__ import annotations

from collections.abc import Sequence

from domain.credits import providers
from domain.credits.providers import PROVIDER_EVENTS, ProviderEntry, TenantProviders
from domain.shared.event import EventRegistry
from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent
from services.core.projections import reset
from services.core.projections.folded import as_json, insert_json_rows, tags

_INSERT = insert_json_rows(
    "provider_directory",
    "provider_id text, name text, aliases text[], credit_types text[], reference text,"
    " origin text, kind text, reason text",
)
_SELECT = """
SELECT provider_id, name, aliases, credit_types, reference, origin, kind, reason
FROM provider_directory
WHERE tenant_id = $1 ORDER BY name, provider_id
"""


class ProviderDirectoryProjection:
    """A tenant's entries are one small state (``providers.evolve``): each batch folds into the
    stored entries and replaces them."""

    name = "provider_directory"
    tables: tuple[str, ...] = ("provider_directory",)
    event_types: frozenset[str] | None = tags(PROVIDER_EVENTS)

    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        state = TenantProviders(entries=tuple(await tenant_providers(tx)))
        for event in events:
            state = providers.evolve(
                state, self.registry.decode(event.event_type, event.schema_version, event.data)
            )
        rows = [
            {
                "provider_id": e.provider_id,
                "name": e.name,
                "aliases": e.aliases,
                "credit_types": e.credit_types,
                "reference": e.reference,
                "origin": e.origin,
                "kind": e.kind,
                "reason": e.reason,
            }
            for e in state.entries
        ]
        await reset(tx, self)
        await tx.pg.execute(_INSERT, tx.require_tenant(), as_json(rows))


async def tenant_providers(tx: Tx) -> list[ProviderEntry]:
    """The entries the organisation added to its directory, by name, as the domain's
    ``ProviderEntry``: the projection folds them with ``providers.evolve`` and the directory
    lookup matches printed names against them."""
    rows = await tx.pg.fetch(_SELECT, tx.require_tenant())
    return [
        ProviderEntry(
            provider_id=row["provider_id"],
            name=row["name"],
            aliases=tuple(row["aliases"]),
            credit_types=tuple(row["credit_types"]),
            reference=row["reference"],
            origin=row["origin"],
            kind=row["kind"],
            reason=row["reason"],
        )
        for row in rows
    ]
