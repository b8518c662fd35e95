"""The invitation mail. Mandatory, and sent by whoever invites, at once: the link's secret exists
only in that request (the history keeps its hash), so no later job could write the link."""

from __future__ import annotations

from collections.abc import Mapping

from domain.organisations.organisation import Role
from services.core.mail import Message
from services.core.notifications.compose import compose
from services.core.organisation.handlers import Invited
from services.core.settings import Settings

ROLE_LABELS: Mapping[Role, str] = {
    "owner": "an owner",
    "admin": "an admin",
    "auditor": "an auditor (read-only)",
    "employee": "a member of staff",
}


def invitation_message(settings: Settings, *, organisation: str, invited: Invited) -> Message:
    link = f"{settings.public_url.rstrip('/')}/accept-invitation?token={invited.token}"
    return compose(
        "invitation",
        settings=settings,
        to=invited.email,
        subject=f"You are invited to join {organisation} on CME Ledger",
        organisation=organisation,
        reason=f"You receive this because someone at {organisation} invited this address.",
        context={
            "role_label": ROLE_LABELS[invited.role],
            "link": link,
            "expires_at": invited.expires_at.date(),
        },
        message_id=str(invited.invitation_id),
    )
