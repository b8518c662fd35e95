"""The certificate verification actor: reads each uploaded certificate and records the worker's
outcome (``services.core.certificates.verification``).

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

from uuid import UUID

import structlog

from domain.credits.certificate import CertificateUploaded
from domain.shared.errors import DomainError
from services.core.application import UnitOfWork
from services.core.blobs import BlobNotFound, BlobStore
from services.core.certificates import verification as verification
from services.worker.broker import TIME_LIMIT_MS, Busy, PermanentFailure
from services.worker.runtime import Job, Subscriber, claim_effect, event_of

log = structlog.get_logger("cmeledger.worker")


def certificate_subscribers(blobs: BlobStore) -> tuple[Subscriber, ...]:
    """The verification actor, reading certificate files from ``blobs``. It is interrupted when
    the worker shuts down (its reading is killed, its transaction rolled back, its message
    redelivered) rather than waited for."""

    async def verify_certificate(uow: UnitOfWork, job: Job) -> None:
        """Verify the certificate a ``credits.CertificateUploaded`` event recorded."""
        slots = uow.settings.verification_per_tenant
        if not await _take_a_tenant_slot(uow, job.tenant_id, slots):
            log.info("tenant busy, verification deferred", seq=job.seq)
            raise Busy
        if not await claim_effect(uow.tx, job):
            log.info("duplicate delivery ignored", seq=job.seq)
            return
        uploaded = uow.store.decode(await event_of(uow, job))
        if not isinstance(uploaded, CertificateUploaded):
            raise PermanentFailure(f"not a certificate upload: {type(uploaded).__name__}")
        # Reading a scanned file can take longer than the pool's idle-in-transaction limit.
        await uow.tx.pg.execute(
            "SELECT set_config('idle_in_transaction_session_timeout', $1, true)",
            str(TIME_LIMIT_MS),
        )
        try:
            await verification.verify_certificate(
                uow.command(), blobs, uow.settings, uploaded.certificate_id
            )
        except (DomainError, BlobNotFound) as exc:  # the same next time: do not retry
            raise PermanentFailure(f"{type(exc).__name__}: {exc}") from exc

    return (Subscriber(verify_certificate, (CertificateUploaded,), interrupt_on_shutdown=True),)


async def _take_a_tenant_slot(uow: UnitOfWork, tenant: UUID, slots: int) -> bool:
    """Take one of the tenant's ``slots`` verification locks until the transaction ends, if one
    is free (two-key advisory locks: apart from the one-key locks of the relay and others)."""
    key = int.from_bytes(tenant.bytes[:4], "big", signed=True)
    for slot in range(slots):
        if await uow.tx.pg.fetchval("SELECT pg_try_advisory_xact_lock($1, $2)", key, slot):
            return True
    return False
