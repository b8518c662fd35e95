"""The certificate aggregate: a file a person uploaded as evidence of their credits.

Certificates are content-addressed: the file is identified by its SHA-256, and a person's
certificate id derives from (person, hash), so the same file uploaded twice for the same person
is the same certificate (``certificate_id_for``). What a file is gets decided by its content,
never by its name or the client's content type (``sniff_media_type``).

Verification (rules in ``domain.credits.verification``): the worker records one outcome per
certificate, and only while it is pending (a redelivered message decides nothing). Reviewers
then approve or reject it, correcting the fields read off it if needed; either may overturn an
earlier outcome, with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Literal, TypedDict
from uuid import UUID, uuid5

import msgspec

from domain.credits.credit import VerificationStatus
from domain.credits.verification import (
    Assessment,
    BodyAcceptance,
    CertificateFieldsCorrected,
    CertificateNeedsReview,
    CertificateReading,
    CertificateRejected,
    CertificateVerified,
    DecidedBy,
    ExtractedFields,
    ProviderMatch,
    ReviewReason,
    TextSource,
    stored_confidence,
)
from domain.shared.errors import DomainError
from domain.shared.event import Event
from domain.shared.limits import (
    CODE_LENGTH,
    EARLIEST_ACTIVITY_DAY,
    NAME_LENGTH,
    STATEMENT_LENGTH,
    TITLE_LENGTH,
    check_day,
    check_length,
)

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


class CertificateFile(msgspec.Struct, frozen=True, kw_only=True):
    """A file uploaded for a person (and a credit of theirs, or none), as the upload gives it,
    the upload event records it and the certificate keeps it."""

    person_id: UUID
    credit_id: UUID | None
    sha256: str
    media_type: MediaType
    size_bytes: int
    filename: str


class Certificate(CertificateFile, frozen=True, kw_only=True):
    certificate_id: UUID
    verification: VerificationStatus = "pending"
    decided_by: DecidedBy | None = None
    """Who recorded the current outcome; None while pending."""
    fields: ExtractedFields | None = None
    """The latest fields: as read by the worker, or as a reviewer corrected them."""
    reasons: tuple[ReviewReason, ...] = ()
    """Why it needs review or was rejected; empty once verified."""
    text_source: TextSource = "none"
    confidence: Decimal = Decimal(0)
    """How the worker read the file (nothing yet while pending)."""


# --- events ------------------------------------------------------------------------------------


class CertificateUploaded(
    Event, CertificateFile, frozen=True, kw_only=True, tag="credits.CertificateUploaded"
):
    """A file was stored under its SHA-256; ``filename`` is the uploader's name, for display."""

    certificate_id: UUID


CERTIFICATE_EVENTS: tuple[type[Event], ...] = (CertificateUploaded,)

# --- commands ----------------------------------------------------------------------------------


class UploadCertificate(CertificateFile, frozen=True, kw_only=True):
    """Record a file stored for a person (its id derives from the person and the hash)."""


ReviewDecision = Literal["approve", "reject"]


class ReviewCertificate(msgspec.Struct, frozen=True, kw_only=True):
    """A reviewer's decision, optionally correcting the fields first.

    ``reason`` is shown to the person; it is required to reject, to correct fields, to approve
    despite reasons left in ``assessment`` and to overturn an earlier outcome. ``assessment`` is
    required to approve: the caller's ``assess`` of the fields the decision rests on (the
    corrected ones, else those on record) with ``reading=None`` (a person has read them)."""

    reviewer_id: UUID
    reviewer_person_id: UUID
    """The reviewer's own staff record (their membership's): nobody decides their own."""
    decision: ReviewDecision
    reason: str = ""
    corrected_fields: ExtractedFields | None = None
    assessment: Assessment | None = None


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


class CertificateNotUploaded(CertificateRefused):
    code = "certificate_not_uploaded"


class CertificateAlreadyDecided(CertificateRefused):
    code = "certificate_already_decided"


class OwnRecordReview(CertificateRefused):
    """The reviewer is the certificate's person: the decision is for someone else to make."""

    code = "own_record_review"


