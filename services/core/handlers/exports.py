"""Recording exports in the tenant's chain."""

from __future__ import annotations

from uuid import uuid4

from domain.audits.exports import TranscriptExported
from services.core.db import Tx
from services.core.eventstore import ANY_VERSION, EventStore, Metadata
from services.core.stream_ids import access_stream


async def record_transcript_export(
    tx: Tx, store: EventStore, event: TranscriptExported, *, metadata: Metadata | None = None
) -> None:
    """Append ``event`` to the exporting member's access stream (before the file is sent: an
    export that fails half-way is on record too)."""
    await store.append(
        tx,
        access_stream(event.user_id),
        [event],
        expected_version=ANY_VERSION,
        event_ids=[uuid4()],
        metadata=metadata,
    )
