"""A member's mail preferences in one organisation: which optional mail they receive.

Everything is on until the member turns it off (in their settings or by a one-click unsubscribe
link). Mandatory mail (password reset, email verification, invitations, auditor access) is not
a category and cannot be turned off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from domain.shared.event import Event

MailCategory = Literal["deadline_reminders", "weekly_digest", "certificate_notifications"]
MAIL_CATEGORIES: tuple[MailCategory, ...] = (
    "deadline_reminders",
    "weekly_digest",
    "certificate_notifications",
)
MandatoryMail = Literal[
    "password_reset", "email_verification", "invitation", "auditor_access", "billing"
]
MANDATORY_MAIL: tuple[MandatoryMail, ...] = (
    "password_reset",
    "email_verification",
    "invitation",
    "auditor_access",
    "billing",
)
ChangedVia = Literal["settings", "unsubscribe_link"]


class MailPreferences(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    opted_out: frozenset[MailCategory] = frozenset()

    def wants(self, category: MailCategory) -> bool:
        return category not in self.opted_out


class MailPreferencesChanged(
    Event, frozen=True, kw_only=True, tag="notifications.MailPreferencesChanged"
):
    """The member's preferences as they now are: ``opted_out`` lists every category turned off
    (sorted), ``via`` where the change was made."""

    user_id: UUID
    opted_out: tuple[MailCategory, ...]
    via: ChangedVia


PREFERENCE_EVENTS: tuple[type[Event], ...] = (MailPreferencesChanged,)


class ChangeMailPreferences(msgspec.Struct, frozen=True, kw_only=True):
    """Turn categories on (True) or off (False); categories not named stay as they are."""

    user_id: UUID
    wanted: Mapping[MailCategory, bool]
    via: ChangedVia


def decide_change_mail_preferences(
    state: MailPreferences | None,
    command: ChangeMailPreferences,
    *,
    now: datetime,
    ids: Callable[[], UUID],
) -> list[Event]:
    """One event with the new preferences, or none when nothing changes (an unsubscribe link
    used twice records one change)."""
    before = state.opted_out if state is not None else frozenset()
    turned_off = {category for category, on in command.wanted.items() if not on}
    turned_on = {category for category, on in command.wanted.items() if on}
    after = (before - turned_on) | turned_off
    if after == before:
        return []
    return [
        MailPreferencesChanged(
            user_id=command.user_id, opted_out=tuple(sorted(after)), via=command.via
        )
    ]


def evolve(state: MailPreferences | None, event: Event) -> MailPreferences:
    if isinstance(event, MailPreferencesChanged):
        return MailPreferences(user_id=event.user_id, opted_out=frozenset(event.opted_out))
    raise TypeError(f"not a mail preferences event: {type(event).__name__}")
