"""Read model ``certificates``: one row per uploaded certificate file with where its verification
stands (pending, verified, needs review, rejected; why; what was read; who decided), and its
queries. A row is a ``services.core.certificates.views.StoredCertificate``: what the events
carry is copied into the views by field name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.credits.certificate import CERTIFICATE_EVENTS, CertificateUploaded
from domain.credits.verification import (
    VERIFICATION_EVENTS,
    CertificateFieldsCorrected,
    CertificateNeedsReview,
    CertificateRejected,
    CertificateVerified,
)
from domain.shared.event import Event, EventRegistry
from services.core.certificates.views import (
    CertificateAcceptance,
    ExtractedFields,
    FieldsCorrection,
    ProviderMatch,
    ReviewReason,
    StoredCertificate,
)
from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent
from services.core.projections.folded import as_json, copied, insert_json_rows, tags
from services.core.stream_ids import aggregate_id

_UPSERT = insert_json_rows(
    "certificates",
    "certificate_id uuid, person_id uuid, credit_id uuid, sha256 text, media_type text,"
    " size_bytes bigint, filename text, uploaded_at timestamptz",
    updated="status text, reasons jsonb, fields jsonb, provider jsonb, acceptance jsonb,"
    " text_source text, confidence numeric, decided_by text, reviewer_id uuid,"
    " decided_at timestamptz, note text, correction jsonb",
)
ROW_JSON = "(to_jsonb(c) - 'tenant_id')::text"
"""A ``certificates c`` row as the JSON of a ``StoredCertificate``."""
_SELECT = f"SELECT {ROW_JSON} AS certificate FROM certificates c WHERE c.tenant_id = $1"  # noqa: S608


def evolve(state: StoredCertificate | None, event: Event, at: datetime) -> StoredCertificate:
    """Fold one certificate event recorded at ``at`` into the row."""
    if isinstance(event, CertificateUploaded):
        return StoredCertificate(**msgspec.structs.asdict(event), uploaded_at=at)
    if state is None:
        raise TypeError("a certificate's row starts with CertificateUploaded")
    replace = msgspec.structs.replace
    match event:
        case CertificateNeedsReview():
            return _outcome(
                state,
                event,
                at,
                status="needs_review",
                reasons=copied(event.reasons, tuple[ReviewReason, ...]),
                decided_by="worker",
                reviewer_id=None,
                note="",
            )
        case CertificateVerified():
            return _outcome(
                state,
                event,
                at,
                status="verified",
                reasons=(),
                decided_by=event.decided_by,
                reviewer_id=event.reviewer_id,
                note=event.note,
            )
        case CertificateFieldsCorrected():
            as_read = state.correction.fields_as_read if state.correction else state.fields
            correction = FieldsCorrection(
                reviewer_id=event.reviewer_id,
                reason=event.reason,
                corrected_at=at,
                fields_as_read=as_read,
            )
            return replace(
                state, fields=copied(event.fields, ExtractedFields), correction=correction
            )
        case CertificateRejected():
            rejected = {
                "status": "rejected",
                "reasons": copied(event.reasons, tuple[ReviewReason, ...]),
                "decided_by": event.decided_by,
                "reviewer_id": event.reviewer_id,
                "note": "",
            }
            if event.fields is not None:  # the worker's rejection, with what it read
                return _outcome(state, event, at, **rejected)
            return replace(state, decided_at=at, **rejected)
    raise TypeError(f"not a certificate event: {type(event).__name__}")


def _outcome(
    state: StoredCertificate,
    event: CertificateNeedsReview | CertificateVerified | CertificateRejected,
    at: datetime,
    **changes: Any,
) -> StoredCertificate:
    """``state`` with what ``event`` says was read off the certificate, and ``changes``."""
    return msgspec.structs.replace(
        state,
        fields=copied(event.fields, ExtractedFields | None),
        provider=copied(event.provider, ProviderMatch | None),
        acceptance=copied(event.acceptance, tuple[CertificateAcceptance, ...]),
        text_source=event.text_source,
        confidence=event.confidence,
        decided_at=at,
        **changes,
    )


class CertificatesProjection:
    """Folds each batch into the stored rows: one load and one upsert per batch."""

    name = "certificates"
    tables: tuple[str, ...] = ("certificates",)
    event_types: frozenset[str] | None = tags(CERTIFICATE_EVENTS) | tags(VERIFICATION_EVENTS)

    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        ids = list(dict.fromkeys(aggregate_id(e.stream_id) for e in events))
        rows = await tx.pg.fetch(
            _SELECT + " AND c.certificate_id = ANY($2::uuid[])", tx.require_tenant(), ids
        )
        stored = [msgspec.json.decode(row["certificate"], type=StoredCertificate) for row in rows]
        states = {certificate.certificate_id: certificate for certificate in stored}
        for e in events:
            key = aggregate_id(e.stream_id)
            event = self.registry.decode(e.event_type, e.schema_version, e.data)
            states[key] = evolve(states.get(key), event, e.recorded_at)
        saved = as_json([msgspec.to_builtins(state) for state in states.values()])
        await tx.pg.execute(_UPSERT, tx.require_tenant(), saved)


async def certificates_of(tx: Tx, person_id: UUID) -> list[StoredCertificate]:
    """The person's certificates, newest first."""
    rows = await tx.pg.fetch(
        _SELECT + " AND c.person_id = $2 ORDER BY c.uploaded_at DESC, c.certificate_id",
        tx.require_tenant(),
        person_id,
    )
    return [msgspec.json.decode(row["certificate"], type=StoredCertificate) for row in rows]


async def certificate_by_id(tx: Tx, certificate_id: UUID) -> StoredCertificate | None:
    """One certificate of the organisation, or None."""
    found = await tx.pg.fetchval(
        _SELECT + " AND c.certificate_id = $2", tx.require_tenant(), certificate_id
    )
    return None if found is None else msgspec.json.decode(found, type=StoredCertificate)


async def certificate_of(tx: Tx, person_id: UUID, certificate_id: UUID) -> StoredCertificate | None:
    """One certificate of the person, or None (another person's is None too)."""
    found = await certificate_by_id(tx, certificate_id)
    return found if found is not None and found.person_id == person_id else None
