"""evaluate(): where a person stands with each certifying body, cycle by cycle, and why.

Pure: ``today`` is a parameter and may be any date; credits completed, credentials earned and
waivers granted after it are ignored, so an earlier ``today`` shows where the person stood then.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, NamedTuple
from uuid import UUID

import msgspec

from domain.compliance.cycles import Anchor, Window, add_months, date_after, windows_through
from domain.compliance.rules import (
    AcceptanceRule,
    AuditReinstatement,
    Basis,
    Cap,
    Grace,
    LicenceTermCycles,
    MirrorPack,
    OutsideTopicCap,
    Pack,
    QualificationsRule,
    RequirementRow,
    RulePack,
    RuleVersion,
    UnsupportedPack,
    WaiverRule,
)
from domain.compliance.status import Status, pace_status
from domain.credits.credit import ActivityKind, Credit, CreditDetails, Topic, named_courses
from domain.credits.waiver import Waiver
from domain.people.credentials import STATUSES_WITH_CE_OBLIGATION, Body
from domain.people.person import Credential, Person, StatusChange

ExclusionReason = Literal[
    "retracted",
    "rejected",
    "after_evaluation_date",
    "counted_for_previous_cycle",
    "outside_window",
    "type_not_accepted",
    "acceptance_unconfirmed",
    "unverified",
    "over_cap",
    "duplicate_activity",
    "partial_attendance",
]

QualificationStatus = Literal["upcoming", "open", "completed", "missed"]
"""Of one credential's CQR on the evaluation date: ``upcoming`` before its compliance window,
``open`` inside it, ``completed`` once a completion inside the window (or in the reinstatement
year after it [R8]) is recorded, ``missed`` after the window without one (reinstatement possible
until ``reinstate_until``)."""

_NOT_WORD = re.compile(r"[\W_]+")
_ZERO = Decimal(0)


class RequirementLine(msgspec.Struct, frozen=True, kw_only=True):
    """One requirement: the total (``topics`` empty) or a topic minimum."""

    label: str
    topics: frozenset[Topic]
    required: Decimal
    counted: Decimal
    waived: Decimal
    shortfall: Decimal
    """Counting every credit that counts, verified or not."""
    pending: Decimal = _ZERO
    """Of ``counted``, the credits whose certificate is not verified (or approved on review)."""

    def shortfall_counting(self, *, pending: bool) -> Decimal:
        """The shortfall with the pending credits counted or not."""
        if pending:
            return self.shortfall
        return max(_ZERO, self.required - self.counted + self.pending - self.waived)


class CreditUse(msgspec.Struct, frozen=True, kw_only=True):
    credit_id: UUID
    credits_counted: Decimal
    admitted_by: str
    sources: tuple[str, ...]
    make_up: bool = False
    """Completed in the grace window to make up this cycle's shortfall."""


class CreditExclusion(msgspec.Struct, frozen=True, kw_only=True):
    """Credits that did not count here; ``credits`` is the part left out (all of it, or the
    part over a cap)."""

    credit_id: UUID
    credits: Decimal
    reason: ExclusionReason
    detail: str
    sources: tuple[str, ...] = ()


class WaiverUse(msgspec.Struct, frozen=True, kw_only=True):
    waiver_id: UUID
    credits_waived: Decimal
    whole_cycle: bool
    detail: str
    sources: tuple[str, ...] = ()


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
    """As of the evaluation date; ``status_on`` gives it for any later day."""
    in_grace_until: date | None = None
    """Last day on which this cycle, ended short, is ``in_grace``: the end of a grace window
    that applies to this person (one in which late credits count, or one in which they never
    do, a late renewal such as CCI's 90 days [C2]); ``None``: there is none."""
    flags: tuple[Basis, ...]
    """Unconfirmed or conflicting rules this result rests on."""
    mirrors: Body | None = None
    """Set when this obligation repeats that body's (see ``MirrorPack``): the numbers,
    credits and status are that body's, and ``credentials`` are this body's."""
    reinstatement: DatedStep | None = None
    """Set when a credential of the body was revoked after this cycle ended and may still be
    reinstated by its due date (ARDMS failed audit [A5]-[A7]); ``lines`` then end with what
    reinstatement needs."""
    qualifications: tuple[QualificationStep, ...] = ()
    """CQR of each time-limited credential held (ARRT [R10], [R11]); their status is their own
    and does not change ``status``."""


