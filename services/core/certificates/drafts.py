"""A certificate chosen before its credit exists: kept in blob storage by its hash (stored once,
whoever sends it again), read by the reader's killable child process, and attached to the
credit when the person confirms what was read.

A text PDF is read within the request that chose it; a scan or photo is read by the worker
(``ReadingJob``, asked once per file and reader version, and again when unanswered for longer
than the portal waits: ``request_reading``) while the page polls. Either way the reading is
kept in the database by the file's hash and the reader's version (``remember_reading``), so any
API process can show it (``reading_progress``) and the worker's verification of the same file
does not read it again (``kept_reading``). A reading kept by another version of the reader is
ignored: the file is read again.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

import dramatiq
import msgspec

from domain.credits.certificate import MediaType
from services.core.application import NotFound, UnitOfWork
from services.core.blobs import BlobNotFound, BlobStore, blob_key
from services.core.certificates.files import CertificateFile
from services.core.certificates.handlers import inspect_file
from services.core.db import Tx
from services.core.operations.messages import TENANT_OPTION
from services.core.people.use_cases import person_of
from services.core.policy import authorise_person
from services.core.reading.process import READER_VERSION, Reading

READ_CERTIFICATE = "read_certificate"
"""The worker's actor that reads a chosen scan or photo (``services.worker.readings``)."""
JOB_NAMESPACE = UUID("0b7d5c1e-2f4a-5e8b-9c3d-6a1f4e2b8d70")


