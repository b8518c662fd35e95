"""Read models ``credits`` (with verification status and retraction; ``state`` holds the
``services.core.credits.views.Credit`` view) and ``waivers`` (plain columns)."""

from __future__ import annotations

from collections.abc import Sequence

from domain.credits import credit, waiver
from domain.credits.credit import CREDIT_EVENTS, Credit
from domain.credits.waiver import WAIVER_EVENTS
from domain.shared.event import EventRegistry
from services.core.credits import views
from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent
from services.core.projections.folded import (
    FoldedStates,
    as_json,
    insert_json_rows,
    stored,
    tags,
)

_LOAD_CREDITS = (
    "SELECT credit_id AS id, state::text AS state FROM credits"
    " WHERE tenant_id = $1 AND credit_id = ANY($2::uuid[])"
)
_UPSERT_CREDITS = insert_json_rows(
    "credits",
    "credit_id uuid, person_id uuid, origin text",
    updated="title text, provider text, accrediting_organisation text, credit_types text[],"
    " completed_on date, credits numeric, topics text[], activity_kind text, certificate_ref text,"
    " verification text, retracted boolean, retraction_reason text, state jsonb",
)
_INSERT_WAIVERS = insert_json_rows(
    "waivers",
    "waiver_id uuid, person_id uuid, body text, kind text, granted_on date, reference text",
)


class CreditsProjection(FoldedStates[Credit, views.Credit]):
    name = "credits"
    tables: tuple[str, ...] = ("credits",)
    event_types: frozenset[str] | None = tags(CREDIT_EVENTS)
    view_type = views.Credit

    def __init__(self, registry: EventRegistry) -> None:
        super().__init__(registry, evolve=credit.evolve, state_type=Credit, load_sql=_LOAD_CREDITS)

    async def save(self, tx: Tx, states: list[Credit]) -> None:
        rows = [
            {
                **view["details"],
                **view,
                "retracted": view["retraction_reason"] is not None,
                "state": view,
            }
            for view in stored(states, list[views.Credit])
        ]
        await tx.pg.execute(_UPSERT_CREDITS, tx.require_tenant(), as_json(rows))


class WaiversProjection:
    """Waivers are recorded once and never change: each event is a row of plain columns."""

    name = "waivers"
    tables: tuple[str, ...] = ("waivers",)
    event_types: frozenset[str] | None = tags(WAIVER_EVENTS)

    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        decode = self.registry.decode
        granted = [
            waiver.evolve(None, decode(e.event_type, e.schema_version, e.data)) for e in events
        ]
        rows = [
            {
                "waiver_id": w.waiver_id,
                "person_id": w.person_id,
                "body": w.body,
                "kind": w.kind,
                "granted_on": w.granted_on,
                "reference": w.reference,
            }
            for w in granted
        ]
        await tx.pg.execute(_INSERT_WAIVERS, tx.require_tenant(), as_json(rows))
