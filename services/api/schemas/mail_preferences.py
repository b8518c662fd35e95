"""A member's mail preferences, as answered and as changed."""

from __future__ import annotations

import msgspec

from domain.notifications.preferences import MandatoryMail


class MailPreferencesView(msgspec.Struct, frozen=True, kw_only=True):
    deadline_reminders: bool
    """Reminders as a deadline with a shortfall comes near, and while it is overdue."""
    weekly_digest: bool
    """Owners and admins: the organisation's weekly summary."""
    certificate_notifications: bool
    """When a certificate of yours is verified, needs review or is rejected."""
    always_sent: list[MandatoryMail]
    """Mail sent whatever these preferences say."""


class MailPreferencesUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The categories to turn on (true) or off (false); those left out stay as they are. An
    unknown name is refused, so a misspelt category never seems to have been turned off."""

    deadline_reminders: bool | None = None
    weekly_digest: bool | None = None
    certificate_notifications: bool | None = None