class KeepCertificate(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    file: CertificateFile
    blobs: BlobStore


class KeptCertificate(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    sha256: str
    filename: str
    blobs: BlobStore
    max_bytes: int


async def keep_certificate(uow: UnitOfWork, command: KeepCertificate) -> None:
    """Keep an inspected file for a credit the person is about to record (nothing is recorded
    until they confirm it)."""
    authorise_person(uow.actor, command.person_id, write=True)
    await person_of(uow, command.person_id)
    key = blob_key(uow.actor.tenant_id, command.file.inspected.sha256)
    await asyncio.to_thread(command.blobs.put, key, command.file.source)


async def kept_certificate(uow: UnitOfWork, query: KeptCertificate) -> CertificateFile:
    """The kept file, checked by content again (``NotFound`` when it is not kept)."""
    authorise_person(uow.actor, query.person_id, write=True)
    key = blob_key(uow.actor.tenant_id, query.sha256)
    try:
        data = await asyncio.to_thread(lambda: b"".join(query.blobs.open(key)))
    except BlobNotFound:
        raise NotFound("the certificate file is no longer kept") from None
    source = io.BytesIO(data)
    inspected = await asyncio.to_thread(inspect_file, source, max_bytes=query.max_bytes)
    if inspected.sha256 != query.sha256:
        raise NotFound("the certificate file is no longer kept")
    return CertificateFile(filename=query.filename, source=source, inspected=inspected)


class ReadingJob(msgspec.Struct, frozen=True, kw_only=True):
    """What the worker is asked to read: a tenant's kept file, by its hash, with this reader."""

    tenant_id: UUID
    sha256: str
    media_type: MediaType
    reader_version: str = READER_VERSION
    requested_at: datetime | None = None
    """When it was asked (not sent to the worker: it names the message only)."""

    @property
    def message_id(self) -> str:
        """One message id per tenant, file, reader version and ask, however often that ask is
        sent (a job asked again after the wait is a new message)."""
        asked = "" if self.requested_at is None else f":{self.requested_at.isoformat()}"
        key = f"{self.tenant_id}:{READ_CERTIFICATE}:{self.sha256}:{self.reader_version}{asked}"
        return str(uuid5(JOB_NAMESPACE, key))

    def message(self, queue_name: str) -> dramatiq.Message[Any]:
        return dramatiq.Message(
            queue_name=queue_name,
            actor_name=READ_CERTIFICATE,
            args=(),
            kwargs={
                "tenant_id": str(self.tenant_id),
                "sha256": self.sha256,
                "media_type": self.media_type,
                "reader_version": self.reader_version,
            },
            options={TENANT_OPTION: str(self.tenant_id)},
            message_id=self.message_id,
        )


SendReading = Callable[[ReadingJob], None]
"""Puts a job on the worker's queue, once the broker confirmed it (blocking)."""


class RequestReading(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    sha256: str
    media_type: MediaType
    send: SendReading
    wait_s: float
    """How long a job goes unanswered before it is asked again (the portal's reading wait)."""


_ASK = (
    "INSERT INTO certificate_reading_jobs AS jobs (tenant_id, sha256, reader_version, requested_at)"
    " VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, sha256, reader_version)"
    " DO UPDATE SET requested_at = excluded.requested_at WHERE jobs.requested_at < $5"
    " RETURNING requested_at"
)


async def request_reading(uow: UnitOfWork, command: RequestReading) -> bool:
    """Ask the worker to read a kept file, unless it was asked already (with this reader) within
    ``wait_s``: True when a job was sent. A job unanswered for longer (lost, dead-lettered, or
    refused by a worker of another release) is asked again, as a new message. The job is sent
    before the request is committed, so a broker that refuses it leaves the request as it was
    (the caller's page then says the reader is away)."""
    authorise_person(uow.actor, command.person_id, write=True)
    tenant = uow.tx.require_tenant()
    now = uow.now()
    cutoff = now - timedelta(seconds=command.wait_s)
    asked = await uow.tx.pg.fetchval(_ASK, tenant, command.sha256, READER_VERSION, now, cutoff)
    if asked is None:
        return False
    job = ReadingJob(
        tenant_id=tenant, sha256=command.sha256, media_type=command.media_type, requested_at=asked
    )
    await asyncio.to_thread(command.send, job)
    return True


class RememberReading(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    sha256: str
    reading: Reading


async def remember_reading(uow: UnitOfWork, command: RememberReading) -> None:
    """Keep the reading of a kept file the person chose (read within the request)."""
    authorise_person(uow.actor, command.person_id, write=True)
    await keep_reading(uow.tx, command.sha256, command.reading, uow.now())


async def keep_reading(tx: Tx, sha256: str, reading: Reading, read_at: datetime) -> None:
    """Keep ``reading`` of the tenant's file ``sha256`` by this reader (also one that met a
    problem: the same reader with the same limits would meet it again)."""
    await tx.pg.execute(
        "INSERT INTO certificate_readings (tenant_id, sha256, reader_version, reading, read_at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        tx.require_tenant(),
        sha256,
        READER_VERSION,
        msgspec.json.encode(reading).decode(),
        read_at,
    )


_KEPT_READING = (
    "SELECT reading::text FROM certificate_readings"
    " WHERE tenant_id = $1 AND sha256 = $2 AND reader_version = $3"
)


async def kept_reading(tx: Tx, sha256: str) -> Reading | None:
    """The reading this reader kept of the tenant's file ``sha256``, if any."""
    found = await tx.pg.fetchval(_KEPT_READING, tx.require_tenant(), sha256, READER_VERSION)
    return None if found is None else msgspec.json.decode(found, type=Reading)


class ReadingQuery(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    sha256: str


class ReadingProgress(msgspec.Struct, frozen=True, kw_only=True):
    """How far the reading of a chosen file is: kept, asked of the worker (since when), or
    neither (it could not be asked)."""

    reading: Reading | None
    requested_at: datetime | None


async def reading_progress(uow: UnitOfWork, query: ReadingQuery) -> ReadingProgress:
    """The kept reading of the person's chosen file, else when the worker was asked for it
    (reads only)."""
    authorise_person(uow.actor, query.person_id, write=True)
    reading = await kept_reading(uow.tx, query.sha256)
    requested_at = None
    if reading is None:
        requested_at = await uow.tx.pg.fetchval(
            "SELECT requested_at FROM certificate_reading_jobs"
            " WHERE tenant_id = $1 AND sha256 = $2 AND reader_version = $3",
            uow.tx.require_tenant(),
            query.sha256,
            READER_VERSION,
        )
    return ReadingProgress(reading=reading, requested_at=requested_at)
