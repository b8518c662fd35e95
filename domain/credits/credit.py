"""The credit aggregate: one completed CME/CE activity as the person claims it.

History is never edited: a credit is amended (new details, with a reason) or retracted (with a
reason) by new events. Credits are ``Decimal`` multiples of a quarter credit: 15 minutes is the
smallest AMA unit [O19], so sums stay exact.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

import msgspec

from domain.shared.errors import DomainError
from domain.shared.event import Event
from domain.shared.limits import (
    EARLIEST_ACTIVITY_DAY,
    NAME_LENGTH,
    REASON_LENGTH,
    TITLE_LENGTH,
    check_day,
    check_length,
)

CreditType = Literal[
    "ama_pra_category_1",
    "arrt_category_a",
    "arrt_category_a_plus",
    "sdms",
    "svu",
    "ase",
    "aium",
    "iame",
    "spectrum_health",
    "asum",
    "cma",
    "csdms",
    "snmmi",
    "cci_approved",
    "aha_ashi",
    "other",
]
"""The approval or designation printed on the certificate. ``arrt_category_a(_plus)`` is Category
A/A+ approved by a RCEEM(+) such as ASRT, SDMS or SVU [R1], [R18]; ``aha_ashi`` is an AHA/ASHI
life-support course [R1]; the approver's name goes in ``accrediting_organisation``."""

_COURSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (course, re.compile(rf"\b(?:{course}|(?i:{name}))\b"))
    for course, name in (
        ("BLS", r"Basic\s+Life\s+Support"),
        ("ACLS", r"Advanced\s+Cardi(?:ovascular|ac)\s+Life\s+Support"),
        ("PALS", r"Pediatric\s+Advanced\s+Life\s+Support"),
        ("NRP", r"Neonatal\s+Resuscitation\s+Program"),
        ("PEARS", r"Pediatric\s+Emergency\s+Assessment"),
        ("ATLS", r"Advanced\s+Trauma\s+Life\s+Support"),
        ("TNCC", r"Trauma\s+Nursing\s+Core\s+Course"),
        ("ENPC", r"Emergency\s+Nursing\s+Pediatric\s+Course"),
        ("ASLS", r"Advanced\s+Stroke\s+Life\s+Support"),
        ("NALS", r"Neonatal\s+Advanced\s+Life\s+Support"),
        ("Heartsaver", r"Heartsaver"),
    )
)
"""Resuscitation and trauma courses, each its own course (one never stands for another): by its
initials as printed in capitals, or by its name in any case."""


@functools.lru_cache(maxsize=4096)
def named_courses(text: str) -> frozenset[str]:
    """The life-support (resuscitation or trauma) courses ``text`` names, by their initials
    ("BLS" for "Basic Life Support (CPR and AED)"); empty if it names none. Remembered per
    text: an evaluation asks it of every credit, for every cycle and acceptance rule."""
    return frozenset(course for course, pattern in _COURSES if pattern.search(text))


ActivityKind = Literal["standard", "life_support", "applications_training", "academic_course"]
"""What the activity is, where a body caps or treats it specially: ACLS/PALS [R1], applications
(vendor) training at the R.T.'s facility [R14], academic courses [R1]."""

Topic = Literal[
    "sonography",
    "vascular",
    "musculoskeletal",
    "cardiovascular",
    "radiography",
    "nuclear_medicine",
    "computed_tomography",
    "magnetic_resonance",
    "mammography",
    "radiation_therapy",
]
"""Topic tags; requirement minimums select credits carrying all of a set of tags, e.g.
"musculoskeletal ultrasound" = {sonography, musculoskeletal} [A1]."""

AcademicTerm = Literal["semester", "quarter"]
"""The credit system of an academic course's institution (ARRT converts each [R1])."""

VerificationStatus = Literal["pending", "verified", "needs_review", "rejected"]
Origin = Literal["self_reported", "provider_transfer"]
"""Provider transfers (e.g. ARDMS CME Tracker partners) arrive approved, uploads pending [A9]."""

# --- state -------------------------------------------------------------------------------------


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
    """The activity was not attended in full (the certificate awards part of its credit). Added
    later as an optional field: credits stored without it were attended in full."""
    approval_number: str | None = None
    """The approver's file or reference number as printed, e.g. the SDMS file number that ARDMS
    and ARRT require on an SDMS-approved certificate [A32]. Added later as an optional field."""


