"""Certificate verification: what was read off a certificate, how it compares with what the
person declared, and the outcome events (verified, needs review, rejected) of the worker and of
the admins who work the review queue.

The worker never decides alone against a person: a doubtful certificate goes to review with
every reason listed; only a reviewer (or a file that is not a certificate at all) rejects.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

import msgspec

from domain.credits.credit import CreditType
from domain.shared.event import Event

TextSource = Literal["text_layer", "ocr", "none"]
"""Where the text came from: a PDF's text layer, OCR of an image or scanned page, or nowhere
(unreadable or encrypted file)."""

DecidedBy = Literal["worker", "reviewer"]

ReasonCode = Literal[
    "unreadable",
    "encrypted",
    "low_confidence",
    "not_a_certificate",
    "name_mismatch",
    "title_mismatch",
    "credits_mismatch",
    "date_mismatch",
    "provider_mismatch",
    "provider_unknown",
    "missing_name",
    "missing_provider",
    "missing_accreditation",
    "missing_dates",
    "missing_credits",
    "credit_type_unknown",
    "not_accepted",
    "no_declared_credit",
]


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


class ReviewReason(msgspec.Struct, frozen=True, kw_only=True):
    """Why a certificate needs a person's eyes: a stable code and a sentence for people."""

    code: ReasonCode
    message: str


class BodyAcceptance(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a certifying body (ARDMS, ARRT, CCI, ...) accepts the certificate's credit type,
    by which rule, and what an audit by that body would find missing."""

    body: str
    accepted: bool
    rule: str | None = None
    """The rule that admits it, or None."""
    explanation: str
    audit_risks: tuple[str, ...] = ()
    """E.g. ARDMS requires pre-printed provider, sponsor and dates [A7]."""


class ProviderMatch(msgspec.Struct, frozen=True, kw_only=True):
    """A provider directory entry the printed provider name matched."""

    provider_id: str
    name: str
    source: str
    """Which directory answered: "seed", "tenant" or an adapter's name."""


# --- events ------------------------------------------------------------------------------------


class CertificateVerified(Event, frozen=True, kw_only=True, tag="credits.CertificateVerified"):
    """The certificate supports what was declared; ``fields`` are the final fields (as read, or
    as corrected by the reviewer)."""

    certificate_id: UUID
    credit_id: UUID | None
    fields: ExtractedFields
    provider: ProviderMatch | None
    acceptance: tuple[BodyAcceptance, ...]
    text_source: TextSource
    confidence: float
    decided_by: DecidedBy
    reviewer_id: UUID | None = None
    note: str = ""


class CertificateNeedsReview(
    Event, frozen=True, kw_only=True, tag="credits.CertificateNeedsReview"
):
    """The worker could not verify the certificate; each reason is listed."""

    certificate_id: UUID
    credit_id: UUID | None
    fields: ExtractedFields
    provider: ProviderMatch | None
    acceptance: tuple[BodyAcceptance, ...]
    text_source: TextSource
    confidence: float
    reasons: tuple[ReviewReason, ...]


class CertificateFieldsCorrected(
    Event, frozen=True, kw_only=True, tag="credits.CertificateFieldsCorrected"
):
    """A reviewer corrected what was read off the certificate, with a reason."""

    certificate_id: UUID
    fields: ExtractedFields
    reviewer_id: UUID
    reason: str


class CertificateRejected(Event, frozen=True, kw_only=True, tag="credits.CertificateRejected"):
    """The certificate does not support the credit; the reason is shown to the person."""

    certificate_id: UUID
    credit_id: UUID | None
    reasons: tuple[ReviewReason, ...]
    decided_by: DecidedBy
    reviewer_id: UUID | None = None


VERIFICATION_EVENTS: tuple[type[Event], ...] = (
    CertificateVerified,
    CertificateNeedsReview,
    CertificateFieldsCorrected,
    CertificateRejected,
)