class ReviewReasonRequired(CertificateRefused):
    code = "review_reason_required"


class FieldsRequired(CertificateRefused):
    code = "fields_required"


class AssessmentMismatch(CertificateRefused):
    """The assessment given is not of the fields the decision rests on (a caller's mistake)."""

    code = "assessment_mismatch"


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
    file = msgspec.structs.replace(command, filename=clean_filename(command.filename))
    certificate_id = certificate_id_for(command.person_id, command.sha256)
    return [CertificateUploaded(certificate_id=certificate_id, **msgspec.structs.asdict(file))]


def decide_worker_outcome(
    state: Certificate | None, command: Assessment, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Record the worker's assessment of a pending certificate. A certificate already decided
    (by the worker or a reviewer) gets nothing more, so a redelivered message decides nothing."""
    certificate = _uploaded(state)
    if certificate.verification != "pending":
        return []
    reading = command.reading
    if reading is None:
        raise AssessmentMismatch("the worker's assessment must say how the file was read")
    outcome = _WorkerOutcome(
        certificate_id=certificate.certificate_id,
        credit_id=certificate.credit_id,
        provider=command.provider,
        acceptance=command.acceptance,
        text_source=reading.source,
        confidence=stored_confidence(reading.confidence),
    )
    if command.outcome == "rejected":
        # what was read is kept for a reviewer to reverse the rejection on, unless the file is
        # no certificate at all (then a reviewer enters the fields)
        certificate_read = all(r.code != "not_a_certificate" for r in command.reasons)
        fields = command.fields if certificate_read else None
        return [
            CertificateRejected(
                **outcome, reasons=command.reasons, decided_by="worker", fields=fields
            )
        ]
    if command.outcome == "verified":
        return [
            CertificateVerified(
                **outcome, fields=command.fields, decided_by="worker", notes=command.notes
            )
        ]
    return [CertificateNeedsReview(**outcome, fields=command.fields, reasons=command.reasons)]


class _WorkerOutcome(TypedDict):
    """What each of the worker's three outcomes records alike."""

    certificate_id: UUID
    credit_id: UUID | None
    provider: ProviderMatch | None
    acceptance: tuple[BodyAcceptance, ...]
    text_source: TextSource
    confidence: Decimal


def decide_review_certificate(
    state: Certificate | None,
    command: ReviewCertificate,
    *,
    now: datetime,
    ids: Callable[[], UUID],
) -> list[Event]:
    """A reviewer's decision (see ``ReviewCertificate``): a correction that changes the fields
    is recorded first, then the approval or rejection. A certificate may be decided while still
    pending (before the worker gets to it); a verified one can then only be rejected, a rejected
    one only approved. Nobody decides a certificate of their own record (``OwnRecordReview``),
    whatever its status."""
    certificate = _uploaded(state)
    if command.reviewer_person_id == certificate.person_id:
        raise OwnRecordReview(
            "nobody decides a certificate of their own record: another owner or admin must"
        )
    reason = command.reason.strip()
    target: VerificationStatus = "verified" if command.decision == "approve" else "rejected"
    if certificate.verification == target:
        raise CertificateAlreadyDecided(f"the certificate is already {target}")
    if certificate.verification in ("verified", "rejected") and not reason:
        raise ReviewReasonRequired(
            f"say why the certificate, {certificate.verification} before, is now {target}"
        )
    events: list[Event] = []
    fields = certificate.fields
    if command.corrected_fields is not None and command.corrected_fields != fields:
        if not reason:
            raise ReviewReasonRequired("say why the fields are corrected")
        fields = _checked_corrections(command.corrected_fields)
        events.append(
            CertificateFieldsCorrected(
                certificate_id=certificate.certificate_id,
                fields=fields,
                reviewer_id=command.reviewer_id,
                reason=reason,
            )
        )
    if command.decision == "reject":
        if not reason:
            raise ReviewReasonRequired("say why the certificate is rejected; the person sees it")
        rejected = CertificateRejected(
            certificate_id=certificate.certificate_id,
            credit_id=certificate.credit_id,
            reasons=(ReviewReason(code="rejected_by_reviewer", message=reason),),
            decided_by="reviewer",
            reviewer_id=command.reviewer_id,
        )
        return [*events, rejected]
    assessment = _review_assessment(command.assessment, fields)
    if assessment.reasons and not reason:
        raise ReviewReasonRequired(
            "say why the certificate is approved despite: "
            + "; ".join(r.message for r in assessment.reasons)
        )
    verified = CertificateVerified(
        certificate_id=certificate.certificate_id,
        credit_id=certificate.credit_id,
        fields=assessment.fields,
        provider=assessment.provider,
        acceptance=assessment.acceptance,
        text_source=certificate.text_source,
        confidence=certificate.confidence,
        decided_by="reviewer",
        reviewer_id=command.reviewer_id,
        note=reason,
    )
    return [*events, verified]


def _uploaded(state: Certificate | None) -> Certificate:
    if state is None:
        raise CertificateNotUploaded("no such certificate was uploaded")
    return state


def _checked_corrections(fields: ExtractedFields) -> ExtractedFields:
    """Refuse corrected fields over their length caps or with days out of range."""
    for label, text, limit in (
        ("the participant name", fields.participant_name, NAME_LENGTH),
        ("the title", fields.title, TITLE_LENGTH),
        ("the provider", fields.provider, NAME_LENGTH),
        ("the accreditation statement", fields.accreditation_statement, STATEMENT_LENGTH),
        ("the certificate number", fields.certificate_number, CODE_LENGTH),
        ("the approval number", fields.approval_number, CODE_LENGTH),
    ):
        check_length(label, text, limit)
    for label, day in (
        ("activity_date", fields.activity_date),
        ("completed_on", fields.completed_on),
    ):
        if day is not None:
            check_day(label, day, earliest=EARLIEST_ACTIVITY_DAY)
    return fields


def _review_assessment(assessment: Assessment | None, fields: ExtractedFields | None) -> Assessment:
    if fields is None:
        raise FieldsRequired(
            "nothing was read off this certificate; enter its fields to approve it"
        )
    if assessment is None:
        raise AssessmentMismatch("approving needs an assessment of the fields approved")
    if assessment.reading is not None or assessment.fields != fields:
        raise AssessmentMismatch(
            "the assessment must be of the fields the decision rests on, as read by a person"
        )
    return assessment


# --- evolve ------------------------------------------------------------------------------------


def evolve(state: Certificate | None, event: Event) -> Certificate:
    """Fold one certificate event into the state; the first must be ``CertificateUploaded``."""
    if isinstance(event, CertificateUploaded):
        return Certificate(**msgspec.structs.asdict(event))  # the file and its id, as uploaded
    certificate = _uploaded(state)
    replace = msgspec.structs.replace
    match event:
        case CertificateVerified(decided_by=decided_by):
            return _with_reading(certificate, event, "verified", decided_by, reasons=())
        case CertificateNeedsReview(reasons=reasons):
            return _with_reading(certificate, event, "needs_review", "worker", reasons=reasons)
        case CertificateRejected(fields=None):
            return replace(
                certificate,
                verification="rejected",
                decided_by=event.decided_by,
                reasons=event.reasons,
            )
        case CertificateRejected(fields=fields):  # the worker's, with what it read
            return replace(
                certificate,
                verification="rejected",
                decided_by=event.decided_by,
                reasons=event.reasons,
                fields=fields,
                text_source=event.text_source or certificate.text_source,
                confidence=event.confidence or certificate.confidence,
            )
        case CertificateFieldsCorrected(fields=fields):
            return replace(certificate, fields=fields)
    raise TypeError(f"not a certificate event: {type(event).__name__}")


def _with_reading(
    certificate: Certificate,
    reading: CertificateReading,
    verification: VerificationStatus,
    decided_by: DecidedBy,
    *,
    reasons: tuple[ReviewReason, ...],
) -> Certificate:
    """``certificate`` decided on ``reading``: its fields and how its text was read."""
    return msgspec.structs.replace(
        certificate,
        verification=verification,
        decided_by=decided_by,
        fields=reading.fields,
        reasons=reasons,
        text_source=reading.text_source,
        confidence=reading.confidence,
    )
