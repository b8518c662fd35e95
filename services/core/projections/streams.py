"""Read model ``stream_summaries``: one row per stream with its version, size and last activity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent

_UPSERT = """
INSERT INTO stream_summaries AS s
    (tenant_id, stream_id, version, event_count, first_recorded_at, last_recorded_at,
     last_event_type)
SELECT $1, u.stream_id, u.version, u.event_count, u.first_at, u.last_at, u.last_type
FROM unnest($2::text[], $3::int[], $4::int[], $5::timestamptz[], $6::timestamptz[], $7::text[])
     AS u(stream_id, version, event_count, first_at, last_at, last_type)
ON CONFLICT (tenant_id, stream_id) DO UPDATE SET
    version = excluded.version,
    event_count = s.event_count + excluded.event_count,
    last_recorded_at = excluded.last_recorded_at,
    last_event_type = excluded.last_event_type
"""


class StreamSummaries:
    name = "stream_summaries"
    tables: tuple[str, ...] = ("stream_summaries",)
    event_types: frozenset[str] | None = None

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        streams: dict[str, list[RecordedEvent]] = {}
        for event in events:
            streams.setdefault(event.stream_id, []).append(event)
        first_at: list[datetime] = [batch[0].recorded_at for batch in streams.values()]
        await tx.pg.execute(
            _UPSERT,
            tx.require_tenant(),
            list(streams),
            [batch[-1].stream_version for batch in streams.values()],
            [len(batch) for batch in streams.values()],
            first_at,
            [batch[-1].recorded_at for batch in streams.values()],
            [batch[-1].event_type for batch in streams.values()],
        )
