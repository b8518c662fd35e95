"""Certificate files given with a command: each already inspected (hashed, counted, sniffed by
``handlers.certificates.inspect_upload`` before the unit of work opens), and the blob store
they go to."""

from __future__ import annotations

from typing import IO
from uuid import UUID

import msgspec

from services.core.application import UnitOfWork
from services.core.blobs import BlobStore
from services.core.certificates import handlers as certificate_handlers
from services.core.certificates.handlers import Inspected, Uploaded


class CertificateFile(msgspec.Struct, frozen=True, kw_only=True):
    filename: str
    source: IO[bytes]
    inspected: Inspected
    """What ``inspect_upload`` found in ``source``."""


class CertificateFiles(msgspec.Struct, frozen=True, kw_only=True):
    blobs: BlobStore
    files: tuple[CertificateFile, ...]


async def store_certificates(
    uow: UnitOfWork, person_id: UUID, credit_id: UUID | None, certificates: CertificateFiles
) -> list[Uploaded]:
    """Store and record each file for the person (and credit) in the unit of work, one command
    each; refusals (``PersonNotRegistered``, ``CreditNotRecorded``) store nothing."""
    return [
        await certificate_handlers.upload_certificate(
            uow.command(),
            certificates.blobs,
            person_id=person_id,
            credit_id=credit_id,
            filename=file.filename,
            source=file.source,
            inspected=file.inspected,
        )
        for file in certificates.files
    ]