def evaluate(
    person: Person,
    credits: Iterable[Credit],
    waivers: Iterable[Waiver],
    *,
    today: date,
    rule_packs: Sequence[Pack],
    count_pending: bool = True,
) -> list[Obligation]:
    """The previous and current obligation for every body in ``rule_packs`` with which the
    person holds a credential with a CE obligation, in pack order, previous first; a
    ``MirrorPack`` repeats the obligations of the packs before it, an ``UnsupportedPack``
    gives none (see ``unsupported_credentials``).

    ``credits`` and ``waivers`` are the person's own; their order does not matter. One credit
    counts toward every body that accepts it. ``count_pending``: whether credits whose
    certificate is not verified yet count toward the status (they always count toward
    ``counted``; each line says how many of them are ``pending``).
    """
    ordered = sorted(credits, key=lambda c: (c.details.completed_on, c.credit_id))
    waiver_list = list(waivers)
    obligations: list[Obligation] = []
    for pack in rule_packs:
        if isinstance(pack, UnsupportedPack):
            continue
        earned = [
            c
            for c in person.credentials
            if c.body == pack.body and pack.covers(c.code) and c.earned_on <= today
        ]
        owes = any(c.status_on(today) in STATUSES_WITH_CE_OBLIGATION for c in earned)
        if isinstance(pack, MirrorPack):
            if owes:
                obligations += _mirrored(pack, earned, obligations, today)
            continue
        if not owes and not _may_reinstate(pack, earned, today):
            continue
        anchor = Anchor(
            first_credential_on=min(c.earned_on for c in earned),
            birth_month=person.birth_month,
            assigned_start=person.cycle_starts.get(pack.body),
        )
        windows, cycle_flags = windows_through(pack.cycle, anchor, today)
        context = _BodyContext(
            person=person,
            pack=pack,
            credits=ordered,
            waivers=[w for w in waiver_list if w.body == pack.body],
            today=today,
            cycle_flags=[f for f in cycle_flags if f.is_flag],
            count_pending=count_pending,
        )
        # Only the previous and current cycles are kept; the older ones are evaluated for the
        # late credits they consume as make-up, so without credits none is.
        kept = windows if ordered else windows[-2:]
        consumed: frozenset[UUID] = frozenset()
        per_window: list[Obligation | None] = []
        for window in kept:
            obligation, consumed = context.evaluate_cycle(window, consumed)
            per_window.append(obligation)
        previous, current = [None, None, *per_window][-2:]
        if previous is not None:
            previous = msgspec.structs.replace(previous, period="previous")
        for found in (previous, current):
            if found is not None and (owes or _reinstating(found, today)):
                obligations.append(found)
    return obligations


_NO_ID = UUID(int=0)

IDENTITY_ONLY = frozenset(
    {"person_id", "full_name", "department", "site", "employee_number", "email", "active"}
    | {"registry_ids"}
)
"""The fields of a ``Person`` that ``evaluate`` and ``unchanged_through`` never read. Every other
field, including one added later, is part of ``alike``'s key."""

Alike = tuple[object, ...]


def _keyed(value: object) -> object:
    """``value`` as a hashable key part: dicts as sorted items, credentials without their id."""
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    if isinstance(value, tuple):
        return tuple(_keyed(v) for v in value)
    if isinstance(value, Credential):
        return msgspec.structs.replace(value, credential_id=_NO_ID)
    return value


def alike(
    person: Person, credits: Sequence[Credit], waivers: Sequence[Waiver], *, today: date
) -> Alike | None:
    """What ``evaluate`` and ``unchanged_through`` read of a person without credits or waivers:
    the day and every field of the person but those in ``IDENTITY_ONLY`` (credentials without
    their ids). Two such people with the same key get, on ``today`` and with the same packs, the
    same results but for each obligation's ``person_id``. ``None`` for a person with credits or
    waivers."""
    if credits or waivers:
        return None
    read = [name for name in person.__struct_fields__ if name not in IDENTITY_ONLY]
    return (today, *(_keyed(getattr(person, name)) for name in read))


def _may_reinstate(pack: RulePack, earned: list[Credential], today: date) -> bool:
    """Whether a credential of the body has a status after which the pack allows
    reinstatement (ARDMS audit [A5]); the cycles then say whether it is still possible."""
    statuses = {s for v in pack.versions if v.reinstatement for s in v.reinstatement.statuses}
    return any(c.status_on(today) in statuses for c in earned)


def _reinstating(obligation: Obligation, today: date) -> bool:
    return obligation.reinstatement is not None and today <= obligation.reinstatement.due


def _mirrored(
    pack: MirrorPack, earned: list[Credential], obligations: list[Obligation], today: date
) -> list[Obligation]:
    held = [c for c in earned if c.status_on(today) in STATUSES_WITH_CE_OBLIGATION]
    since = max(pack.effective_from, min(c.earned_on for c in held))
    codes = tuple(sorted({c.code for c in held}))
    repeated = [o for o in obligations if o.body in pack.mirrors and o.window.end >= since]
    several = len({o.body for o in repeated}) > 1
    mirrored: list[Obligation] = []
    for o in repeated:
        reporting, term_flags = o.reporting, list[Basis]()
        if pack.licence_term is not None:
            due, term_flags = _licence_term_end(pack.licence_term, held, o.window.end)
            reporting = DatedStep(
                due=due,
                description=pack.licence_reporting,
                sources=pack.licence_term.basis.sources,
            )
        flags = [*o.flags, pack.basis, *term_flags, *([pack.several_bodies] if several else [])]
        mirrored.append(
            msgspec.structs.replace(
                o,
                body=pack.body,
                credentials=codes,
                mirrors=o.body,
                reporting=reporting,
                flags=_unique_flags(flags),
            )
        )
    return mirrored


