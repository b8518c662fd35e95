"""Certificate files: checking and storing an upload (stream ``certificate-<id>``), and recording
who downloaded one (on the downloader's ``access-<user id>`` stream).

An upload is read once from its temporary file to hash, count and sniff it; only a file that
passes every check is written to blob storage and recorded, so a refused upload stores nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import IO, NamedTuple
from uuid import UUID

from domain.audits.downloads import CertificateDownloaded
from domain.credits import certificate
from domain.credits.certificate import (
    SNIFF_BYTES,
    Certificate,
    FileTooLarge,
    MediaType,
    UploadCertificate,
    certificate_id_for,
    sniff_media_type,
)
from domain.credits.credit import CreditNotRecorded
from services.core.aggregates import CERTIFICATE, CREDIT
from services.core.application import UnitOfWork
from services.core.blobs import CHUNK_BYTES, BlobStore, blob_key
from services.core.credits.handlers import require_person
from services.core.eventsourcing.commands import Context


class Inspected(NamedTuple):
    sha256: str
    size_bytes: int
    media_type: MediaType


def inspect_file(source: IO[bytes], *, max_bytes: int) -> Inspected:
    """Read ``source`` from its start once: hash, count and sniff it, then rewind it.

    Raises ``FileTooLarge`` as soon as more than ``max_bytes`` are read, and the refusals of
    ``sniff_media_type`` (empty, not a PDF/PNG/JPEG, cut short).
    """
    source.seek(0)
    digest, size, head, tail = hashlib.sha256(), 0, b"", b""
    while chunk := source.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(f"a certificate file may hold at most {max_bytes} bytes")
        digest.update(chunk)
        head += chunk[: SNIFF_BYTES - len(head)]
        tail = (tail + chunk)[-SNIFF_BYTES:]
    media_type = sniff_media_type(head, tail)
    source.seek(0)
    return Inspected(digest.hexdigest(), size, media_type)


class Uploaded(NamedTuple):
    certificate: Certificate
    duplicate: bool
    """The person already had this very file; nothing new was stored or recorded."""


async def inspect_upload(source: IO[bytes], *, max_bytes: int) -> Inspected:
    """``inspect_file`` in a worker thread; call it before opening a transaction."""
    return await asyncio.to_thread(inspect_file, source, max_bytes=max_bytes)


async def upload_certificate(
    context: Context,
    blobs: BlobStore,
    *,
    person_id: UUID,
    credit_id: UUID | None,
    filename: str,
    source: IO[bytes],
    inspected: Inspected,
) -> Uploaded:
    """Store and record one inspected file for ``person_id`` in the caller's transaction.

    Refusals store nothing: ``PersonNotRegistered``; ``CreditNotRecorded`` when ``credit_id`` is
    not one of the person's credits. A file the person already has is reported, not stored.
    The blob is written before the event is appended, so the event never names a missing file
    and no tenant lock is held during blob I/O; a failure between the two leaves only an
    unreferenced blob, which the next upload of the same file reuses (same key, same bytes).
    """
    tx, store = context.tx, context.store
    await require_person(tx, store, person_id)
    if credit_id is not None:
        found = await CREDIT.load(tx, store, credit_id)
        if found is None or found.person_id != person_id:
            raise CreditNotRecorded(f"no credit {credit_id} is recorded for this person")
    certificate_id = certificate_id_for(person_id, inspected.sha256)
    if existing := await CERTIFICATE.load(tx, store, certificate_id):
        return Uploaded(existing, duplicate=True)
    await asyncio.to_thread(blobs.put, blob_key(tx.require_tenant(), inspected.sha256), source)
    command = UploadCertificate(
        person_id=person_id,
        credit_id=credit_id,
        sha256=inspected.sha256,
        media_type=inspected.media_type,
        size_bytes=inspected.size_bytes,
        filename=filename,
    )
    decide = certificate.decide_upload_certificate
    recorded = await CERTIFICATE.execute(context, certificate_id, decide, command)
    stored = await CERTIFICATE.load(tx, store, certificate_id)
    assert stored is not None
    return Uploaded(stored, duplicate=not recorded)


async def record_download(
    uow: UnitOfWork, *, user_id: UUID, person_id: UUID, certificate_id: UUID, sha256: str
) -> None:
    """Record in the tenant's chain that ``user_id`` is fetching the certificate's file (before
    it is sent: an attempt that fails half-way is on record too)."""
    event = CertificateDownloaded(
        user_id=user_id, certificate_id=certificate_id, person_id=person_id, sha256=sha256
    )
    await uow.record_access(user_id, event)
