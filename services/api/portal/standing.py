"""What the dashboard shows per obligation: progress, days left, the chart, and the status said in
plain words. Every number comes from the obligation's explanation (``queries.my_obligations``);
nothing is re-evaluated here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.compliance.evaluation import Obligation, RequirementLine
from domain.compliance.standing import describe
from domain.compliance.status import URGENCY
from services.api.portal.chart import Chart, credit_chart
from services.core.credits.views import Credit
from services.core.people.use_cases import Standing


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


def obligation_card(
    o: Obligation, credits: Mapping[UUID, Credit], today: date, *, count_pending: bool
) -> ObligationCard:
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
        explanation=explain(o, today, count_pending=count_pending),
        chart=chart,
    )


def cards(
    obligations: Sequence[Obligation],
    credits: Sequence[Credit],
    today: date,
    *,
    count_pending: bool,
) -> tuple[list[ObligationCard], list[ObligationCard]]:
    """The current cycles' cards, most urgent first, and the previous cycles' cards."""
    by_id = {credit.credit_id: credit for credit in credits}
    built = [obligation_card(o, by_id, today, count_pending=count_pending) for o in obligations]
    current = sorted(
        (c for c in built if c.obligation.period == "current"),
        key=lambda c: (URGENCY[c.obligation.status], c.obligation.deadline),
    )
    return current, [c for c in built if c.obligation.period == "previous"]


def standing_shown(found: Standing) -> dict[str, Any]:
    """What the dashboard and a person's staff page both show of a standing: the status per
    body, the cards of the current and of the previous cycles, the credentials not evaluated
    and the day."""
    today = found.today
    current, previous = cards(
        found.obligations, found.credits, today, count_pending=found.count_pending
    )
    return {
        "standings": found.standings,
        "current": current,
        "previous": previous,
        "unsupported": found.unsupported,
        "today": today,
    }


def explain(o: Obligation, today: date, *, count_pending: bool) -> str:
    """The status of ``o`` (as computed for ``today``) in plain sentences: the domain's words."""
    return describe(o.status, o, today, count_pending=count_pending)


def _percent(line: RequirementLine) -> int:
    if line.required <= 0:
        return 100
    return min(100, math.floor((line.counted + line.waived) * 100 / line.required))