def _licence_term_end(
    rule: LicenceTermCycles, licences: list[Credential], day: date
) -> tuple[date, list[Basis]]:
    """The earliest end, over ``licences``, of a licence term ending on or after ``day``, and
    the flags the terms of that licence raised."""
    ends: list[tuple[date, list[Basis]]] = []
    for licence in licences:
        anchor = Anchor(first_credential_on=licence.earned_on)
        windows, flags = windows_through(rule, anchor, max(day, licence.earned_on))
        ends.append((windows[-1].end, flags))
    return min(ends, key=lambda found: found[0])


def unsupported_credentials(
    person: Person, rule_packs: Sequence[Pack], *, today: date
) -> list[tuple[Credential, Basis]]:
    """Credentials held (earned by ``today``, with a CE obligation status on ``today``) with a
    body whose CE rules are not modelled, each with the reason; no obligation is computed for
    them."""
    reasons = {p.body: p.basis for p in rule_packs if isinstance(p, UnsupportedPack)}
    return [
        (c, reasons[c.body])
        for c in person.credentials
        if c.body in reasons
        and c.earned_on <= today
        and c.status_on(today) in STATUSES_WITH_CE_OBLIGATION
    ]


class _Candidate(NamedTuple):
    credit: Credit
    rule: AcceptanceRule
    late: bool


class _LineSpec(NamedTuple):
    label: str
    topics: frozenset[Topic]
    required: Decimal
    waived: Decimal


