"""The shape of a rule pack: effective-dated versions of one body's CE rules, as data.

Every element carries a ``Basis``: the source ids it rests on and how sure we are. Elements that
are not ``confirmed`` are surfaced on each obligation they touch, so users and auditors see them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Literal

import msgspec

from domain.credits.credit import AcademicTerm, ActivityKind, CreditType, Topic
from domain.credits.waiver import WaiverKind
from domain.people.credentials import Body, CredentialStatus

SOURCE_ID = re.compile(r"\[[A-Z]\d+\]")
"""A source id as the rule notes cite it, e.g. ``[A24]``: never in cards, mail or PDFs."""

Confidence = Literal["confirmed", "unconfirmed", "conflict", "not_modelled"]
"""``not_modelled``: a confirmed rule this software does not evaluate; shown so
that nobody reads an obligation as covering it."""


class Basis(msgspec.Struct, frozen=True, kw_only=True):
    """Where a rule comes from. ``note`` says what is open when confidence is not confirmed."""

    sources: tuple[str, ...]
    confidence: Confidence = "confirmed"
    note: str = ""
    """For auditors: what is open and why, citing the sources."""
    plain: str = ""
    """For people: what an open question means for them, one plain sentence without source
    ids (every flag of the packs has one; see ``domain.compliance.sources``)."""

    @property
    def is_flag(self) -> bool:
        return self.confidence != "confirmed"

    @property
    def for_people(self) -> str:
        """``plain``; for a flag recorded before it had one, its note without source ids."""
        return self.plain or " ".join(SOURCE_ID.sub("", self.note).replace(" ,", ",").split())


# --- cycle anchoring ---------------------------------------------------------------------------


class FirstCredentialCalendarCycles(
    msgspec.Struct, frozen=True, kw_only=True, tag="first_credential_calendar"
):
    """First cycle: first credential date through Dec 31 ``years`` calendar years later (the stub
    year extends it); then consecutive ``years``-long calendar periods (ARDMS [A3]-[A5])."""

    years: int
    basis: Basis
    december_anchor: Basis | None = None
    """Raised when the first credential was earned in December."""


class BirthMonthCycles(msgspec.Struct, frozen=True, kw_only=True, tag="birth_month"):
    """Cycles of ``years`` from the 1st of the birth month to the last day of the month before it
    (ARRT [R4], [R5]). A body-assigned start fixes the phase; otherwise the first cycle starts on
    the first birth-month 1st on or after the first credential, flagged ``computed_start``."""

    years: int
    basis: Basis
    computed_start: Basis


class QuarterEndCycles(msgspec.Struct, frozen=True, kw_only=True, tag="quarter_end"):
    """A first period from the first credential to the end of the quarter
    ``first_period_quarters`` quarters after it, needing no credits; then ``years``-long cycles
    (CCI [C1], [C5])."""

    first_period_quarters: int
    years: int
    basis: Basis


class CertifiedMonthToBirthMonthCycles(
    msgspec.Struct, frozen=True, kw_only=True, tag="certified_month_to_birth_month"
):
    """First cycle: the 1st of the month of the first credential through the last day of the
    month before the birth month ``years`` calendar years later; then ``years``-long cycles from
    the 1st of the birth month (NMTCB per [O3]). Without a birth month: the first credential
    date through Dec 31 ``years`` calendar years later, then calendar periods (NMTCB per [O2]),
    raising ``without_birth_month``."""

    years: int
    basis: Basis
    without_birth_month: Basis
    parity: Basis
    """Raised always: cycles end in years of the parity of the first credential's year (the
    year ``years`` after it, then every ``years``), a reading the sources imply only."""


class FixedCalendarCycles(msgspec.Struct, frozen=True, kw_only=True, tag="fixed_calendar"):
    """Cycles of ``years`` calendar years starting on Jan 1 of the years congruent to
    ``phase_year`` modulo ``years`` (ND: Jan 1 of an even year to Dec 31 of the odd year [O10]).
    The first is the one containing the first credential; ``partial_first`` is raised when it
    began before it."""

    years: int
    phase_year: int
    basis: Basis
    partial_first: Basis


class LicenceTermCycles(msgspec.Struct, frozen=True, kw_only=True, tag="licence_term"):
    """Licence terms (New Mexico [O7]): the first runs ``months`` from the day of issue (the
    first credential) and ends on the last day of the month of issue if issued before the
    ``mid_month`` day, of the following month if after it; renewed terms follow on, ``months``
    each. ``on_mid_month`` is raised for a licence issued on that very day (the shorter term is
    applied); ``renewals`` is raised always."""

    months: int
    mid_month: int
    basis: Basis
    on_mid_month: Basis
    renewals: Basis


CycleRule = (
    FirstCredentialCalendarCycles
    | BirthMonthCycles
    | QuarterEndCycles
    | CertifiedMonthToBirthMonthCycles
    | FixedCalendarCycles
    | LicenceTermCycles
)

# --- requirements, acceptance, caps, waivers ---------------------------------------------------


class TopicMinimum(msgspec.Struct, frozen=True, kw_only=True):
    """At least ``credits`` from credits tagged with every topic in ``topics``."""

    label: str
    topics: frozenset[Topic]
    credits: Decimal


class OutsideTopicCap(msgspec.Struct, frozen=True, kw_only=True):
    """At most ``max_credits`` of credits not tagged ``topic`` count toward the requirement
    (CCI registry level: of 36 CEUs at most 6 may be on any topic [C1], [C2])."""

    topic: Topic
    max_credits: Decimal
    basis: Basis


class RequirementRow(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a body's credential-combination table.

    It matches a set of held codes when every group in ``holds_each_of`` shares a code with the
    set and every held code is in some group or in ``may_also_hold``.
    """

    holds_each_of: tuple[frozenset[str], ...]
    may_also_hold: frozenset[str] = frozenset()
    total: Decimal
    topic_minimums: tuple[TopicMinimum, ...] = ()
    per_code_topics: tuple[tuple[str, frozenset[Topic]], ...] | None = None
    """If set, ``total`` is owed for each held code (ND: 5 hours per modality [O10]): the row
    stands for ``total`` x the held codes, plus a minimum of ``total`` in each code's topics."""
    outside_topic_cap: OutsideTopicCap | None = None
    basis: Basis

    def for_held(self, held: frozenset[str]) -> RequirementRow:
        """The row as it applies to ``held`` (itself unless it counts per code)."""
        if self.per_code_topics is None:
            return self
        topics = dict(self.per_code_topics)
        codes = sorted(held & topics.keys())
        return msgspec.structs.replace(
            self,
            total=self.total * len(codes),
            topic_minimums=(
                *self.topic_minimums,
                *(
                    TopicMinimum(
                        label=f"{code}: {', '.join(sorted(topics[code]))}",
                        topics=topics[code],
                        credits=self.total,
                    )
                    for code in codes
                ),
            ),
            per_code_topics=None,
        )

    def matches(self, held: frozenset[str]) -> bool:
        return self.is_satisfied_by(held) and held <= self.may_also_hold.union(*self.holds_each_of)

    def is_satisfied_by(self, held: frozenset[str]) -> bool:
        return all(group & held for group in self.holds_each_of)


