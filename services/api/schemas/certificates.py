"""Certificate files and their verification: an upload as sent and its receipt, a person's
certificates (``StoredCertificate``, the read model's view), the review queue (the queue's own
views: they hold no domain struct) and a reviewer's decision as sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile

from domain.credits import verification
from domain.credits.certificate import ReviewDecision
from domain.credits.credit import CreditType
from domain.shared.limits import Code, DecimalText, Name, ReasonText, Statement, Title
from services.core.certificates.views import StoredCertificate
from services.core.reviews.queue import ReviewItem, ReviewPage


class CertificateReceipt(msgspec.Struct, frozen=True, kw_only=True):
    certificate: StoredCertificate
    duplicate_of: UUID | None = None
    """Set when the person already had this very file: the existing certificate, reported
    instead of storing it twice."""


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


__all__ = [
    "CertificateReceipt",
    "CertificateUpload",
    "FieldCorrections",
    "ReviewItem",
    "ReviewPage",
    "ReviewRequest",
    "StoredCertificate",
]