@dataclass(frozen=True)
class _BodyContext:
    """One body's inputs, shared by every cycle evaluated for it."""

    person: Person
    pack: RulePack
    credits: list[Credit]
    waivers: list[Waiver]
    today: date
    cycle_flags: list[Basis]
    count_pending: bool

    def evaluate_cycle(
        self, window: Window, consumed_before: frozenset[UUID]
    ) -> tuple[Obligation | None, frozenset[UUID]]:
        """This cycle's obligation (``None`` if no credential with a CE obligation was held),
        and the late credits it consumed as make-up. A credential is held for the cycle if it
        was earned by its last day (or ``today``, if earlier) and its status on that day
        carries a CE obligation."""
        version, version_flags = _version_for(self.pack, window)
        last_day = min(window.end, self.today)
        held = frozenset(
            c.code
            for c in self.credentials()
            if c.status_on(last_day) in STATUSES_WITH_CE_OBLIGATION and c.earned_on <= last_day
        )
        if not held:
            return None, frozenset()
        row, row_flags = _requirement(version, held, self.pack.body)
        first_year = min(c.earned_on for c in self.credentials() if c.earned_on <= last_day).year
        for transition in version.transitions:
            if (window.end.year, first_year % 2 == 1) == (
                transition.cycle_end_year,
                transition.first_year_odd,
            ):
                row = msgspec.structs.replace(row, total=transition.total, topic_minimums=())
                row_flags.append(transition.basis)
        waivers = self._waivers(version, window)
        specs = _line_specs(row, window, waivers)
        limits = _Limits({cap.activity_kind: cap for cap in version.caps}, row.outside_topic_cap)

        grace = version.grace
        grace_end = date_after(window.end, grace.ends) if grace else None
        late_until = (
            grace_end
            if grace and grace_end and self._accepts_late_credits(grace, window, grace_end)
            else None
        )
        in_grace_until = grace_end if grace and grace.late_renewal else late_until
        candidates: list[_Candidate] = []
        not_used: list[CreditExclusion] = []
        for credit in self.credits:
            screened = _screen(credit, version, window, self.today, consumed_before, late_until)
            if isinstance(screened, _Candidate):
                candidates.append(screened)
            else:
                not_used.append(screened)
        if version.count_once is not None:
            candidates, repeats = _drop_repeats(candidates, version.count_once)
            not_used += repeats
        admitted, not_needed = _admit_make_up(specs, candidates, limits)
        used, over_cap = _allocate(admitted, limits)
        lines = tuple(_line(spec, admitted, limits) for spec in specs)
        reinstatement = self._reinstatement(version.reinstatement, window, held, row.total)
        if reinstatement is not None:
            spec = reinstatement[1]
            lines = (*lines, _line(spec, admitted, limits)) if spec else lines
        qualifications = self._qualifications(version.qualifications, last_day, held)

        refusing = {x.credit_id for x in not_used if x.reason == "acceptance_unconfirmed"}
        flags = [
            *self.cycle_flags,
            *version_flags,
            *row_flags,
            *_unconfirmed_acceptance(version, [c for c in self.credits if c.credit_id in refusing]),
        ]
        if version.several_credentials is not None and len(held) > 1:
            flags.append(version.several_credentials)
        flags += [
            question
            for status, question in version.status_questions
            if any(status in c.statuses_between(window.start, last_day) for c in self.credentials())
        ]
        flags += [
            question.basis
            for question in version.credential_questions
            if any(
                question.applies_to(c.code, c.earned_on)
                for c in self.credentials()
                if c.code in held and c.earned_on <= last_day
            )
        ]
        if len(specs) > 1:
            flags += [
                rule.topic_question
                for _, rule in waivers
                if rule is not None and rule.topic_question is not None
            ]
        if version.grace and self.today > window.end and any(line.shortfall for line in lines):
            flags.append(version.grace.basis)
        if reinstatement is not None and reinstatement[1] is None:
            flags.append(_reinstatement_unknown(version.reinstatement, row.total))
        if qualifications and version.qualifications:
            rule = version.qualifications
            flags.append(rule.window_days)
            if any(q.earned_on < rule.earned_from for q in qualifications):
                flags.append(rule.earned_before)

        order = {c.credit_id: i for i, c in enumerate(self.credits)}
        obligation = Obligation(
            person_id=self.person.person_id,
            body=self.pack.body,
            period="current",
            window=window,
            deadline=window.end,
            rule_version_from=version.effective_from,
            credentials=tuple(sorted(held)),
            lines=lines,
            used=tuple(used),
            not_used=tuple(
                sorted((*not_used, *not_needed, *over_cap), key=lambda x: order[x.credit_id])
            ),
            waivers=tuple(use for use, _ in waivers),
            reporting=(
                DatedStep(
                    due=date_after(window.end, version.reporting.due),
                    description=version.reporting.description,
                    sources=version.reporting.basis.sources,
                )
                if version.reporting
                else None
            ),
            grace=(
                DatedStep(
                    due=grace_end,
                    description=version.grace.description,
                    sources=version.grace.basis.sources,
                )
                if version.grace and grace_end
                else None
            ),
            late_credits_until=late_until,
            status=_status(lines, window, self.today, in_grace_until, self.count_pending),
            in_grace_until=in_grace_until,
            flags=_unique_flags(flags),
            reinstatement=reinstatement[0] if reinstatement else None,
            qualifications=qualifications,
        )
        return obligation, frozenset(c.credit.credit_id for c in admitted if c.late)

    def credentials(self) -> list[Credential]:
        return [
            c
            for c in self.person.credentials
            if c.body == self.pack.body and self.pack.covers(c.code)
        ]

    def _reinstatement(
        self, rule: AuditReinstatement | None, window: Window, held: frozenset[str], total: Decimal
    ) -> tuple[DatedStep, _LineSpec | None] | None:
        """If a credential held in ``window`` took one of ``rule``'s statuses after the window
        ended and by the reinstatement deadline, and has it on ``today``: that deadline and the
        line of CMEs to submit (``None`` if the rule states no number for this requirement).
        The CMEs counted are the cycle's own, so only ones earned inside it [A5]."""
        if rule is None or self.today <= window.end:
            return None
        due = date_after(window.end, rule.ends)
        if not any(
            c.code in held
            and c.status_on(self.today) in rule.statuses
            and window.end < _in_force_since(c, self.today) <= due
            for c in self.credentials()
        ):
            return None
        step = DatedStep(due=due, description=rule.description, sources=rule.basis.sources)
        needed = dict(rule.credits_for).get(total)
        if needed is None:
            return step, None
        label = f"audit reinstatement: {needed} CMEs (the requirement was {total})"
        return step, _LineSpec(label=label, topics=frozenset(), required=needed, waived=_ZERO)

    def _qualifications(
        self, rule: QualificationsRule | None, last_day: date, held: frozenset[str]
    ) -> tuple[QualificationStep, ...]:
        if rule is None:
            return ()
        return tuple(
            _qualification_step(rule, c, self.today)
            for c in self.credentials()
            if c.code in held and c.earned_on <= last_day and rule.applies_to(c.code, c.earned_on)
        )

    def _accepts_late_credits(self, grace: Grace, window: Window, grace_end: date) -> bool:
        """Whether late credits count: if the grace rule needs a status (ARRT CE probation
        [R7]), a credential of the body must have had it on some day of the grace window up to
        ``today``, whatever its status is now."""
        if not grace.late_credits_count:
            return False
        if grace.only_while is None:
            return True
        first, last = window.end + timedelta(days=1), min(grace_end, self.today)
        return any(grace.only_while in c.statuses_between(first, last) for c in self.credentials())

    def _waivers(
        self, version: RuleVersion, window: Window
    ) -> list[tuple[WaiverUse, WaiverRule | None]]:
        """Waivers granted in this window (by ``today``), with the rule that values them."""
        applied: list[tuple[WaiverUse, WaiverRule | None]] = []
        for waiver in sorted(self.waivers, key=lambda w: (w.granted_on, w.waiver_id)):
            if waiver.granted_on not in window or waiver.granted_on > self.today:
                continue
            rule = next((r for r in version.waivers if r.kind == waiver.kind), None)
            use = (
                WaiverUse(
                    waiver_id=waiver.waiver_id,
                    credits_waived=_ZERO,
                    whole_cycle=False,
                    detail=f"{self.pack.body} grants no {waiver.kind} waiver",
                )
                if rule is None
                else WaiverUse(
                    waiver_id=waiver.waiver_id,
                    credits_waived=rule.credits or _ZERO,
                    whole_cycle=rule.credits is None,
                    detail=waiver.reference,
                    sources=rule.basis.sources,
                )
            )
            applied.append((use, rule))
        return applied


