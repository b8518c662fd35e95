"""What the dashboard shows per obligation: progress, days left, the chart, and the status said in
plain words. Every number comes from the obligation's explanation (``queries.my_obligations``);
nothing is re-evaluated here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.compliance.evaluation import AT_RISK_DAYS, Obligation, RequirementLine, Status
from domain.credits.credit import Credit
from services.api.portal.chart import Chart, credit_chart
from services.core.mail_templates import credits_text, day_text

URGENCY: Mapping[Status, int] = {
    "overdue": 0,
    "in_grace": 1,
    "at_risk": 2,
    "on_track": 3,
    "compliant": 4,
}
"""Order of the cards: what needs action first."""

_DAYS_PER_MONTH = Decimal("30.44")


@dataclass(frozen=True)
class ObligationCard:
    obligation: Obligation
    total: RequirementLine
    topic_lines: tuple[RequirementLine, ...]
    percent: int
    """Of the total line: counted and waived against required, 0-100."""
    days_left: int
    """Days from today to the deadline (negative once it has passed)."""
    explanation: str
    chart: Chart | None
    """None when the cycle needs no credits (CCI's first period)."""


def obligation_card(o: Obligation, credits: Mapping[UUID, Credit], today: date) -> ObligationCard:
    """The card of ``o`` on ``today``; ``credits``: the person's, by id (the chart's days)."""
    total, *topic_lines = o.lines
    chart = None
    if o.window.credits_required:
        chart = credit_chart(
            start=o.window.start,
            end=o.window.end,
            target=max(total.required - total.waived, Decimal(0)),
            earned=[
                (credits[use.credit_id].details.completed_on, use.credits_counted)
                for use in o.used
                if use.credit_id in credits
            ],
            today=today,
        )
    return ObligationCard(
        obligation=o,
        total=total,
        topic_lines=tuple(topic_lines),
        percent=_percent(total),
        days_left=(o.deadline - today).days,
        explanation=explain(o, today),
        chart=chart,
    )


def cards(
    obligations: list[Obligation], credits: list[Credit], today: date
) -> tuple[list[ObligationCard], list[ObligationCard]]:
    """The current cycles' cards, most urgent first, and the previous cycles' cards."""
    by_id = {credit.credit_id: credit for credit in credits}
    built = [obligation_card(o, by_id, today) for o in obligations]
    current = sorted(
        (c for c in built if c.obligation.period == "current"),
        key=lambda c: (URGENCY[c.obligation.status], c.obligation.deadline),
    )
    return current, [c for c in built if c.obligation.period == "previous"]


def explain(o: Obligation, today: date) -> str:
    """The status of ``o`` on ``today`` in one or two plain sentences."""
    if not o.window.credits_required:
        return "No credits are required in this first period; the next cycle counts."
    missing = _missing(o.lines)
    end = day_text(o.window.end)
    match o.status:
        case "compliant":
            return "Every requirement of this cycle is met."
        case "in_grace":
            until = day_text(o.late_credits_until) if o.late_credits_until else end
            return (
                f"The cycle ended on {end} with {missing} missing. Credits you complete by"
                f" {until} still count for it."
            )
        case "overdue":
            text = f"The cycle ended on {end} with {missing} missing."
            if o.reinstatement is not None and today <= o.reinstatement.due:
                text += f" {o.reinstatement.description} (by {day_text(o.reinstatement.due)})."
            return text
    remaining = (o.window.end - today).days
    if o.status == "on_track":
        return f"{_capital(missing)} still to earn by {end}. At your pace so far you will make it."
    if remaining < AT_RISK_DAYS:
        return f"Only {remaining} days are left to earn {missing} (by {end})."
    per_month = o.lines[0].shortfall / max(remaining / _DAYS_PER_MONTH, Decimal(1))
    return (
        f"At your pace so far you would not earn {missing} by {end}. Plan on about"
        f" {_round_up_quarter(per_month)} credits a month."
    )


def _missing(lines: tuple[RequirementLine, ...]) -> str:
    total, *topics = lines
    if not total.shortfall:
        return " and ".join(f"{_amount(t.shortfall)} in {t.label}" for t in topics if t.shortfall)
    parts = [f"{credits_text(t.shortfall)} in {t.label}" for t in topics if t.shortfall]
    text = _amount(total.shortfall)
    return f"{text}, including {', '.join(parts)}" if parts else text


def _amount(credits: Decimal) -> str:
    return f"{credits_text(credits)} credit{'' if credits == 1 else 's'}"


def _percent(line: RequirementLine) -> int:
    if line.required <= 0:
        return 100
    return min(100, math.floor((line.counted + line.waived) * 100 / line.required))


def _round_up_quarter(amount: Decimal) -> str:
    return credits_text(Decimal(math.ceil(amount * 4)) / 4)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
