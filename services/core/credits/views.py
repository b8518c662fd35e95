"""What the ``credits`` read model holds (``credits.state``), and what the API answers for a
credit: a view, not ``domain.credits.credit.Credit``, copied from it by field name, so renaming
a domain field changes neither the stored rows nor the public API
(``tests/unit/test_read_model_views.py`` fails when the two no longer have the same fields)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.credits.credit import (
    AcademicTerm,
    ActivityKind,
    CreditType,
    Origin,
    Topic,
    VerificationStatus,
)


class AcademicCredits(msgspec.Struct, frozen=True, kw_only=True):
    """The academic credit an accredited institution awarded for a course (e.g. 3 semester
    credits); a body may count these instead of ``CreditDetails.credits`` (ARRT [R1])."""

    units: Decimal
    term: AcademicTerm


class CreditDetails(msgspec.Struct, frozen=True, kw_only=True):
    """What the certificate says. Topics and credit types are kept sorted and unique.
    ``academic`` is given for, and only for, an ``academic_course``; ``credits`` then holds the
    CE credits the course claims elsewhere (e.g. contact hours). ``partial_attendance`` marks
    credit awarded for attending part of an activity (ARRT accepts none from 2022 [R12])."""

    title: str
    provider: str
    accrediting_organisation: str
    credit_types: tuple[CreditType, ...]
    completed_on: date
    credits: Decimal
    topics: tuple[Topic, ...] = ()
    activity_kind: ActivityKind = "standard"
    certificate_ref: str | None = None
    academic: AcademicCredits | None = None
    partial_attendance: bool = False
    """The activity was not attended in full (the certificate awards part of its credit)."""
    approval_number: str | None = None
    """The approver's file or reference number as printed, e.g. the SDMS file number."""


class Credit(msgspec.Struct, frozen=True, kw_only=True):
    credit_id: UUID
    person_id: UUID
    details: CreditDetails
    origin: Origin
    verification: VerificationStatus
    retraction_reason: str | None = None

    @property
    def retracted(self) -> bool:
        """Withdrawn (a reason was given): it counts nowhere."""
        return self.retraction_reason is not None