def _in_force_since(held: Credential, day: date) -> date:
    """The day the status ``held`` has on ``day`` took effect (``earned_on`` if never changed)."""
    changes = sorted((c for c in held.status_history[1:] if c.effective_on <= day), key=_on)
    return changes[-1].effective_on if changes else held.earned_on


def _on(change: StatusChange) -> date:
    return change.effective_on


def _reinstatement_unknown(rule: AuditReinstatement | None, total: Decimal) -> Basis:
    sources = rule.basis.sources if rule else ()
    return Basis(
        sources=sources,
        confidence="unconfirmed",
        plain=f"The credits needed to reinstate after a failed audit are not published for a "
        f"requirement of {total}; check with the body.",
        note=f"Reinstatement after a failed audit is stated for requirements of 30 and 60 "
        f"CMEs only; the number for a requirement of {total} is not stated.",
    )


def _qualification_step(
    rule: QualificationsRule, held: Credential, today: date
) -> QualificationStep:
    """The CQR period that matters on ``today``: the first not completed, or the one containing
    ``today``. A missed period stays shown (``missed``) until a completion is recorded or the
    credential's status changes."""
    anchor, k = max(held.earned_on, rule.earned_from), 0
    while True:
        start = add_months(anchor, 12 * rule.period_years * k)
        end = add_months(anchor, 12 * rule.period_years * (k + 1)) - timedelta(days=1)
        opens = add_months(end + timedelta(days=1), -12 * rule.window_years)
        until = add_months(end, 12 * rule.reinstate_years)
        done = [d for d in held.qualifications_completed if opens <= d <= min(until, today)]
        if not (done and today > end):
            break
        k += 1
    completed_on = min(done) if done else None
    status: QualificationStatus = (
        "completed"
        if completed_on
        else "upcoming"
        if today < opens
        else "open"
        if today <= end
        else "missed"
    )
    return QualificationStep(
        code=held.code,
        earned_on=held.earned_on,
        period=Window(start=start, end=end),
        window=Window(start=opens, end=end),
        reinstate_until=until,
        completed_on=completed_on,
        status=status,
        sources=rule.basis.sources,
    )


def _version_for(pack: RulePack, window: Window) -> tuple[RuleVersion, list[Basis]]:
    on = window.start if pack.select_version_by == "cycle_start" else window.end
    in_force = [v for v in pack.versions if v.effective_from is None or v.effective_from <= on]
    if in_force:
        version = in_force[-1]
        return version, list(version.flags)
    oldest = pack.versions[0]
    predates = Basis(
        sources=oldest.basis.sources,
        confidence="unconfirmed",
        plain=f"This cycle is older than the {pack.body} rules we hold; their oldest version "
        "is applied to it.",
        note=f"This cycle predates the oldest modelled {pack.body} rules "
        f"({oldest.effective_from}); those are applied.",
    )
    return oldest, [predates, *oldest.flags]


def _requirement(
    version: RuleVersion, held: frozenset[str], body: Body
) -> tuple[RequirementRow, list[Basis]]:
    """The first table row matching the held set exactly; else, flagged, the most demanding row
    the set satisfies (the conservative default of §8.15)."""
    row = next((r for r in version.requirements if r.matches(held)), None)
    if row is not None:
        return row.for_held(held), [row.basis]
    satisfied = [r for r in version.requirements if r.is_satisfied_by(held)]
    row = max(satisfied, key=lambda r: (r.total, sum(m.credits for m in r.topic_minimums)))
    unlisted = Basis(
        sources=row.basis.sources,
        confidence="unconfirmed",
        plain=f"{body} publishes no requirement for this set of credentials; we apply the most "
        "demanding one that matches.",
        note=f"{body} states no requirement for {' + '.join(sorted(held))}; the most demanding "
        "matching row is applied.",
    )
    return row.for_held(held), [unlisted, row.basis]


