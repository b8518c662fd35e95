"""Exports recorded in each tenant's chain: who took away whose transcript, in which form.

Recorded on the exporting member's access stream (``access-<user id>``) before the file is sent.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from domain.people.credentials import Body
from domain.shared.event import Event

ExportFormat = Literal["csv", "pdf"]
Period = Literal["current", "previous"]


class TranscriptExported(Event, frozen=True, kw_only=True, tag="audits.TranscriptExported"):
    user_id: UUID
    person_id: UUID
    format: ExportFormat
    body: Body | None = None
    """The body the transcript was limited to, if any."""
    period: Period | None = None
    """The period the transcript was limited to, if any."""


EXPORT_EVENTS: list[type[Event]] = [TranscriptExported]
