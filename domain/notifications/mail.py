"""The record of mail: each mail is queued by an event (the decision to send it, made once) and
marked sent by another once the mail server accepted it. Events name the recipient by user id
and hold no mail text.

Mail ids are derived from what the mail is about (see ``services.core.notifications``), so a
decision taken again (a retried job, a second scheduler) finds its mail already queued.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

import msgspec

from domain.people.credentials import Body
from domain.shared.event import Event

NotificationKind = Literal[
    "certificate_verified",
    "certificate_needs_review",
    "certificate_rejected",
    "auditor_access_granted",
    "auditor_access_changed",
    "payment_overdue",
]


class ReminderItem(msgspec.Struct, frozen=True, kw_only=True):
    """One obligation a reminder is about, as it stood on the run's day."""

    body: Body
    window_end: date
    deadline: date
    threshold: int | None
    """The threshold crossed (days before the deadline); None: an overdue reminder."""
    days_left: int
    """Negative once overdue."""
    shortfall: Decimal


class ReminderQueued(Event, frozen=True, kw_only=True, tag="notifications.ReminderQueued"):
    """A deadline reminder for ``person_id``, mailed to their account ``user_id``: one mail per
    person and run day, covering every obligation with a reminder due."""

    mail_id: UUID
    user_id: UUID
    person_id: UUID
    run_on: date
    items: tuple[ReminderItem, ...]


class ManualReminderQueued(
    Event, frozen=True, kw_only=True, tag="notifications.ManualReminderQueued"
):
    """A reminder an owner or admin (``sent_by``) sent ``person_id`` on ``sent_on``, mailed to
    their account ``user_id``, listing every cycle of theirs still short."""

    mail_id: UUID
    user_id: UUID
    person_id: UUID
    sent_by: UUID
    sent_on: date
    items: tuple[ReminderItem, ...]


class DigestQueued(Event, frozen=True, kw_only=True, tag="notifications.DigestQueued"):
    """The weekly digest of the week of ``week_of`` (its scheduled day) for an owner or admin."""

    mail_id: UUID
    user_id: UUID
    week_of: date


class NotificationQueued(Event, frozen=True, kw_only=True, tag="notifications.NotificationQueued"):
    """A notification about the event ``cause_event_id`` (a certificate outcome, an auditor's
    access)."""

    mail_id: UUID
    user_id: UUID
    kind: NotificationKind
    cause_event_id: UUID


class MailSent(Event, frozen=True, kw_only=True, tag="notifications.MailSent"):
    """The mail server accepted the mail ``mail_id``."""

    mail_id: UUID


MAIL_QUEUED_EVENTS: tuple[type[Event], ...] = (
    ReminderQueued,
    ManualReminderQueued,
    DigestQueued,
    NotificationQueued,
)
MAIL_EVENTS: tuple[type[Event], ...] = (*MAIL_QUEUED_EVENTS, MailSent)