class CreditEntry(msgspec.Struct, frozen=True, kw_only=True):
    """Whose credit it is, what it says and where it came from, as recording a credit, the
    event and the credit itself carry it."""

    credit_id: UUID
    person_id: UUID
    details: CreditDetails
    origin: Origin


class Credit(CreditEntry, frozen=True, kw_only=True):
    verification: VerificationStatus
    retraction_reason: str | None = None

    @property
    def retracted(self) -> bool:
        return self.retraction_reason is not None


# --- events ------------------------------------------------------------------------------------


class CreditRecorded(Event, CreditEntry, frozen=True, kw_only=True, tag="credits.CreditRecorded"):
    """A credit entered by its person, or transferred by a provider (``origin``)."""


class CreditAmended(Event, frozen=True, kw_only=True, tag="credits.CreditAmended"):
    """New details replace the old ones; verification starts again (pending)."""

    credit_id: UUID
    details: CreditDetails
    reason: str


class CreditRetracted(Event, frozen=True, kw_only=True, tag="credits.CreditRetracted"):
    credit_id: UUID
    reason: str


class CreditVerificationRecorded(
    Event, frozen=True, kw_only=True, tag="credits.CreditVerificationRecorded"
):
    credit_id: UUID
    status: VerificationStatus
    note: str


CREDIT_EVENTS: tuple[type[Event], ...] = (
    CreditRecorded,
    CreditAmended,
    CreditRetracted,
    CreditVerificationRecorded,
)

# --- commands ----------------------------------------------------------------------------------


class RecordCredit(CreditEntry, frozen=True, kw_only=True):
    origin: Origin = "self_reported"


class AmendCredit(msgspec.Struct, frozen=True, kw_only=True):
    details: CreditDetails
    reason: str


class RetractCredit(msgspec.Struct, frozen=True, kw_only=True):
    reason: str


class RecordVerification(msgspec.Struct, frozen=True, kw_only=True):
    status: VerificationStatus
    note: str = ""


# --- refusals ----------------------------------------------------------------------------------


class CreditRefused(DomainError): ...


class InvalidCreditAmount(CreditRefused): ...


class InvalidCreditDetails(CreditRefused): ...


class ReasonRequired(CreditRefused): ...


class CreditAlreadyRecorded(CreditRefused): ...


class CreditNotRecorded(CreditRefused): ...


class CreditIsRetracted(CreditRefused): ...


class NothingToAmend(CreditRefused): ...


# --- deciders ----------------------------------------------------------------------------------


MAX_CREDITS_PER_ACTIVITY = Decimal(1000)
"""No single activity or academic course is worth more; larger figures are typing errors."""


def _is_quarter_step(amount: Decimal) -> bool:
    """Whether ``amount`` is a positive multiple of 0.25 no larger than the maximum. Bounds are
    checked before any arithmetic, so a hostile figure like ``1e999999999`` costs nothing."""
    if not amount.is_finite() or not Decimal("0.25") <= amount <= MAX_CREDITS_PER_ACTIVITY:
        return False
    if amount.as_tuple().exponent < -12:  # type: ignore[operator]  # finite: an int
        return False
    numerator, denominator = amount.as_integer_ratio()
    return (4 * numerator) % denominator == 0


def check_quarter_credits(amount: Decimal) -> None:
    """Refuse anything but a positive multiple of 0.25 credit of at most
    ``MAX_CREDITS_PER_ACTIVITY``."""
    if not amount.is_finite() or amount <= 0:
        raise InvalidCreditAmount(f"credits must be positive, not {amount}")
    if amount > MAX_CREDITS_PER_ACTIVITY:
        raise InvalidCreditAmount(
            f"one activity is worth at most {MAX_CREDITS_PER_ACTIVITY} credits, not {amount}"
        )
    if not _is_quarter_step(amount):
        raise InvalidCreditAmount(f"credits come in quarter-credit steps; {amount} is not one")


