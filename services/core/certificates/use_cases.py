"""The certificate use cases: upload a file for a person (or one of their credits), attach files
to a recorded credit, list a person's files, and fetch one (the download is recorded first).

Who may: as for the person's record (``services.core.policy.authorise_person``): the person and
owners and admins upload; they and auditors list and download.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from uuid import UUID

import msgspec

from services.core.application import AccessDenied, NotFound, UnitOfWork
from services.core.blobs import BlobStore, blob_key
from services.core.certificates import handlers as certificate_handlers
from services.core.certificates.files import CertificateFile, CertificateFiles, store_certificates
from services.core.certificates.views import StoredCertificate
from services.core.credits.use_cases import credit_of
from services.core.people.use_cases import person_of
from services.core.policy import authorise_person
from services.core.projections.certificates import certificate_of, certificates_of


class UploadCertificate(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    credit_id: UUID | None
    """The credit the file proves, if any (one of the person's credits)."""
    file: CertificateFile
    blobs: BlobStore


class UploadedCertificate(msgspec.Struct, frozen=True, kw_only=True):
    certificate: StoredCertificate
    duplicate: bool
    """The person already had this very file: it is the existing certificate, stored once."""


class AttachCertificates(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    credit_id: UUID
    certificates: CertificateFiles


class FetchCertificate(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    certificate_id: UUID
    blobs: BlobStore


class CertificateContent(msgspec.Struct, frozen=True, kw_only=True):
    certificate: StoredCertificate
    chunks: Iterator[bytes]
    """The stored bytes, in order (read lazily from the blob store)."""


async def stored_certificate(
    uow: UnitOfWork, person_id: UUID, certificate_id: UUID
) -> StoredCertificate:
    """The person's certificate ``certificate_id`` (``NotFound`` for anyone else's)."""
    found = await certificate_of(uow.tx, person_id, certificate_id)
    if found is None:
        raise NotFound("no such certificate for this person")
    return found


async def upload_certificate(uow: UnitOfWork, command: UploadCertificate) -> UploadedCertificate:
    """Store and record an inspected file for the person; a file they already have is
    reported as a duplicate, not stored twice."""
    authorise_person(uow.actor, command.person_id, write=True)
    await person_of(uow, command.person_id)
    (uploaded,) = await store_certificates(
        uow,
        command.person_id,
        command.credit_id,
        CertificateFiles(blobs=command.blobs, files=(command.file,)),
    )
    return UploadedCertificate(
        certificate=await stored_certificate(
            uow, command.person_id, uploaded.certificate.certificate_id
        ),
        duplicate=uploaded.duplicate,
    )


async def attach_certificates(uow: UnitOfWork, command: AttachCertificates) -> None:
    """Store certificate files for a credit the person recorded."""
    authorise_person(uow.actor, command.person_id, write=True)
    await credit_of(uow, command.person_id, command.credit_id)
    await store_certificates(uow, command.person_id, command.credit_id, command.certificates)


async def list_certificates(uow: UnitOfWork, person_id: UUID) -> list[StoredCertificate]:
    """The person's certificate files, newest first."""
    authorise_person(uow.actor, person_id, write=False)
    await person_of(uow, person_id)
    return await certificates_of(uow.tx, person_id)


async def fetch_certificate(uow: UnitOfWork, query: FetchCertificate) -> CertificateContent:
    """The certificate's file; that the acting member fetched it is recorded first (an
    attempt that fails half-way is on record too)."""
    authorise_person(uow.actor, query.person_id, write=False)
    if uow.actor.user_id is None:
        raise AccessDenied("only members download certificate files")
    found = await stored_certificate(uow, query.person_id, query.certificate_id)
    await certificate_handlers.record_download(
        uow,
        user_id=uow.actor.user_id,
        person_id=query.person_id,
        certificate_id=query.certificate_id,
        sha256=found.sha256,
    )
    key = blob_key(uow.actor.tenant_id, found.sha256)
    return CertificateContent(
        certificate=found, chunks=await asyncio.to_thread(query.blobs.open, key)
    )
