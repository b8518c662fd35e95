"""Certificate files and their verification: an upload as sent and its receipt, a person's
certificates, the review queue (its ``ReviewPerson`` is the queue's own view: it holds no
domain struct), and a reviewer's decision as sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile

from domain.credits import verification
from domain.credits.certificate import MediaType, ReviewDecision
from domain.credits.credit import CreditType, VerificationStatus
from domain.credits.verification import DecidedBy, ReasonCode, TextSource
from domain.shared.limits import Code, DecimalText, Name, ReasonText, Statement, Title
from services.api.schemas.credits import Credit
from services.core.reviews.queue import ReviewPerson


class ReviewReason(msgspec.Struct, frozen=True, kw_only=True):
    """Why a certificate needs a person's eyes: a stable code, a sentence for people and the
    words on the certificate (or what was seen on it) that caused it."""

    code: ReasonCode
    message: str
    evidence: str = ""


class ExtractedFields(msgspec.Struct, frozen=True, kw_only=True):
    """The fields found on a certificate; None (or empty) where a field was not found."""

    participant_name: str | None = None
    title: str | None = None
    provider: str | None = None
    accreditation_statement: str | None = None
    """The sponsor/accreditor sentence as printed (e.g. "... designates this ... for a maximum of
    2 AMA PRA Category 1 Credits")."""
    credit_types: tuple[CreditType, ...] = ()
    activity_date: date | None = None
    """The (first) day of the activity, when printed apart from the completion date."""
    completed_on: date | None = None
    credits: Decimal | None = None
    certificate_number: str | None = None
    approval_number: str | None = None
    """An approver's file or reference number, e.g. the SDMS file number [A32]."""
    evidence: dict[str, str] = msgspec.field(default_factory=dict)
    """Per field found, the line of the certificate it was read from."""


class ProviderMatch(msgspec.Struct, frozen=True, kw_only=True):
    """A provider directory entry the printed provider name matched."""

    provider_id: str
    name: str
    source: str
    """Which directory answered: "seed", "tenant" or an adapter's name."""
    aliases: tuple[str, ...] = ()
    """Other names of the provider (acronyms, former names), to compare the declared one with."""
    blocked: bool = False
    """The organisation's directory blocks the provider: its certificates never verify."""
    blocked_because: str = ""
    """Why the organisation blocked it."""


class CertificateAcceptance(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a certifying body (ARDMS, ARRT, CCI, ...) accepts the certificate's credit type,
    by which rule, and what an audit by that body would find missing."""

    body: str
    accepted: bool
    rule: str | None = None
    """The rule that admits it, or None."""
    explanation: str
    audit_risks: tuple[str, ...] = ()
    """E.g. ARDMS requires pre-printed provider, sponsor and dates [A7]."""


class FieldsCorrection(msgspec.Struct, frozen=True, kw_only=True):
    """The latest correction of the fields by a reviewer."""

    reviewer_id: UUID
    reason: str
    corrected_at: datetime
    fields_as_read: ExtractedFields | None
    """The fields as the worker read them, before any correction."""


class StoredCertificate(msgspec.Struct, frozen=True, kw_only=True):
    certificate_id: UUID
    person_id: UUID
    credit_id: UUID | None
    sha256: str
    media_type: MediaType
    size_bytes: int
    filename: str
    """The uploader's file name (cleaned), for display only."""
    uploaded_at: datetime
    status: VerificationStatus = "pending"
    """``pending`` until the worker has read the file."""
    reasons: tuple[ReviewReason, ...] = ()
    """Why it needs review, or why it was rejected (shown to the person); empty once verified."""
    fields: ExtractedFields | None = None
    """What was read off the certificate, or what a reviewer corrected it to."""
    provider: ProviderMatch | None = None
    acceptance: tuple[CertificateAcceptance, ...] = ()
    text_source: TextSource | None = None
    confidence: Decimal | None = None
    decided_by: DecidedBy | None = None
    reviewer_id: UUID | None = None
    decided_at: datetime | None = None
    note: str = ""
    correction: FieldsCorrection | None = None


class CertificateReceipt(msgspec.Struct, frozen=True, kw_only=True):
    certificate: StoredCertificate
    duplicate_of: UUID | None = None
    """Set when the person already had this very file: the existing certificate, reported
    instead of storing it twice."""


class ReviewItem(msgspec.Struct, frozen=True, kw_only=True):
    """A certificate with where its verification stands, whose it is and what it should prove."""

    certificate: StoredCertificate
    person: ReviewPerson
    declared: Credit | None
    """The credit the certificate was uploaded for (None: uploaded on its own)."""


class ReviewPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ReviewItem]
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; None on the last page."""


MAX_CREDITS = 1000
"""More credits than any certificate awards (a bound for corrected fields)."""


class FieldCorrections(msgspec.Struct, frozen=True, kw_only=True):
    """``ExtractedFields`` as a reviewer sends them: every text capped, credits as strict
    decimal text; dates between 1950-01-01 and 2200-12-31."""

    participant_name: Name | None = None
    title: Title | None = None
    provider: Name | None = None
    accreditation_statement: Statement | None = None
    credit_types: Annotated[tuple[CreditType, ...], msgspec.Meta(max_length=20)] = ()
    activity_date: date | None = None
    completed_on: date | None = None
    credits: DecimalText | None = None
    certificate_number: Code | None = None
    approval_number: Code | None = None

    def extracted(self) -> verification.ExtractedFields:
        return verification.ExtractedFields(
            **{
                **msgspec.structs.asdict(self),
                "credits": None if self.credits is None else Decimal(self.credits),
            }
        )


class ReviewRequest(msgspec.Struct, frozen=True, kw_only=True):
    """``approve``: the certificate supports the credit; ``reject``: it does not. ``reason`` is
    shown to the person: required to reject, to correct the fields, to approve despite open
    reasons and to overturn an earlier outcome. ``fields`` corrects what was read off the
    certificate (all of them, as they should read) before the decision."""

    decision: ReviewDecision
    reason: ReasonText = ""
    fields: FieldCorrections | None = None

    def __post_init__(self) -> None:
        credits = self.fields.credits if self.fields else None
        if credits is not None and not 0 < Decimal(credits) <= MAX_CREDITS:
            raise ValueError(f"fields.credits must be above 0 and at most {MAX_CREDITS}")


@dataclass
class CertificateUpload:
    file: UploadFile
    credit_id: UUID | None = None
    """The credit this certificate proves, if any (one of the person's credits)."""