class AcceptanceRule(msgspec.Struct, frozen=True, kw_only=True):
    """Admits a credit carrying any of ``credit_types`` (and, if given, of ``activity_kinds``).
    An unconfirmed rule does not admit; it explains the refusal instead."""

    label: str
    credit_types: frozenset[CreditType]
    activity_kinds: frozenset[ActivityKind] | None = None
    academic_rates: tuple[tuple[AcademicTerm, Decimal], ...] = ()
    """If set, a credit admitted by this rule counts its academic credit units times the rate for
    their term, instead of its ``credits`` (ARRT: 16 per semester, 12 per quarter credit [R1]);
    one without academic credit units is not admitted."""
    courses: frozenset[str] | None = None
    """If set, the life-support courses (``named_courses``) admitted: ARRT takes ACLS or PALS
    [R1], not BLS [R25], and a BLS card carries the same credit type as an ACLS card."""
    basis: Basis

    def matches(
        self,
        types: tuple[CreditType, ...],
        kind: ActivityKind,
        courses: frozenset[str] | None = None,
    ) -> bool:
        """Whether a credit of ``types`` and ``kind`` naming ``courses`` is admitted; ``courses``
        None where the credit's course is not known (then only the type and kind decide)."""
        kind_fits = self.activity_kinds is None or kind in self.activity_kinds
        return kind_fits and not self.credit_types.isdisjoint(types) and self.admits(courses)

    def admits(self, courses: frozenset[str] | None) -> bool:
        """Whether ``courses`` (None: not known) are among the rule's courses, if it names any."""
        return self.courses is None or courses is None or not self.courses.isdisjoint(courses)


