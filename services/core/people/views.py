"""What the people and obligations read models hold, and what the API answers for them: a
person (``people.state``) and an obligation with its full explanation
(``obligations.explanation``).

These are views, not the domain's structs: the projections store them and the queries read them,
so renaming a field of ``domain.people.person.Person`` or ``domain.compliance.evaluation.
Obligation`` changes neither the stored rows nor the public API. They are copied from the domain
by field name (``services.core.projections.folded.stored``), and
``tests/unit/test_read_model_views.py`` fails when the two no longer have the same fields.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

import msgspec

from domain.compliance.evaluation import ExclusionReason, QualificationStatus
from domain.compliance.rules import Confidence
from domain.compliance.status import Status
from domain.credits.credit import Topic
from domain.people.credentials import Body, CredentialStatus, Specialty


class SpecialtyHeld(msgspec.Struct, frozen=True, kw_only=True):
    specialty: Specialty
    earned_on: date


class CredentialStatusChange(msgspec.Struct, frozen=True, kw_only=True):
    """A credential status in force from ``effective_on``."""

    effective_on: date
    status: CredentialStatus


class Credential(msgspec.Struct, frozen=True, kw_only=True):
    """A credential held, e.g. ARDMS RDMS (AB, OB/GYN) earned on a date.

    ``status`` is the status most recently recorded. ``status_history`` is empty until the
    first change; then its first entry is the status the credential was added with (from
    ``earned_on``) and the others are the changes in the order recorded, each from its
    ``effective_on`` (changes may be back-dated, e.g. ARRT probation is retroactive [R7])."""

    credential_id: UUID
    body: Body
    code: str
    earned_on: date
    specialties: tuple[SpecialtyHeld, ...] = ()
    status: CredentialStatus = "active"
    status_history: tuple[CredentialStatusChange, ...] = ()
    qualifications_completed: tuple[date, ...] = ()
    """Days on which the body's continuing qualifications for this credential were completed
    (ARRT CQR [R10], [R11]), in the order recorded."""


class Person(msgspec.Struct, frozen=True, kw_only=True):
    """A staff member. ``cycle_starts`` holds cycle start dates a body assigned (ARRT [R1]);
    ``department``, ``site`` and ``employee_number`` place them in the employer's organisation;
    ``email`` (lower case) is the work address given at registration; a deactivated person
    (``active`` false) has left the organisation's staff but keeps their history."""

    person_id: UUID
    full_name: str
    department: str | None = None
    site: str | None = None
    employee_number: str | None = None
    email: str | None = None
    active: bool = True
    registry_ids: dict[Body, str] = msgspec.field(default_factory=dict)
    birth_month: int | None = None
    credentials: tuple[Credential, ...] = ()
    cycle_starts: dict[Body, date] = msgspec.field(default_factory=dict)


class Window(msgspec.Struct, frozen=True, kw_only=True):
    """A cycle, both days inclusive. ``credits_required`` is false for CCI's first period [C1]."""

    start: date
    end: date
    credits_required: bool = True


class Basis(msgspec.Struct, frozen=True, kw_only=True):
    """Where a rule comes from. ``note`` says what is open when confidence is not confirmed."""

    sources: tuple[str, ...]
    confidence: Confidence = "confirmed"
    note: str = ""
    """For auditors: what is open and why, citing the sources."""
    plain: str = ""
    """For people: what an open question means for them, without source ids."""


class CreditExclusion(msgspec.Struct, frozen=True, kw_only=True):
    """Credits that did not count here; ``credits`` is the part left out (all of it, or the
    part over a cap)."""

    credit_id: UUID
    credits: Decimal
    reason: ExclusionReason
    detail: str
    sources: tuple[str, ...] = ()


class CreditUse(msgspec.Struct, frozen=True, kw_only=True):
    credit_id: UUID
    credits_counted: Decimal
    admitted_by: str
    sources: tuple[str, ...]
    make_up: bool = False
    """Completed in the grace window to make up this cycle's shortfall."""


class DatedStep(msgspec.Struct, frozen=True, kw_only=True):
    """A date after the cycle end (reporting deadline, end of grace) and what it means."""

    due: date
    description: str
    sources: tuple[str, ...]


class QualificationStep(msgspec.Struct, frozen=True, kw_only=True):
    """One time-limited credential's continuing qualifications (ARRT CQR [R10], [R11]) for the
    ``period`` (10 years from the day earned) that matters on the evaluation date: the
    requirements are due in ``window`` (its last 3 years); missed, the credential can be
    reinstated by completing them until ``reinstate_until`` [R8], then only by re-examination.
    The credential is named by its ``code`` (one per body and person) and ``earned_on``."""

    code: str
    earned_on: date
    period: Window
    window: Window
    reinstate_until: date
    completed_on: date | None
    status: QualificationStatus
    sources: tuple[str, ...]


class RequirementLine(msgspec.Struct, frozen=True, kw_only=True):
    """One requirement: the total (``topics`` empty) or a topic minimum."""

    label: str
    topics: frozenset[Topic]
    required: Decimal
    counted: Decimal
    waived: Decimal
    shortfall: Decimal
    """Counting every credit that counts, verified or not."""
    pending: Decimal = Decimal(0)
    """Of ``counted``, the credits whose certificate is not verified (or approved on review)."""


class WaiverUse(msgspec.Struct, frozen=True, kw_only=True):
    waiver_id: UUID
    credits_waived: Decimal
    whole_cycle: bool
    detail: str
    sources: tuple[str, ...] = ()


class Obligation(msgspec.Struct, frozen=True, kw_only=True):
    """A person's standing with one body for one cycle.

    Invariant: for every credit passed in, its credits appear exactly once across ``used`` and
    ``not_used`` (split when a cap cuts it); an academic course admitted by a rule with academic
    rates appears with its converted credits (units x rate) instead.
    """

    person_id: UUID
    body: Body
    period: Literal["current", "previous"]
    window: Window
    deadline: date
    rule_version_from: date | None
    credentials: tuple[str, ...]
    lines: tuple[RequirementLine, ...]
    used: tuple[CreditUse, ...]
    not_used: tuple[CreditExclusion, ...]
    waivers: tuple[WaiverUse, ...]
    reporting: DatedStep | None
    grace: DatedStep | None
    late_credits_until: date | None
    """Last day of a grace window in which late credits count toward this cycle for this
    person (``None``: there is none)."""
    status: Status
    """In an answer: on the day asked, as the organisation counts pending credits. A stored row
    holds it as of the day it was evaluated; every read computes it again."""
    in_grace_until: date | None = None
    """Last day on which this cycle, ended short, is ``in_grace`` (``None``: no grace)."""
    flags: tuple[Basis, ...]
    """Unconfirmed or conflicting rules this result rests on."""
    mirrors: Body | None = None
    """Set when this obligation repeats that body's: the numbers, credits and status are that
    body's, and ``credentials`` are this body's."""
    reinstatement: DatedStep | None = None
    """Set when a credential of the body was revoked after this cycle ended and may still be
    reinstated by its due date (ARDMS failed audit [A5]-[A7]); ``lines`` then end with what
    reinstatement needs."""
    qualifications: tuple[QualificationStep, ...] = ()
    """CQR of each time-limited credential held (ARRT [R10], [R11]); their status is their own
    and does not change ``status``."""