def _line_specs(
    row: RequirementRow, window: Window, waivers: list[tuple[WaiverUse, WaiverRule | None]]
) -> list[_LineSpec]:
    """The row's total and topic minimums (all zero in a period needing no credits), with what
    the waivers cover: the total, topic lines only if the waiver rule says so, or everything for
    a whole-cycle waiver."""
    scale = 1 if window.credits_required else 0
    whole_cycle = any(use.whole_cycle for use, _ in waivers)
    waived_total = sum((use.credits_waived for use, _ in waivers), _ZERO)
    waived_topics = sum(
        (use.credits_waived for use, rule in waivers if rule and rule.counts_toward_topics),
        _ZERO,
    )
    lines = [("total", frozenset[Topic](), row.total, waived_total)]
    lines += [(m.label, m.topics, m.credits, waived_topics) for m in row.topic_minimums]
    return [
        _LineSpec(
            label=label,
            topics=topics,
            required=required * scale,
            waived=required * scale if whole_cycle else waived,
        )
        for label, topics, required, waived in lines
    ]


def _line(spec: _LineSpec, admitted: list[_Candidate], limits: _Limits) -> RequirementLine:
    counted = _counted(spec.topics, admitted, limits)
    verified = [c for c in admitted if c.credit.verification == "verified"]
    return RequirementLine(
        label=spec.label,
        topics=spec.topics,
        required=spec.required,
        counted=counted,
        waived=spec.waived,
        shortfall=max(_ZERO, spec.required - counted - spec.waived),
        pending=counted - _counted(spec.topics, verified, limits),
    )


def _screen(
    credit: Credit,
    version: RuleVersion,
    window: Window,
    today: date,
    consumed_before: frozenset[UUID],
    late_until: date | None,
) -> _Candidate | CreditExclusion:
    details = credit.details
    done = details.completed_on
    if credit.retraction_reason is not None:
        return _exclusion(credit, "retracted", credit.retraction_reason)
    if credit.verification == "rejected":
        return _exclusion(credit, "rejected", "the certificate was rejected at verification")
    if done > today:
        return _exclusion(credit, "after_evaluation_date", f"completed {done}, after {today}")
    if credit.credit_id in consumed_before:
        return _exclusion(
            credit, "counted_for_previous_cycle", "made up the previous cycle's shortfall"
        )
    late = done > window.end
    if done < window.start or (late and (late_until is None or done > late_until)):
        return _exclusion(
            credit, "outside_window", f"completed {done}, outside {window.start}..{window.end}"
        )
    attendance = version.full_attendance
    if attendance and details.partial_attendance and done >= attendance.effective_from:
        return _exclusion(
            credit,
            "partial_attendance",
            f"attended in part; from {attendance.effective_from} only activities attended in "
            "full give credit",
            attendance.basis.sources,
        )
    matching = [
        r
        for r in version.acceptance
        if r.matches(details.credit_types, details.activity_kind, _courses_of(details))
    ]
    rule = next((r for r in matching if not r.basis.is_flag), None)
    if rule is None and matching:
        return _exclusion(
            credit, "acceptance_unconfirmed", matching[0].basis.note, matching[0].basis.sources
        )
    if rule is None:
        return _exclusion(
            credit,
            "type_not_accepted",
            f"{', '.join(details.credit_types)} ({details.activity_kind}) is not an accepted type",
        )
    if version.requires_verification and credit.verification != "verified":
        return _exclusion(
            credit, "unverified", f"must be verified first; it is {credit.verification}"
        )
    if rule.academic_rates:
        rates = dict(rule.academic_rates)
        if details.academic is None or details.academic.term not in rates:
            return _exclusion(
                credit,
                "type_not_accepted",
                f"{rule.label}: its academic credit units (semester or quarter) are not recorded",
                rule.basis.sources,
            )
        converted = details.academic.units * rates[details.academic.term]
        credit = msgspec.structs.replace(
            credit, details=msgspec.structs.replace(details, credits=converted)
        )
    return _Candidate(credit, rule, late)


def _activity_keys(details: CreditDetails) -> list[tuple[str, ...]]:
    """What identifies the activity behind a credit: its certificate reference, and its title
    with its provider (case, punctuation and spacing ignored)."""

    def normal(text: str) -> str:
        return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())

    keys: list[tuple[str, ...]] = [("title", normal(details.title), normal(details.provider))]
    if details.certificate_ref and normal(details.certificate_ref):
        keys.append(("certificate", normal(details.certificate_ref)))
    return keys


