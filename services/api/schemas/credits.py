"""Credits: what is sent to record or amend one, and a credit as answered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import msgspec

from domain.credits.credit import AcademicCredits as DomainAcademicCredits
from domain.credits.credit import (
    AcademicTerm,
    ActivityKind,
    CreditType,
    Topic,
)
from domain.credits.credit import CreditDetails as DomainCreditDetails
from domain.people.credentials import Body
from domain.shared.limits import REASON_LENGTH, DecimalText, Name, Title
from services.core.credits.views import Credit
from services.core.people.views import CreditExclusion

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


class BodyAcceptance(msgspec.Struct, frozen=True, kw_only=True):
    """How one obligation treats the credit: counted (and by which rule) or not (and why)."""

    body: Body
    period: str
    counted: Decimal
    admitted_by: list[str]
    not_counted: list[CreditExclusion]
    pending_review: str | None = None
    """Where the organisation counts credits awaiting a check: the check's reason this body
    would not accept the credit, which counts for now, pending the review (None otherwise)."""


class CreditRecordedResponse(msgspec.Struct, frozen=True, kw_only=True):
    credit: Credit
    acceptance: list[BodyAcceptance]


__all__ = [
    "AcademicCreditsInput",
    "BodyAcceptance",
    "Correction",
    "Credit",
    "CreditAmendment",
    "CreditInput",
    "CreditRecordedResponse",
]
