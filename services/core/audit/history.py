"""What auditors ask of the history: the filtered timeline, and a person's standing as the record
showed it at a past moment (``known_at``), replayed from events rather than read models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from domain.compliance.evaluation import Obligation, evaluate
from domain.compliance.packs import RULE_PACKS
from domain.compliance.rules import Pack
from domain.credits import credit, waiver
from domain.people import person
from domain.shared.event import fold
from services.core.db import Tx
from services.core.eventsourcing.store import EventStore, RecordedEvent, row_to_event, select_events
from services.core.stream_ids import person_stream

_FILTERS = (
    " AND seq > $2"
    " AND ($4::text IS NULL OR event_type = $4)"
    " AND ($5::text IS NULL OR stream_id = $5)"
    " AND ($6::timestamptz IS NULL OR recorded_at >= $6)"
    " AND ($7::timestamptz IS NULL OR recorded_at < $7)"
)
_TIMELINE = select_events(_FILTERS + " ORDER BY seq LIMIT $3")

# The events about the person $8 (their id as text), read by key: those naming them
# (``named_person``, migration 0034), and every event of their person stream and of the streams
# their credits, certificates and waivers were recorded in. Arrays of keys, so each step is an
# index lookup whatever the planner guesses of how many rows there are.
_ABOUT_PERSON = (
    " AND seq = ANY(ARRAY("
    "   SELECT seq FROM events WHERE tenant_id = $1 AND named_person = $8"
    "   UNION SELECT seq FROM events WHERE tenant_id = $1 AND stream_id = ANY(ARRAY("
    "     SELECT 'person-' || $8 UNION SELECT stream_id FROM events"
    "     WHERE tenant_id = $1 AND named_person = $8 AND event_type IN ("
    "       'credits.CreditRecorded', 'credits.CertificateUploaded', 'credits.WaiverRecorded')))))"
)
_PERSON_TIMELINE = select_events(_ABOUT_PERSON + _FILTERS + " ORDER BY seq LIMIT $3")

# Every stream that makes up a person's standing: their person stream and the streams of the
# credits and waivers recorded for them, up to a moment.
_PERSON_HISTORY = select_events(
    " AND recorded_at <= $3 AND stream_id = ANY(ARRAY("
    "   SELECT $2::text UNION SELECT stream_id FROM events"
    "   WHERE tenant_id = $1 AND recorded_at <= $3 AND named_person = $4"
    "     AND event_type IN ('credits.CreditRecorded', 'credits.WaiverRecorded')))"
    " ORDER BY seq"
)


async def timeline(
    tx: Tx,
    *,
    after_seq: int = 0,
    limit: int = 100,
    event_type: str | None = None,
    stream_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    person_id: UUID | None = None,
) -> list[RecordedEvent]:
    """A page of the tenant's history in sequence order, filtered; page on the last seq.
    ``person_id`` keeps the events about that person: their record, their credits, waivers
    and certificates, and any other event naming them (downloads, exports)."""
    filters = (after_seq, limit, event_type, stream_id, since, until)
    if person_id is None:
        rows = await tx.pg.fetch(_TIMELINE, tx.require_tenant(), *filters)
    else:
        rows = await tx.pg.fetch(_PERSON_TIMELINE, tx.require_tenant(), *filters, str(person_id))
    return [row_to_event(row) for row in rows]


async def obligations_known_at(
    tx: Tx,
    store: EventStore,
    person_id: UUID,
    *,
    known_at: datetime,
    today: date,
    count_pending: bool,
    rule_packs: Sequence[Pack] = RULE_PACKS,
) -> list[Obligation] | None:
    """The person's obligations on ``today`` from only what was recorded by ``known_at``
    (statuses counting pending credits or not); None if the person was not registered then."""
    rows = await tx.pg.fetch(
        _PERSON_HISTORY, tx.require_tenant(), person_stream(person_id), known_at, str(person_id)
    )
    streams: dict[str, list[RecordedEvent]] = {}
    for event in map(row_to_event, rows):
        streams.setdefault(event.stream_id, []).append(event)
    profile = fold(person.evolve, map(store.decode, streams.pop(person_stream(person_id), [])))
    if profile is None:
        return None
    credits, waivers = [], []
    for stream_id, events in streams.items():
        decoded = map(store.decode, events)
        if stream_id.startswith("credit-"):
            credits.append(fold(credit.evolve, decoded))
        else:
            waivers.append(fold(waiver.evolve, decoded))
    return evaluate(
        profile,
        [c for c in credits if c is not None],
        [w for w in waivers if w is not None],
        today=today,
        rule_packs=rule_packs,
        count_pending=count_pending,
    )