def _drop_repeats(
    candidates: list[_Candidate], basis: Basis
) -> tuple[list[_Candidate], list[CreditExclusion]]:
    """Keep the first candidate (in completion order) of each activity; leave out the repeats."""
    seen: dict[tuple[str, ...], Credit] = {}
    kept: list[_Candidate] = []
    repeats: list[CreditExclusion] = []
    for candidate in candidates:
        keys = _activity_keys(candidate.credit.details)
        repeated = next((key for key in reversed(keys) if key in seen), None)
        if repeated is None:
            seen.update(dict.fromkeys(keys, candidate.credit))
            kept.append(candidate)
            continue
        same = "certificate reference" if repeated[0] == "certificate" else "title and provider"
        repeats.append(
            _exclusion(
                candidate.credit,
                "duplicate_activity",
                f"repeats the activity completed {seen[repeated].details.completed_on} (same "
                f"{same}); an activity counts once per cycle",
                basis.sources,
            )
        )
    return kept, repeats


def _courses_of(details: CreditDetails) -> frozenset[str] | None:
    """The life-support courses a credit's title names, or None (not known) if it names none:
    a credit declared as a life-support course without naming it is taken as declared."""
    return named_courses(details.title) or None


def _unconfirmed_acceptance(version: RuleVersion, refused: list[Credit]) -> list[Basis]:
    """The unconfirmed acceptance rules that kept ``refused`` credits from counting."""
    return [
        rule.basis
        for rule in version.acceptance
        if rule.basis.is_flag
        and any(
            rule.matches(c.details.credit_types, c.details.activity_kind, _courses_of(c.details))
            for c in refused
        )
    ]


def _exclusion(
    credit: Credit, reason: ExclusionReason, detail: str, sources: tuple[str, ...] = ()
) -> CreditExclusion:
    return CreditExclusion(
        credit_id=credit.credit_id,
        credits=credit.details.credits,
        reason=reason,
        detail=detail,
        sources=sources,
    )


class _Limits(NamedTuple):
    """What limits the credits counted in a cycle: caps by activity kind, and the row's cap on
    credits outside a topic."""

    kinds: dict[ActivityKind, Cap]
    outside: OutsideTopicCap | None


def _kind_capped(matched: list[CreditDetails], kinds: dict[ActivityKind, Cap]) -> Decimal:
    uncapped = sum((d.credits for d in matched if d.activity_kind not in kinds), _ZERO)
    per_kind = {
        kind: sum((d.credits for d in matched if d.activity_kind == kind), _ZERO) for kind in kinds
    }
    capped = sum((min(cap.max_credits, per_kind[kind]) for kind, cap in kinds.items()), _ZERO)
    return uncapped + capped


def _counted(topics: frozenset[Topic], admitted: list[_Candidate], limits: _Limits) -> Decimal:
    """Credits counted toward a line: every admitted credit tagged with all ``topics``, each
    capped kind limited to its cap within this line, and what the ones not tagged with the
    row's outside-topic cap's topic add beyond that cap taken off."""
    matched = [c.credit.details for c in admitted if topics <= frozenset(c.credit.details.topics)]
    counted = _kind_capped(matched, limits.kinds)
    outside = limits.outside
    if outside is None:
        return counted
    off_topic = _kind_capped([d for d in matched if outside.topic not in d.topics], limits.kinds)
    return counted - max(_ZERO, off_topic - outside.max_credits)


def _admit_make_up(
    specs: list[_LineSpec], candidates: list[_Candidate], limits: _Limits
) -> tuple[list[_Candidate], list[CreditExclusion]]:
    """All in-window candidates, plus late ones (in completion order) while each still reduces a
    line's shortfall; the other late ones are left to the next cycle."""

    def shortfalls(credits: list[_Candidate]) -> list[Decimal]:
        return [
            max(_ZERO, s.required - s.waived - _counted(s.topics, credits, limits)) for s in specs
        ]

    admitted = [c for c in candidates if not c.late]
    not_needed: list[CreditExclusion] = []
    for late in (c for c in candidates if c.late):
        with_it, without = shortfalls([*admitted, late]), shortfalls(admitted)
        if any(a < b for a, b in zip(with_it, without, strict=True)):
            admitted.append(late)
        else:
            not_needed.append(
                _exclusion(
                    late.credit,
                    "outside_window",
                    "completed after the cycle end and not needed to make up its shortfall",
                )
            )
    return admitted, not_needed