class Cap(msgspec.Struct, frozen=True, kw_only=True):
    """At most ``max_credits`` of ``activity_kind`` count in one cycle."""

    activity_kind: ActivityKind
    max_credits: Decimal
    basis: Basis


class WaiverRule(msgspec.Struct, frozen=True, kw_only=True):
    """What a waiver of ``kind`` is worth in the cycle it was granted in: ``credits`` toward the
    total (and topic minimums only if ``counts_toward_topics``), or the whole cycle if ``None``."""

    kind: WaiverKind
    credits: Decimal | None
    counts_toward_topics: bool
    basis: Basis
    topic_question: Basis | None = None
    """Raised when the waiver meets topic minimums and their treatment is open."""


class Offset(msgspec.Struct, frozen=True, kw_only=True):
    """A date after a cycle end: the last day of the month ``months`` later (or its
    ``day_of_month``), then ``days`` more."""

    months: int = 0
    day_of_month: int | None = None
    days: int = 0


class Reporting(msgspec.Struct, frozen=True, kw_only=True):
    description: str
    due: Offset
    basis: Basis


class Grace(msgspec.Struct, frozen=True, kw_only=True):
    """A window after the cycle end. If ``late_credits_count`` (and, when ``only_while`` is set,
    while a credential of the body has that status), credits completed in it make up the ended
    cycle's shortfall and then do not count again in the next cycle."""

    description: str
    ends: Offset
    late_credits_count: bool
    only_while: CredentialStatus | None = None
    late_renewal: bool = False
    """The body renews late until ``ends`` (CCI: 90 days with a $50 fee [C2], [C3]): a cycle
    ended short is ``in_grace`` until then even though credits earned in it do not count.
    Otherwise it is ``in_grace`` only while late credits count (see ``late_credits_count``)."""
    basis: Basis


class CredentialQuestion(msgspec.Struct, frozen=True, kw_only=True):
    """Raised on a cycle when a credential of the body held in it has one of ``codes`` or was
    earned on or after ``earned_from`` (e.g. CCI RCES/CES naming [C1])."""

    codes: frozenset[str] = frozenset()
    earned_from: date | None = None
    basis: Basis

    def applies_to(self, code: str, earned_on: date) -> bool:
        return code in self.codes or (
            self.earned_from is not None and earned_on >= self.earned_from
        )


class FullAttendance(msgspec.Struct, frozen=True, kw_only=True):
    """From ``effective_from`` (by completion date) a credit marked ``partial_attendance`` does
    not count: activities give credit only if attended in full (ARRT 2022 [R12], [R13])."""

    effective_from: date
    basis: Basis


class AuditReinstatement(msgspec.Struct, frozen=True, kw_only=True):
    """Reinstatement after a failed CME audit (ARDMS [A5]-[A7]): a credential whose status
    became one of ``statuses`` after a period ended and by ``ends`` (after the period end) may be
    reinstated by submitting ``credits_for`` CMEs (required total -> CMEs to submit) earned
    inside the period, plus a fee, by ``ends``; afterwards it is permanently revoked."""

    statuses: frozenset[CredentialStatus]
    credits_for: tuple[tuple[Decimal, Decimal], ...]
    ends: Offset
    description: str
    basis: Basis


class QualificationsRule(msgspec.Struct, frozen=True, kw_only=True):
    """Time-limited credentials (ARRT CQR [R10], [R11]): a credential with one of ``codes`` or
    earned on or after ``earned_from`` runs in ``period_years`` periods from the day it was
    earned (or from ``earned_from``, if earlier), each needing the requirements completed in its
    last ``window_years``; missing them leaves ``reinstate_years`` to complete and reinstate
    [R8]."""

    codes: frozenset[str]
    earned_from: date
    period_years: int
    window_years: int
    reinstate_years: int
    basis: Basis
    window_days: Basis
    """Raised wherever the windows are shown: how their first and last days are counted."""
    earned_before: Basis
    """Raised for a credential bound by its code but earned before ``earned_from``: its periods
    are counted from ``earned_from``."""

    def applies_to(self, code: str, earned_on: date) -> bool:
        return code in self.codes or earned_on >= self.earned_from


