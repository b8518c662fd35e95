"""Exports recorded in each tenant's chain: who took away whose transcript, in which form, and
who took away the organisation's audit bundle.

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


class AuditBundleExported(Event, frozen=True, kw_only=True, tag="audits.AuditBundleExported"):
    """The organisation's audit bundle was built for ``user_id``; the bundle's history ends with
    this very event, so every bundle carries the record of its own export."""

    user_id: UUID
    format_version: int
    """The layout of the bundle (``manifest.json`` says it too)."""


EXPORT_EVENTS: list[type[Event]] = [TranscriptExported, AuditBundleExported]
