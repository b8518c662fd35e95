"""The certificate verification actor: reads each uploaded certificate and records the worker's
outcome (``services.core.handlers.verification``).

Exactly one outcome per certificate, however often a message is delivered: the actor claims its
message in ``actor_effects`` in the transaction that records the outcome, so a redelivery (or a
message republished after a crash before its acknowledgement) finds it claimed and does
nothing; and the certificate records a worker outcome only while it is pending. A crash before
the commit leaves nothing, and the redelivered message does the work.

One organisation's flood of uploads does not starve the others: at most
``Settings.verification_per_tenant`` of its certificates are verified at once, over all workers
(each holds one of that many PostgreSQL advisory locks of the tenant for its transaction). A
job that finds them all taken is sent again a few seconds later (``Busy``), leaving the worker
thread to the next message, which may be another organisation's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

import structlog

from domain.credits.certificate import CertificateUploaded
from domain.shared.errors import DomainError
from services.core.blobs import BlobNotFound, BlobStore, build_blob_store
from services.core.db import Tx
from services.core.eventstore import EventStore, Metadata, read_history
from services.core.handlers import verification
from services.core.registry import build_event_store
from services.core.settings import Settings
from services.worker.broker import TIME_LIMIT_MS, Busy, PermanentFailure
from services.worker.effects import claim_effect

if TYPE_CHECKING:
    from services.worker.actors import Handler, Job

log = structlog.get_logger("cmeledger.worker")


def verification_handlers(
    settings: Settings, store: EventStore | None = None, blobs: BlobStore | None = None
) -> tuple[Handler, ...]:
    """The verification actor's handler, with the blob store and thresholds of ``settings``."""
    events = store or build_event_store()
    files = blobs or build_blob_store(settings)

    async def verify_certificate(tx: Tx, job: Job) -> None:
        """Verify the certificate a ``credits.CertificateUploaded`` event recorded."""
        if not await _take_a_tenant_slot(tx, job.tenant_id, settings.verification_per_tenant):
            log.info("tenant busy, verification deferred", seq=job.seq)
            raise Busy
        if not await claim_effect(tx, job):
            log.info("duplicate delivery ignored", seq=job.seq)
            return
        certificate_id = await _uploaded(tx, events, job)
        # Reading a scanned file can take longer than the pool's idle-in-transaction limit.
        await tx.pg.execute(
            "SELECT set_config('idle_in_transaction_session_timeout', $1, true)",
            str(TIME_LIMIT_MS),
        )
        try:
            await verification.verify_certificate(
                tx,
                events,
                files,
                settings,
                certificate_id,
                command_id=UUID(job.message_id),
                metadata=Metadata(
                    actor_id=job.actor_name,
                    actor_role="system",
                    correlation_id=job.correlation_id,
                    causation_id=str(job.event_id),
                ),
            )
        except (DomainError, BlobNotFound) as exc:  # the same next time: do not retry
            raise PermanentFailure(f"{type(exc).__name__}: {exc}") from exc

    return (verify_certificate,)


async def _take_a_tenant_slot(tx: Tx, tenant: UUID, slots: int) -> bool:
    """Take one of the tenant's ``slots`` verification locks until the transaction ends, if one
    is free (two-key advisory locks: apart from the one-key locks of the relay and others)."""
    key = int.from_bytes(tenant.bytes[:4], "big", signed=True)
    for slot in range(slots):
        if await tx.pg.fetchval("SELECT pg_try_advisory_xact_lock($1, $2)", key, slot):
            return True
    return False


async def _uploaded(tx: Tx, store: EventStore, job: Job) -> UUID:
    """The id of the certificate the job's event uploaded."""
    found = await read_history(tx, after_seq=job.seq - 1, limit=1)
    if not found or found[0].event_id != job.event_id:
        raise PermanentFailure(f"no event {job.event_id} at seq {job.seq}")
    uploaded = store.decode(found[0])
    if not isinstance(uploaded, CertificateUploaded):
        raise PermanentFailure(f"not a certificate upload: {found[0].event_type}")
    return uploaded.certificate_id