class Transition(msgspec.Struct, frozen=True, kw_only=True):
    """A one-off total for the cycle ending in ``cycle_end_year``, for people whose first
    credential of the body was earned in an odd (``first_year_odd``) or even year (NMTCB 2007
    [O2]); it replaces the row's total and topic minimums."""

    cycle_end_year: int
    first_year_odd: bool
    total: Decimal
    basis: Basis


# --- versions and packs ------------------------------------------------------------------------


class RuleVersion(msgspec.Struct, frozen=True, kw_only=True):
    """The rules in force from ``effective_from`` (``None``: since before the oldest source)."""

    effective_from: date | None
    requirements: tuple[RequirementRow, ...]
    acceptance: tuple[AcceptanceRule, ...]
    caps: tuple[Cap, ...] = ()
    waivers: tuple[WaiverRule, ...] = ()
    reporting: Reporting | None = None
    grace: Grace | None = None
    requires_verification: bool = False
    count_once: Basis | None = None
    """If set, an activity counts once per cycle: a credit repeating an earlier-completed one
    (same certificate reference, or same title and provider once case, punctuation and spacing
    are ignored) is left out as a duplicate (ARRT [R13])."""
    several_credentials: Basis | None = None
    """Raised when more than one credential of the body is held (how they combine is open)."""
    status_questions: tuple[tuple[CredentialStatus, Basis], ...] = ()
    """Raised when a credential of the body with that status is held (whether it carries CE)."""
    credential_questions: tuple[CredentialQuestion, ...] = ()
    transitions: tuple[Transition, ...] = ()
    full_attendance: FullAttendance | None = None
    reinstatement: AuditReinstatement | None = None
    qualifications: QualificationsRule | None = None
    flags: tuple[Basis, ...] = ()
    """Open questions that apply to every cycle under this version."""
    basis: Basis


class RulePack(msgspec.Struct, frozen=True, kw_only=True):
    """One body's rules. Versions are in date order; a cycle gets the version in force on its
    start or end date (``select_version_by``)."""

    body: Body
    name: str
    cycle: CycleRule
    select_version_by: Literal["cycle_start", "cycle_end"]
    versions: tuple[RuleVersion, ...]
    codes: frozenset[str] | None = None
    """If set, only the body's credentials with these codes are evaluated by this pack (New
    Mexico's limited-radiography licence [O6]); ``None``: all of them."""

    def covers(self, code: str) -> bool:
        return self.codes is None or code in self.codes


class MirrorPack(msgspec.Struct, frozen=True, kw_only=True):
    """A body whose CE requirement is that of the person's credentialing organisations (New
    Mexico [O6]): while a credential of ``body`` is held, each obligation of the ``mirrors``
    bodies whose cycle ends on or after that credential was earned is repeated under ``body``
    (same window, lines, credits and status) with its flags and ``basis``'s."""

    body: Body
    name: str
    mirrors: tuple[Body, ...]
    effective_from: date
    basis: Basis
    several_bodies: Basis
    """Raised when obligations of more than one mirrored body are repeated."""
    codes: frozenset[str] | None = None
    """If set, only the body's credentials with these codes repeat the mirrored obligations."""
    licence_term: LicenceTermCycles | None = None
    licence_reporting: str = ""
    """If ``licence_term`` is set, each repeated obligation's ``reporting`` is the end of the
    first licence term ending on or after its window end (the renewal at which it is attested),
    described by ``licence_reporting``; with several licences, the earliest such end."""

    def covers(self, code: str) -> bool:
        return self.codes is None or code in self.codes


class UnsupportedPack(msgspec.Struct, frozen=True, kw_only=True):
    """A body whose CE rules are not known well enough to evaluate (Oregon, New Hampshire):
    no obligation is computed, but holders are listed with ``basis`` (see
    ``domain.compliance.evaluation.unsupported_credentials``)."""

    body: Body
    name: str
    basis: Basis


Pack = RulePack | MirrorPack | UnsupportedPack
