"""A certificate chosen before its credit exists: kept in blob storage by its hash (stored once,
whoever sends it again), read at once in the reader's killable child process, and attached to
the credit when the person confirms what was read.

The readings are held by the process that started them (``Readings``): a text PDF is read
within the request, a scan or photo in the background while the page polls. A process that
does not hold the reading (a restart, another instance) reads the kept file again, so a lost
reading costs time, never the person's file. A reading shown to the person is kept by the
file's hash (``remember_reading``), so the worker's verification of the same file does not
read it again (``kept_reading``).
"""

from __future__ import annotations

import asyncio
import io
from collections import OrderedDict
from uuid import UUID

import msgspec

from domain.credits.certificate import MediaType
from services.core.application import NotFound, UnitOfWork
from services.core.blobs import BlobNotFound, BlobStore, blob_key
from services.core.certificates.files import CertificateFile
from services.core.certificates.handlers import inspect_file
from services.core.db import Tx
from services.core.people.use_cases import person_of
from services.core.policy import authorise_person
from services.core.reading.process import Reading, read_in_child

KEPT_READINGS = 256
"""How many readings a process keeps (the oldest finished ones go first)."""


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


class RememberReading(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    sha256: str
    reading: Reading


async def remember_reading(uow: UnitOfWork, command: RememberReading) -> None:
    """Keep the reading of a kept file for its verification; a reading that met a problem
    (unreadable, too slow) is not kept, so the worker reads that file with its own limits."""
    authorise_person(uow.actor, command.person_id, write=True)
    if command.reading.text.problem is not None:
        return
    await uow.tx.pg.execute(
        "INSERT INTO certificate_readings (tenant_id, sha256, reading, read_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        uow.tx.require_tenant(),
        command.sha256,
        msgspec.json.encode(command.reading).decode(),
        uow.now(),
    )


_KEPT_READING = (
    "SELECT reading::text FROM certificate_readings WHERE tenant_id = $1 AND sha256 = $2"
)


async def kept_reading(tx: Tx, sha256: str) -> Reading | None:
    """The reading kept for the tenant's file ``sha256``, if any."""
    found = await tx.pg.fetchval(_KEPT_READING, tx.require_tenant(), sha256)
    return None if found is None else msgspec.json.decode(found, type=Reading)


class Readings:
    """The readings this process started, by tenant and file hash; each runs as a task."""

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self._tasks: OrderedDict[tuple[UUID, str], asyncio.Task[Reading]] = OrderedDict()

    def start(self, tenant_id: UUID, file: CertificateFile) -> asyncio.Task[Reading]:
        """The reading of ``file`` (started now unless it runs or ran already)."""
        key = (tenant_id, file.inspected.sha256)
        found = self._tasks.get(key)
        if found is None or (found.done() and found.cancelled()):
            file.source.seek(0)
            data = file.source.read()
            file.source.seek(0)
            found = asyncio.create_task(self._read(data, file.inspected.media_type))
            self._tasks[key] = found
            self._forget_old()
        return found

    def find(self, tenant_id: UUID, sha256: str) -> asyncio.Task[Reading] | None:
        return self._tasks.get((tenant_id, sha256))

    async def _read(self, data: bytes, media_type: MediaType) -> Reading:
        return await read_in_child(data, media_type, limit_s=self.limit_s)

    def _forget_old(self) -> None:
        for key in [key for key, task in self._tasks.items() if task.done()]:
            if len(self._tasks) <= KEPT_READINGS:
                break
            del self._tasks[key]
