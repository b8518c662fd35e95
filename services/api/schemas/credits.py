"""Credits: what is sent to record or amend one, and a credit as answered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import msgspec

from domain.credits.credit import AcademicCredits as DomainAcademicCredits
from domain.credits.credit import (
    AcademicTerm,
    ActivityKind,
    CreditType,
    Origin,
    Topic,
    VerificationStatus,
)
from domain.credits.credit import CreditDetails as DomainCreditDetails
from domain.people.credentials import Body
from domain.shared.limits import REASON_LENGTH, DecimalText, Name, Title
from services.api.schemas.obligations import CreditExclusion

Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=REASON_LENGTH)]


class AcademicCreditsInput(msgspec.Struct, frozen=True, kw_only=True):
    """``AcademicCredits`` as sent."""

    units: DecimalText
    term: AcademicTerm


class CreditInput(msgspec.Struct, frozen=True, kw_only=True):
    """``CreditDetails`` as sent: amounts as strict decimal text, every text capped. The
    completion day lies between 1950-01-01 and today."""

    title: Title
    provider: Name
    accrediting_organisation: Name
    credit_types: Annotated[tuple[CreditType, ...], msgspec.Meta(max_length=20)]
    completed_on: date
    credits: DecimalText
    topics: Annotated[tuple[Topic, ...], msgspec.Meta(max_length=20)] = ()
    activity_kind: ActivityKind = "standard"
    certificate_ref: Name | None = None
    academic: AcademicCreditsInput | None = None
    partial_attendance: bool = False
    approval_number: Name | None = None

    def details(self) -> DomainCreditDetails:
        """The domain's ``CreditDetails``, amounts as ``Decimal``."""
        academic = (
            None
            if self.academic is None
            else DomainAcademicCredits(units=Decimal(self.academic.units), term=self.academic.term)
        )
        return DomainCreditDetails(
            **{
                **msgspec.structs.asdict(self),
                "credits": Decimal(self.credits),
                "academic": academic,
            }
        )


class Correction(msgspec.Struct, frozen=True, kw_only=True):
    reason: Reason


class CreditAmendment(msgspec.Struct, frozen=True, kw_only=True):
    details: CreditInput
    reason: Reason


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


class BodyAcceptance(msgspec.Struct, frozen=True, kw_only=True):
    """How one obligation treats the credit: counted (and by which rule) or not (and why)."""

    body: Body
    period: str
    counted: Decimal
    admitted_by: list[str]
    not_counted: list[CreditExclusion]


class CreditRecordedResponse(msgspec.Struct, frozen=True, kw_only=True):
    credit: Credit
    acceptance: list[BodyAcceptance]
