"""Recompute a tenant's hash chain and report the first broken link."""

from __future__ import annotations

from typing import Any

import msgspec

from services.core.db import Tx
from services.core.eventsourcing.chain import (
    GENESIS_HASH,
    canonical_json,
    event_hash,
    format_timestamp,
)
from services.core.eventsourcing.store import EventStore, RecordedEvent, read_history


class ChainBreak(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    stream_id: str | None
    reason: str


class ChainReport(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: str
    checked: int
    head_seq: int
    head_hash: str
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def chained_fields(event: RecordedEvent) -> dict[str, Any]:
    """The event's fields exactly as the chain hashes them (and as exports carry them)."""
    return {
        "tenant_id": str(event.tenant_id),
        "seq": event.seq,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "event_id": str(event.event_id),
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "data": event.data,
        "metadata": event.metadata,
        "recorded_at": format_timestamp(event.recorded_at),
        "prev_hash": event.prev_hash,
    }


def recompute_hash(event: RecordedEvent) -> str:
    return event_hash(**chained_fields(event))


def export_line(event: RecordedEvent) -> str:
    """One line of a history export (JSON lines): the chained fields plus the stored hash."""
    return canonical_json({**chained_fields(event), "hash": event.hash})


def _check_link(event: RecordedEvent, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    if event.seq != expected_seq:
        return ChainBreak(
            seq=expected_seq,
            stream_id=None,
            reason=f"event {expected_seq} is missing (the next stored event is {event.seq})",
        )
    if event.prev_hash != prev_hash:
        return ChainBreak(
            seq=event.seq,
            stream_id=event.stream_id,
            reason=f"prev_hash does not match the hash of event {event.seq - 1}"
            " (an event was altered, removed or reordered)",
        )
    if recompute_hash(event) != event.hash:
        return ChainBreak(
            seq=event.seq,
            stream_id=event.stream_id,
            reason="hash does not match the event's content (the event was altered)",
        )
    return None


class ChainWalk:
    """The chain checked event by event from the genesis hash: ``add`` the events in ``seq``
    order; after the first broken link ``first_break`` names it and ``add`` returns False."""

    def __init__(self) -> None:
        self.checked, self.prev = 0, GENESIS_HASH
        """The last event verified (0: none yet) and its hash."""
        self.first_break: ChainBreak | None = None

    def add(self, event: RecordedEvent) -> bool:
        if self.first_break is None:
            self.first_break = _check_link(event, self.checked + 1, self.prev)
            if self.first_break is None:
                self.checked, self.prev = event.seq, event.hash
        return self.first_break is None


async def verify_chain(tx: Tx, store: EventStore, page_size: int = 5_000) -> ChainReport:
    """Walk the tenant's whole chain from the genesis hash, then compare with its head row."""
    head_seq, head_hash = await store.head(tx)
    walk = ChainWalk()
    while walk.first_break is None and (
        page := await read_history(tx, after_seq=walk.checked, limit=page_size)
    ):
        for event in page:
            if not walk.add(event):
                break
    found, checked, prev = walk.first_break, walk.checked, walk.prev
    if found is None and (checked, prev) != (head_seq, head_hash):
        found = ChainBreak(
            seq=checked + 1 if checked < head_seq else head_seq,
            stream_id=None,
            reason=f"the chain ends at event {checked} but the tenant head records event"
            f" {head_seq} (events were removed from the end, or the head was altered)",
        )
    return ChainReport(
        tenant_id=str(tx.tenant_id),
        checked=checked,
        head_seq=head_seq,
        head_hash=head_hash,
        first_break=found,
    )