def decide_record_credit(
    state: Credit | None, command: RecordCredit, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Record a completed activity; provider transfers start verified, uploads pending [A9]."""
    if state is not None:
        raise CreditAlreadyRecorded(f"credit {state.credit_id} is already recorded")
    validated = msgspec.structs.replace(command, details=_validated(command.details, now))
    return [CreditRecorded(**msgspec.structs.asdict(validated))]


def decide_amend_credit(
    state: Credit | None, command: AmendCredit, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Replace a live credit's details, with a reason; identical details are refused."""
    credit = _live(state, "amend")
    reason = _reason(command.reason, "an amendment")
    details = _validated(command.details, now)
    if details == credit.details:
        raise NothingToAmend("the amendment changes nothing")
    return [CreditAmended(credit_id=credit.credit_id, details=details, reason=reason)]


def decide_retract_credit(
    state: Credit | None, command: RetractCredit, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Retract a live credit, with a reason; it then never counts."""
    credit = _live(state, "retract")
    reason = _reason(command.reason, "a retraction")
    return [CreditRetracted(credit_id=credit.credit_id, reason=reason)]


def decide_record_verification(
    state: Credit | None, command: RecordVerification, *, now: datetime, ids: Callable[[], UUID]
) -> list[Event]:
    """Record the outcome of checking the certificate; rejection and review need a note."""
    credit = _live(state, "verify")
    note = command.note.strip()
    check_length("the note", note, REASON_LENGTH)
    if command.status in ("rejected", "needs_review") and not note:
        raise ReasonRequired(f"say why the credit is {command.status.replace('_', ' ')}")
    if command.status == credit.verification:
        return []
    return [
        CreditVerificationRecorded(credit_id=credit.credit_id, status=command.status, note=note)
    ]


def _validated(details: CreditDetails, now: datetime) -> CreditDetails:
    check_quarter_credits(details.credits)
    for label, text, limit in (
        ("title", details.title, TITLE_LENGTH),
        ("provider", details.provider, NAME_LENGTH),
        ("accrediting organisation", details.accrediting_organisation, NAME_LENGTH),
    ):
        if not text.strip():
            raise InvalidCreditDetails(f"the {label} must not be blank")
        check_length(f"the {label}", text.strip(), limit)
    check_length("the certificate reference", details.certificate_ref, NAME_LENGTH)
    check_length("the approval number", details.approval_number, NAME_LENGTH)
    check_day("completed_on", details.completed_on, earliest=EARLIEST_ACTIVITY_DAY)
    if not details.credit_types:
        raise InvalidCreditDetails("name at least one credit type from the certificate")
    if details.completed_on > now.date():
        raise InvalidCreditDetails("an activity cannot be completed in the future")
    if (details.activity_kind == "academic_course") != (details.academic is not None):
        raise InvalidCreditDetails(
            "give the academic credit units (semester or quarter) of an academic course, and "
            "only of one"
        )
    if details.academic is not None:
        units = details.academic.units
        if not _is_quarter_step(units):
            raise InvalidCreditAmount(
                f"academic credit units come in positive quarter steps; {units} is not one"
            )
    return msgspec.structs.replace(
        details,
        title=details.title.strip(),
        provider=details.provider.strip(),
        accrediting_organisation=details.accrediting_organisation.strip(),
        credit_types=tuple(sorted(set(details.credit_types))),
        topics=tuple(sorted(set(details.topics))),
    )


def _live(state: Credit | None, verb: str) -> Credit:
    if state is None:
        raise CreditNotRecorded(f"cannot {verb} a credit that was never recorded")
    if state.retracted:
        raise CreditIsRetracted(f"cannot {verb} a retracted credit")
    return state


def _reason(text: str, what: str) -> str:
    reason = text.strip()
    if not reason:
        raise ReasonRequired(f"{what} needs a reason")
    check_length(f"the reason for {what}", reason, REASON_LENGTH)
    return reason


# --- evolve ------------------------------------------------------------------------------------


def evolve(state: Credit | None, event: Event) -> Credit:
    """Fold one credit event into the state; the first event must be ``CreditRecorded``."""
    if isinstance(event, CreditRecorded):
        verification: VerificationStatus = (
            "verified" if event.origin == "provider_transfer" else "pending"
        )
        return Credit(**msgspec.structs.asdict(event), verification=verification)
    if state is None:
        raise CreditNotRecorded("a credit stream must start with CreditRecorded")
    match event:
        case CreditAmended(details=details):
            return msgspec.structs.replace(state, details=details, verification="pending")
        case CreditRetracted(reason=reason):
            return msgspec.structs.replace(state, retraction_reason=reason)
        case CreditVerificationRecorded(status=status):
            return msgspec.structs.replace(state, verification=status)
    raise TypeError(f"not a credit event: {type(event).__name__}")