def _allocate(
    admitted: list[_Candidate], limits: _Limits
) -> tuple[list[CreditUse], list[CreditExclusion]]:
    """Split each admitted credit into the part counted and the part over its kind's cap or
    the row's outside-topic cap, in completion order."""
    room = {kind: cap.max_credits for kind, cap in limits.kinds.items()}
    outside = limits.outside
    off_topic_room = outside.max_credits if outside else _ZERO
    used: list[CreditUse] = []
    over: list[CreditExclusion] = []
    for candidate in admitted:
        details = candidate.credit.details
        kind = details.activity_kind
        by_kind = min(details.credits, room.get(kind, details.credits))
        counted = by_kind
        if outside is not None and outside.topic not in details.topics:
            counted = min(by_kind, off_topic_room)
            off_topic_room -= counted
        if kind in room:
            room[kind] -= counted
        if counted:
            used.append(
                CreditUse(
                    credit_id=candidate.credit.credit_id,
                    credits_counted=counted,
                    admitted_by=candidate.rule.label,
                    sources=candidate.rule.basis.sources,
                    make_up=candidate.late,
                )
            )
        if counted < details.credits:
            over.append(_over_cap(candidate.credit, details.credits - counted, by_kind, limits))
    return used, over


def _over_cap(
    credit: Credit, left_out: Decimal, by_kind: Decimal, limits: _Limits
) -> CreditExclusion:
    details = credit.details
    if by_kind < details.credits:
        cap = limits.kinds[details.activity_kind]
        detail = (
            f"at most {cap.max_credits} {details.activity_kind.replace('_', ' ')} credits "
            "count per cycle"
        )
        sources = cap.basis.sources
    else:
        outside = limits.outside
        assert outside is not None  # only these two caps cut a credit
        detail = (
            f"at most {outside.max_credits} credits outside {outside.topic.replace('_', ' ')} "
            "count per cycle"
        )
        sources = outside.basis.sources
    return CreditExclusion(
        credit_id=credit.credit_id,
        credits=left_out,
        reason="over_cap",
        detail=detail,
        sources=sources,
    )


def status_on(obligation: Obligation, today: date, *, count_pending: bool = True) -> Status:
    """The obligation's status on ``today``, from its stored numbers alone. Equal to what
    ``evaluate`` (with the same ``count_pending``) says on any day up to ``unchanged_through``
    (see there)."""
    return _status(
        obligation.lines, obligation.window, today, obligation.in_grace_until, count_pending
    )


def unchanged_through(
    person: Person,
    credits: Iterable[Credit],
    waivers: Iterable[Waiver],
    obligations: Sequence[Obligation],
    *,
    evaluated_on: date,
    rule_packs: Sequence[Pack],
) -> date:
    """The last day through which ``evaluate`` over these inputs returns ``obligations`` (its
    result on ``evaluated_on``) with only each status changed, as ``status_on`` gives it.

    After it, a current window ends (the cycles roll over). A body whose first window has not
    started yet, or anything dated after ``evaluated_on`` (its exclusion names that day), makes
    the result valid on ``evaluated_on`` only.
    """
    bodies = {o.body for o in obligations}
    waiting = any(
        c.body not in bodies and c.status_on(evaluated_on) in STATUSES_WITH_CE_OBLIGATION
        for pack in rule_packs
        if isinstance(pack, RulePack)
        for c in person.credentials
        if c.body == pack.body and pack.covers(c.code)
    )
    dates = [
        *(c.earned_on for c in person.credentials),
        *(change.effective_on for c in person.credentials for change in c.status_history),
        *(day for c in person.credentials for day in c.qualifications_completed),
        *(c.details.completed_on for c in credits),
        *(w.granted_on for w in waivers),
    ]
    if waiting or any(day > evaluated_on for day in dates):
        return evaluated_on
    ends = [o.window.end for o in obligations if o.period == "current"]
    ends += [o.reinstatement.due for o in obligations if o.reinstatement]
    for o in obligations:
        for step in o.qualifications:
            ends += [step.window.start - timedelta(days=1), step.window.end, step.period.end]
    return min((day for day in ends if day >= evaluated_on), default=date.max)


def _status(
    lines: tuple[RequirementLine, ...],
    window: Window,
    today: date,
    in_grace_until: date | None,
    count_pending: bool,
) -> Status:
    """``compliant`` with no shortfall; ``compliant_pending_verification`` if only the pending
    credits, not counted, make one; after the cycle end ``in_grace`` up to ``in_grace_until``,
    then ``overdue``; before it, ``pace_status`` (``domain.compliance.status.AT_RISK_RULE``)."""
    short = [line for line in lines if line.shortfall_counting(pending=count_pending)]
    if not short:
        return "compliant"
    if not any(line.shortfall for line in lines):
        return "compliant_pending_verification"
    if today > window.end:
        return "in_grace" if in_grace_until is not None and today <= in_grace_until else "overdue"
    counted = [
        (
            line.counted - (_ZERO if count_pending else line.pending),
            line.shortfall_counting(pending=count_pending),
        )
        for line in short
    ]
    return pace_status(counted, start=window.start, end=window.end, today=today)


def _unique_flags(flags: Iterable[Basis]) -> tuple[Basis, ...]:
    unique: list[Basis] = []
    for flag in flags:
        if flag.is_flag and flag not in unique:
            unique.append(flag)
    return tuple(unique)
