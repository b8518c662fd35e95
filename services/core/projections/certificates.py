"""Read model ``certificates``: one row per uploaded certificate file, and its queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.credits.certificate import CERTIFICATE_EVENTS, MediaType
from domain.shared.event import EventRegistry
from services.core.db import Tx
from services.core.eventstore import RecordedEvent
from services.core.projections.folded import as_json, tags

_COLUMNS = "certificate_id, person_id, credit_id, sha256, media_type, size_bytes, filename"
_INSERT = f"""
INSERT INTO certificates (tenant_id, {_COLUMNS}, uploaded_at)
SELECT $1, {_COLUMNS}, uploaded_at
FROM jsonb_to_recordset($2::jsonb) AS r(
    certificate_id uuid, person_id uuid, credit_id uuid, sha256 text, media_type text,
    size_bytes bigint, filename text, uploaded_at timestamptz)
ON CONFLICT DO NOTHING
"""  # noqa: S608 (column names are constants)
_SELECT = (
    f"SELECT {_COLUMNS}, uploaded_at FROM certificates WHERE tenant_id = $1 AND person_id = $2"  # noqa: S608
)


class StoredCertificate(msgspec.Struct, frozen=True, kw_only=True):
    certificate_id: UUID
    person_id: UUID
    credit_id: UUID | None
    sha256: str
    media_type: MediaType
    size_bytes: int
    filename: str
    """The uploader's file name (cleaned), for display only."""
    uploaded_at: datetime


class CertificatesProjection:
    """Certificates are uploaded once and never change, so applying is a plain insert."""

    name = "certificates"
    event_types: frozenset[str] | None = tags(CERTIFICATE_EVENTS)

    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        rows: list[dict[str, Any]] = []
        for event in events:
            uploaded = self.registry.decode(event.event_type, event.schema_version, event.data)
            rows.append({**msgspec.to_builtins(uploaded), "uploaded_at": event.recorded_at})
        await tx.pg.execute(_INSERT, tx.require_tenant(), as_json(rows))

    async def reset(self, tx: Tx) -> None:
        await tx.pg.execute("DELETE FROM certificates WHERE tenant_id = $1", tx.require_tenant())


async def certificates_of(tx: Tx, person_id: UUID) -> list[StoredCertificate]:
    """The person's certificates, newest first."""
    rows = await tx.pg.fetch(
        _SELECT + " ORDER BY uploaded_at DESC, certificate_id", tx.require_tenant(), person_id
    )
    return [StoredCertificate(**dict(row)) for row in rows]


async def certificate_of(tx: Tx, person_id: UUID, certificate_id: UUID) -> StoredCertificate | None:
    """One certificate of the person, or None (another person's is None too)."""
    row = await tx.pg.fetchrow(
        _SELECT + " AND certificate_id = $3", tx.require_tenant(), person_id, certificate_id
    )
    return None if row is None else StoredCertificate(**dict(row))
