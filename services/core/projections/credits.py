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
from services.core.projections.folded import FoldedStates, as_json, stored, tags

_LOAD_CREDITS = (
    "SELECT credit_id AS id, state::text AS state FROM credits"
    " WHERE tenant_id = $1 AND credit_id = ANY($2::uuid[])"
)
_UPSERT_CREDITS = """
INSERT INTO credits AS c
    (tenant_id, credit_id, person_id, title, provider, accrediting_organisation, credit_types,
     completed_on, credits, topics, activity_kind, certificate_ref, origin, verification,
     retracted, retraction_reason, state)
SELECT $1, r.credit_id, r.person_id, r.title, r.provider, r.accrediting_organisation,
       r.credit_types, r.completed_on, r.credits, r.topics, r.activity_kind, r.certificate_ref,
       r.origin, r.verification, r.retraction_reason IS NOT NULL, r.retraction_reason, r.state
FROM jsonb_to_recordset($2::jsonb) AS r(
    credit_id uuid, person_id uuid, title text, provider text, accrediting_organisation text,
    credit_types text[], completed_on date, credits numeric, topics text[], activity_kind text,
    certificate_ref text, origin text, verification text, retraction_reason text, state jsonb)
ON CONFLICT (tenant_id, credit_id) DO UPDATE SET
    title = excluded.title,
    provider = excluded.provider,
    accrediting_organisation = excluded.accrediting_organisation,
    credit_types = excluded.credit_types,
    completed_on = excluded.completed_on,
    credits = excluded.credits,
    topics = excluded.topics,
    activity_kind = excluded.activity_kind,
    certificate_ref = excluded.certificate_ref,
    verification = excluded.verification,
    retracted = excluded.retracted,
    retraction_reason = excluded.retraction_reason,
    state = excluded.state
"""
_INSERT_WAIVERS = """
INSERT INTO waivers (tenant_id, waiver_id, person_id, body, kind, granted_on, reference)
SELECT $1, r.waiver_id, r.person_id, r.body, r.kind, r.granted_on, r.reference
FROM jsonb_to_recordset($2::jsonb) AS r(waiver_id uuid, person_id uuid, body text, kind text,
                                         granted_on date, reference text)
"""


class CreditsProjection(FoldedStates[Credit, views.Credit]):
    name = "credits"
    tables: tuple[str, ...] = ("credits",)
    event_types: frozenset[str] | None = tags(CREDIT_EVENTS)
    view_type = views.Credit

    def __init__(self, registry: EventRegistry) -> None:
        super().__init__(registry, evolve=credit.evolve, state_type=Credit, load_sql=_LOAD_CREDITS)

    async def save(self, tx: Tx, states: list[Credit]) -> None:
        rows = [
            {**view["details"], **view, "state": view}
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
