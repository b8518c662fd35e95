"""What the ``certificates`` read model holds: a certificate file with where its verification
stands (``StoredCertificate``, its jsonb columns ``reasons``, ``fields``, ``provider``,
``acceptance`` and ``correction`` holding the structs below), and what the API answers for it.

These are views, not the structs of ``domain.credits.verification``: the projection copies the
events' structs into them by field name, so renaming a domain field changes neither the stored
rows nor the public API (``tests/unit/test_read_model_views.py`` fails when the two no longer
have the same fields).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.credits.certificate import MediaType
from domain.credits.credit import CreditType, VerificationStatus
from domain.credits.verification import DecidedBy, ReasonCode, TextSource


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
