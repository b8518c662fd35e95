"""The reading actor: reads a scan or photo the person chose for a credit they are recording
(``services.core.certificates.drafts``), in the reader's killable child process, and keeps the
reading by the file's hash and the reader's version, where the portal's polling page finds it.

Idempotent: a reading kept already (a redelivery, or a file read before) is not read again, and
keeping it twice keeps the first. A file that cannot be read is an outcome too (the reading says
why, and the page says the certificate could not be read); only a missing file or a malformed
message fails, for good.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import dramatiq
import msgspec
import structlog

from services.core.application import Actor, UnitOfWork
from services.core.blobs import BlobNotFound, BlobStore, blob_key
from services.core.certificates.drafts import (
    READ_CERTIFICATE,
    ReadingJob,
    keep_reading,
    kept_reading,
)
from services.core.reading.process import READER_VERSION, Reading, read_in_child
from services.worker.broker import PermanentFailure, worker_application
from services.worker.runtime import command_ids_from, declare

log = structlog.get_logger("cmeledger.worker")


class OtherReader(Exception):
    """The job asks for another version of the reader than this worker's: retried (with
    backoff, by any worker) so that a worker of that version reads it; a reading is kept only
    under the version that made it."""


def check_reader(job: ReadingJob) -> None:
    """Raise ``OtherReader`` unless ``job`` asks for this worker's reader."""
    if job.reader_version != READER_VERSION:
        raise OtherReader(
            f"asked of reader {job.reader_version!r}, this worker's is {READER_VERSION!r}"
        )


async def _kept(uow: UnitOfWork, sha256: str) -> bool:
    return await kept_reading(uow.tx, sha256) is not None


class _Read(msgspec.Struct, frozen=True):
    sha256: str
    reading: Reading


async def _keep(uow: UnitOfWork, read: _Read) -> None:
    await keep_reading(uow.tx, read.sha256, read.reading, uow.now())


def reading_actor(
    broker: dramatiq.Broker, blobs: BlobStore, *, queue_name: str, **options: Any
) -> dramatiq.Actor[Any, Any]:
    """Declare the reading actor on ``broker``, reading kept files from ``blobs``."""
    application = worker_application(broker)

    async def run(tenant_id: str, sha256: str, media_type: str, reader_version: str) -> None:
        try:
            job = msgspec.convert(
                {
                    "tenant_id": tenant_id,
                    "sha256": sha256,
                    "media_type": media_type,
                    "reader_version": reader_version,
                },
                ReadingJob,
            )
        except msgspec.ValidationError as exc:
            raise PermanentFailure(f"malformed reading job: {exc}") from exc
        actor = Actor(role="system", name=READ_CERTIFICATE, tenant_id=job.tenant_id)
        use_cases = application.use_cases(actor, command_ids_from(UUID(job.message_id)))
        with structlog.contextvars.bound_contextvars(
            tenant_id=tenant_id, message_id=job.message_id
        ):
            check_reader(job)
            if await use_cases.run(_kept, job.sha256):
                log.info("certificate read before", reader_version=READER_VERSION)
                return
            key = blob_key(job.tenant_id, job.sha256)
            try:
                data = await asyncio.to_thread(lambda: b"".join(blobs.open(key)))
            except BlobNotFound as exc:
                raise PermanentFailure("the chosen certificate is no longer kept") from exc
            limit_s = application.settings.verification_read_limit_s
            reading = await read_in_child(data, job.media_type, limit_s=limit_s)
            await use_cases.run(_keep, _Read(job.sha256, reading))
            log.info(
                "chosen certificate read",
                text_source=reading.text.source,
                problem=reading.text.problem.code if reading.text.problem else None,
                asked_version=job.reader_version,
                reader_version=READER_VERSION,
            )

    return declare(broker, run, READ_CERTIFICATE, queue_name, options)
