"""A person's standing with each certifying body: the one status every view shows.

``standings`` picks, per body, the cycle that needs action now: a cycle that ended short stays
the standing (``in_grace``, then ``overdue``) until it is made up, the credential is reinstated
(its obligation then no longer appears) or it lapses; otherwise the current cycle. Statuses and
their words come from ``domain.compliance.status``; the status is computed here for the day
asked, never read from a stored obligation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.compliance.evaluation import Obligation, status_on
from domain.compliance.rules import Basis
from domain.compliance.sources import flags_by_body
from domain.compliance.status import STATUS_TEXT, URGENCY, Status
from domain.people.credentials import STATUSES_WITH_CE_OBLIGATION, Body
from domain.people.person import Person

_ZERO = Decimal(0)
_DAYS_PER_MONTH = Decimal("30.44")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Standing(msgspec.Struct, frozen=True, kw_only=True):
    """Where a person stands with one body on ``today``."""

    person_id: UUID
    body: Body
    status: Status
    sentence: str
    """The status said for this person: numbers, dates and what counts."""
    next_action: str
    obligation: Obligation | None
    """The cycle the standing rests on (``None`` when ``lapsed``)."""
    shortfall: Decimal
    """Credits still missing on the total line, as the organisation counts them."""
    verified: Decimal
    """Credits counted on the total line whose certificate is verified (or approved)."""
    pending: Decimal
    """Credits counted on the total line still awaiting a certificate check."""
    flags: tuple[Basis, ...] = ()
    """The open questions of the body's cycles, each once (``sources.flags_by_body``)."""

    @property
    def deadline(self) -> date | None:
        return self.obligation.deadline if self.obligation else None


def standings(
    person: Person,
    obligations: Iterable[Obligation],
    *,
    today: date,
    count_pending: bool,
) -> list[Standing]:
    """One standing per body the person has obligations with (in their order), then one
    ``lapsed`` standing per body whose every credential held by ``today`` has a status without
    a CE obligation other than retired or emeritus (lapsed, inactive, suspended, revoked)."""
    by_body: dict[Body, list[Obligation]] = {}
    for o in obligations:
        by_body.setdefault(o.body, []).append(o)
    found = [
        _standing(body, cycles, today, count_pending, person.person_id)
        for body, cycles in by_body.items()
    ]
    held = [c for c in person.credentials if c.earned_on <= today and c.body not in by_body]
    for body in dict.fromkeys(c.body for c in held):
        statuses = {c.status_on(today) for c in held if c.body == body}
        if statuses and not statuses & (STATUSES_WITH_CE_OBLIGATION | {"retired"}):
            found.append(_lapsed(person.person_id, body))
    return found


def people_by_status(people: Iterable[Iterable[Status]]) -> dict[Status, int]:
    """How many of the people (each given by their standings' statuses) have a standing of
    each status: what the overview's tiles, the API summary, the report and the digest count
    (someone in two statuses with two bodies counts under both)."""
    return dict(Counter(status for each in people for status in set(each)))


def standing_status(
    obligations: Sequence[Obligation], *, today: date, count_pending: bool
) -> tuple[Status, Obligation]:
    """The status of one body's obligations and the cycle it comes from: the most urgent of
    the cycles, a cycle that ended short before the current one."""
    rated = [(status_on(o, today, count_pending=count_pending), o) for o in obligations]
    return min(rated, key=lambda r: (URGENCY[r[0]], r[1].period != "previous", r[1].deadline))


def _standing(
    body: Body, cycles: list[Obligation], today: date, count_pending: bool, person_id: UUID
) -> Standing:
    status, cycle = standing_status(cycles, today=today, count_pending=count_pending)
    total = cycle.lines[0]
    return Standing(
        person_id=person_id,
        body=body,
        status=status,
        sentence=describe(status, cycle, today, count_pending=count_pending),
        next_action=STATUS_TEXT[status].next_action,
        obligation=cycle,
        shortfall=total.shortfall_counting(pending=count_pending),
        verified=total.counted - total.pending,
        pending=total.pending,
        flags=flags_by_body(cycles).get(body, ()),
    )


def _lapsed(person_id: UUID, body: Body) -> Standing:
    text = STATUS_TEXT["lapsed"]
    return Standing(
        person_id=person_id,
        body=body,
        status="lapsed",
        sentence=text.sentence,
        next_action=text.next_action,
        obligation=None,
        shortfall=_ZERO,
        verified=_ZERO,
        pending=_ZERO,
    )


def describe(status: Status, o: Obligation, today: date, *, count_pending: bool) -> str:
    """One cycle's ``status`` on ``today`` in one or two plain sentences, with its numbers."""
    if not o.window.credits_required:
        return "No credits are required in this first period; the next cycle counts."
    end = day_text(o.window.end)
    missing = _missing(o, count_pending)
    match status:
        case "compliant":
            return f"Every requirement of the cycle ending {end} is met."
        case "compliant_pending_verification":
            pending = o.lines[0].pending
            return (
                f"Would be compliant once {amount_text(pending)} awaiting a certificate check "
                f"{'is' if pending == 1 else 'are'} verified (cycle ending {end})."
            )
        case "in_grace":
            until = o.in_grace_until or o.window.end
            if o.late_credits_until is not None:
                return (
                    f"The cycle ended on {end} with {missing} missing. Credits completed by "
                    f"{day_text(o.late_credits_until)} still count for it."
                )
            return (
                f"The cycle ended on {end} with {missing} missing. The grace period runs to "
                f"{day_text(until)}; credits earned in it do not count for the ended cycle."
            )
        case "overdue":
            text = f"The cycle ended on {end} with {missing} missing."
            if o.reinstatement is not None and today <= o.reinstatement.due:
                text += f" {o.reinstatement.description} (by {day_text(o.reinstatement.due)})."
            return text
        case "at_risk":
            days = (o.window.end - today).days
            months = max(Decimal(days) / _DAYS_PER_MONTH, Decimal(1))
            per_month = Decimal(math.ceil(o.lines[0].shortfall / months * 4)) / 4
            return (
                f"{_capital(missing)} still to earn in {days} days (by {end}): plan on about "
                f"{credits_text(per_month)} credits a month."
            )
        case _:
            return f"{_capital(missing)} still to earn by {end}; there is time."


def _missing(o: Obligation, count_pending: bool) -> str:
    total, *topics = o.lines
    short = total.shortfall_counting(pending=count_pending)
    shown = credits_text if short else amount_text
    parts = [
        f"{shown(t.shortfall_counting(pending=count_pending))} in {t.label}"
        for t in topics
        if t.shortfall_counting(pending=count_pending)
    ]
    if not short:
        return " and ".join(parts)
    text = amount_text(short)
    return f"{text}, including {', '.join(parts)}" if parts else text


def day_text(day: date) -> str:
    """A day as people write it: 2 Oct 2026."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def credits_text(amount: Decimal) -> str:
    """A credit amount without trailing zeros: 30, 1.25, 0.5."""
    return f"{amount.normalize():f}"


def amount_text(amount: Decimal) -> str:
    return f"{credits_text(amount)} credit{'' if amount == 1 else 's'}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
