"""Building a mail: the template's own context plus the footer every mail shares (why the member
gets it and, for optional mail, the one-click unsubscribe link of its category)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.notifications.preferences import MailCategory
from services.core.mail import Message
from services.core.mail_templates import portal_link, render_mail
from services.core.notifications.preferences import UnsubscribeLink, unsubscribe_url
from services.core.settings import Settings

CATEGORY_LABELS: Mapping[MailCategory, str] = {
    "deadline_reminders": "deadline reminders",
    "weekly_digest": "the weekly digest",
    "certificate_notifications": "certificate notifications",
}


def compose(
    template: str,
    *,
    settings: Settings,
    to: str,
    subject: str,
    organisation: str,
    reason: str,
    context: Mapping[str, Any],
    unsubscribe: UnsubscribeLink | None = None,
    message_id: str | None = None,
) -> Message:
    """The mail ``template`` renders; optional mail names its ``unsubscribe`` link (mandatory
    mail has none)."""
    return render_mail(
        template,
        to=to,
        subject=subject,
        context={
            **context,
            "organisation": organisation,
            "reason": reason,
            "category_label": CATEGORY_LABELS[unsubscribe.category] if unsubscribe else "",
            "preferences_url": portal_link(settings.public_url, "profile"),
        },
        unsubscribe_url=None
        if unsubscribe is None
        else unsubscribe_url(settings.public_url, settings.secret_key, unsubscribe),
        message_id=message_id,
    )
