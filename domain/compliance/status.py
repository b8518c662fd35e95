"""The one status vocabulary of CME Ledger, and the rule that says when a cycle is at risk.

Every view (overview tiles, staff filters and badges, person page, dashboard, mail, report,
transcripts, API) speaks of a person's standing with a certifying body in these words only;
``STATUS_TEXT`` gives each status its label, a plain sentence and the next action.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Literal

import msgspec

from domain.compliance.cycles import add_months

Status = Literal[
    "compliant",
    "compliant_pending_verification",
    "on_track",
    "at_risk",
    "in_grace",
    "overdue",
    "lapsed",
]
"""Of one cycle, and of a person's standing with one body (``domain.compliance.standing``):

- ``compliant``: every requirement is met by the credits that count.
- ``compliant_pending_verification``: met only if credits whose certificate is not verified
  (or approved on review) yet are counted, and the organisation does not count them.
- ``on_track``: credits are missing, but not at risk (see ``pace_status``).
- ``at_risk``: credits are missing and the deadline is near (see ``pace_status``).
- ``in_grace``: the cycle ended short and the body's grace period after it is still open.
- ``overdue``: the cycle ended short and no grace period is open.
- ``lapsed``: the body's credentials are lapsed, inactive, suspended or revoked, so no cycle
  runs (a standing only; a cycle never has it).
"""

STATUSES: tuple[Status, ...] = (
    "overdue",
    "in_grace",
    "at_risk",
    "lapsed",
    "compliant_pending_verification",
    "on_track",
    "compliant",
)
"""Every status, most urgent first: the order of tiles, cards and report summaries."""

URGENCY: Mapping[Status, int] = {status: rank for rank, status in enumerate(STATUSES)}

AT_RISK_DAYS = 90
"""Fewer days than this left to a deadline with credits missing: at risk, whatever the pace."""
AT_RISK_HORIZON_MONTHS = 12
"""A deadline further away than this is on track, however slow the start."""

AT_RISK_RULE = (
    "A cycle with credits still missing is at risk when fewer than 90 days remain to its "
    "deadline, or when its deadline is within 12 months and the credits still needed exceed "
    "what the person's own pace so far (credits counted per day since the cycle started) earns "
    "by the deadline. Otherwise it is on track: a cycle ending more than 12 months from now is "
    "on track however slow the start."
)


class StatusText(msgspec.Struct, frozen=True, kw_only=True):
    label: str
    sentence: str
    next_action: str


STATUS_TEXT: Mapping[Status, StatusText] = {
    "compliant": StatusText(
        label="Compliant",
        sentence="Every requirement of the cycle is met.",
        next_action="Nothing to do until the next cycle.",
    ),
    "compliant_pending_verification": StatusText(
        label="Compliant once verified",
        sentence="The requirement is met only if credits still awaiting a certificate check "
        "are counted; a registry audit asks for the certificates.",
        next_action="Upload the missing certificates or have the pending ones checked.",
    ),
    "on_track": StatusText(
        label="On track",
        sentence="Credits are still missing, but there is time to earn them.",
        next_action="Keep earning credits.",
    ),
    "at_risk": StatusText(
        label="At risk",
        sentence="Credits are missing and the deadline is near.",
        next_action="Plan the missing credits now.",
    ),
    "in_grace": StatusText(
        label="In grace period",
        sentence="The cycle ended with credits missing and the body's grace period is open.",
        next_action="Renew with the body before the grace period ends.",
    ),
    "overdue": StatusText(
        label="Overdue",
        sentence="The cycle ended with credits missing and no grace period is left.",
        next_action="Contact the body about reinstatement.",
    ),
    "lapsed": StatusText(
        label="Lapsed",
        sentence="The credential is lapsed or inactive, so no CE cycle runs.",
        next_action="Reinstate the credential with the body, or record its new status.",
    ),
}


def pace_status(
    lines: Iterable[tuple[Decimal, Decimal]], *, start: date, end: date, today: date
) -> Literal["on_track", "at_risk"]:
    """``AT_RISK_RULE`` for a cycle ``start``..``end`` that has not ended on ``today``, from
    each short line's (credits counted, credits still needed)."""
    remaining = (end - today).days
    if remaining < AT_RISK_DAYS:
        return "at_risk"
    if end > add_months(today, AT_RISK_HORIZON_MONTHS):
        return "on_track"
    elapsed = (today - start).days + 1
    behind = any(counted * remaining < needed * elapsed for counted, needed in lines if needed)
    return "at_risk" if behind else "on_track"
