"""The certificate aggregate: a file a person uploaded as evidence of their credits.

Certificates are content-addressed: the file is identified by its SHA-256, and a person's
certificate id derives from (person, hash), so the same file uploaded twice for the same person
is the same certificate (``certificate_id_for``). What a file is gets decided by its content,
never by its name or the client's content type (``sniff_media_type``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Literal
from uuid import UUID, uuid5

import msgspec

from domain.shared.errors import DomainError
from domain.shared.event import Event

MediaType = Literal["application/pdf", "image/png", "image/jpeg"]
EXTENSIONS: dict[MediaType, str] = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}
SNIFF_BYTES = 1024
"""How many leading and trailing bytes ``sniff_media_type`` needs to see."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"
_JPEG_START = b"\xff\xd8\xff"
_JPEG_END = b"\xff\xd9"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CERTIFICATES = UUID("5b0c1f3e-7a52-4d7e-9d8e-2f1a6c0b9e41")
MAX_FILENAME = 200

# --- state -------------------------------------------------------------------------------------


class Certificate(msgspec.Struct, frozen=True, kw_only=True):
    certificate_id: UUID
    person_id: UUID
    credit_id: UUID | None
    sha256: str
    media_type: MediaType
    size_bytes: int
    filename: str


# --- events ------------------------------------------------------------------------------------


class CertificateUploaded(Event, frozen=True, kw_only=True, tag="credits.CertificateUploaded"):
    """A file was stored under its SHA-256; ``filename`` is the uploader's name, for display."""

    certificate_id: UUID
    person_id: UUID
    credit_id: UUID | None
    sha256: str
    media_type: MediaType
    size_bytes: int
    filename: str


CERTIFICATE_EVENTS: tuple[type[Event], ...] = (CertificateUploaded,)

# --- commands ----------------------------------------------------------------------------------


class UploadCertificate(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    credit_id: UUID | None
    sha256: str
    media_type: MediaType
    size_bytes: int
    filename: str


# --- refusals ----------------------------------------------------------------------------------


class CertificateRefused(DomainError):
    code = "certificate_refused"


class UnsupportedFileType(CertificateRefused):
    code = "unsupported_file_type"


class TruncatedFile(CertificateRefused):
    code = "truncated_file"


class EmptyFile(CertificateRefused):
    code = "empty_file"


class FileTooLarge(CertificateRefused):
    code = "file_too_large"


# --- rules -------------------------------------------------------------------------------------


def sniff_media_type(head: bytes, tail: bytes) -> MediaType:
    """What a file is, from its first and last ``SNIFF_BYTES`` bytes (``head`` and ``tail`` may
    overlap for small files). Only complete PDF, PNG and JPEG files pass: anything else raises
    ``UnsupportedFileType``, a file cut short (no PDF ``%%EOF``, PNG ``IEND``, JPEG end marker
    near its end) raises ``TruncatedFile``."""
    if not head:
        raise EmptyFile("the file is empty")
    if head.startswith(b"%PDF-"):
        kind: MediaType = "application/pdf"
        complete = b"%%EOF" in tail
    elif head.startswith(_PNG_SIGNATURE):
        kind, complete = "image/png", tail.endswith(_PNG_END)
    elif head.startswith(_JPEG_START):
        kind, complete = "image/jpeg", _JPEG_END in tail
    else:
        raise UnsupportedFileType("only PDF, PNG and JPEG files are accepted (checked by content)")
    if not complete:
        raise TruncatedFile(f"the {EXTENSIONS[kind][1:].upper()} file is incomplete (cut short)")
    return kind


def certificate_id_for(person_id: UUID, sha256: str) -> UUID:
    """The id of the certificate with content ``sha256`` of ``person_id``: the same file for the
    same person always has the same id, which makes duplicates visible at once."""
    return uuid5(_CERTIFICATES, f"{person_id}/{sha256}")


def clean_filename(name: str) -> str:
    """The uploader's file name without directories or control characters, at most
    ``MAX_FILENAME`` characters; "certificate" if nothing is left."""
    base = re.split(r"[\\/]", name)[-1]
    printable = "".join(ch for ch in base if ch.isprintable()).strip()
    return printable[-MAX_FILENAME:] or "certificate"


# --- deciders ----------------------------------------------------------------------------------


def decide_upload_certificate(
    state: Certificate | None, command: UploadCertificate, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Record a stored file; the same file for the same person again decides nothing."""
    if state is not None:
        return []
    if not _SHA256.fullmatch(command.sha256):
        raise CertificateRefused("the content hash must be 64 lowercase hex digits")
    if command.size_bytes <= 0:
        raise EmptyFile("the file is empty")
    return [
        CertificateUploaded(
            certificate_id=certificate_id_for(command.person_id, command.sha256),
            person_id=command.person_id,
            credit_id=command.credit_id,
            sha256=command.sha256,
            media_type=command.media_type,
            size_bytes=command.size_bytes,
            filename=clean_filename(command.filename),
        )
    ]


# --- evolve ------------------------------------------------------------------------------------


def evolve(state: Certificate | None, event: Event) -> Certificate:
    if isinstance(event, CertificateUploaded):
        return Certificate(
            certificate_id=event.certificate_id,
            person_id=event.person_id,
            credit_id=event.credit_id,
            sha256=event.sha256,
            media_type=event.media_type,
            size_bytes=event.size_bytes,
            filename=event.filename,
        )
    raise TypeError(f"not a certificate event: {type(event).__name__}")
