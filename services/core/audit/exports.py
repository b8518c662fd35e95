"""Recording exports in the tenant's chain."""

from __future__ import annotations

from domain.audits.exports import AuditBundleExported, TranscriptExported
from services.core.db import Tx
from services.core.eventsourcing.commands import record_fact
from services.core.eventsourcing.store import EventStore, Metadata, RecordedEvent
from services.core.stream_ids import access_stream


async def record_export(
    tx: Tx,
    store: EventStore,
    event: TranscriptExported | AuditBundleExported,
    *,
    metadata: Metadata | None = None,
) -> RecordedEvent:
    """Append ``event`` to the exporting member's access stream (before the file is sent: an
    export that fails half-way is on record too) and return it as recorded."""
    return await record_fact(tx, store, access_stream(event.user_id), event, metadata=metadata)
