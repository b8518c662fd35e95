"""Notifications about events members care about: a certificate's verification outcome (to the
person it belongs to, optional) and an auditor's access being granted or changed (to the
auditor, mandatory). One mail per event and recipient: its id derives from both."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from domain.credits.verification import (
    CertificateNeedsReview,
    CertificateRejected,
    CertificateVerified,
)
from domain.notifications.mail import NotificationKind, NotificationQueued
from domain.organisations.organisation import AuditorAccessChanged, MemberAdded
from services.core.accounts.identity import email_of
from services.core.db import Tx
from services.core.eventsourcing.store import EventStore, Metadata, RecordedEvent
from services.core.mail_templates import day_text, portal_link
from services.core.notifications.compose import compose
from services.core.notifications.outbox import mail_id_for, queue_mail
from services.core.notifications.preferences import UnsubscribeLink, mail_preferences
from services.core.organisation.queries import organisation_name
from services.core.settings import Settings

CERTIFICATE_OUTCOMES: Mapping[type, NotificationKind] = {
    CertificateVerified: "certificate_verified",
    CertificateNeedsReview: "certificate_needs_review",
    CertificateRejected: "certificate_rejected",
}
_SUBJECTS: Mapping[NotificationKind, str] = {
    "certificate_verified": "Your certificate was verified",
    "certificate_needs_review": "Your certificate needs a reviewer's look",
    "certificate_rejected": "Your certificate was not accepted",
}
_OWNER = """
SELECT c.filename, m.user_id, u.email, p.full_name FROM certificates c
JOIN people p ON p.tenant_id = c.tenant_id AND p.person_id = c.person_id
JOIN memberships m ON m.tenant_id = c.tenant_id AND m.person_id = c.person_id
JOIN users u ON u.user_id = m.user_id
WHERE c.tenant_id = $1 AND c.certificate_id = $2 AND m.role <> 'auditor'
ORDER BY m.user_id LIMIT 1
"""


async def queue_certificate_notification(
    tx: Tx, store: EventStore, settings: Settings, event: RecordedEvent, metadata: Metadata
) -> bool:
    """Tell the member whose certificate it is about a verification outcome; True if queued
    now (False: no member account, notifications off, or queued before)."""
    outcome = store.decode(event)
    if not isinstance(outcome, CertificateVerified | CertificateNeedsReview | CertificateRejected):
        raise TypeError(f"not a certificate outcome: {event.event_type}")
    tenant = tx.require_tenant()
    owner = await tx.pg.fetchrow(_OWNER, tenant, outcome.certificate_id)
    if owner is None:
        return False
    preferences = await mail_preferences(tx, [owner["user_id"]])
    if not preferences[owner["user_id"]].wants("certificate_notifications"):
        return False
    kind = CERTIFICATE_OUTCOMES[type(outcome)]
    organisation = await organisation_name(tx)
    message = compose(
        "certificate",
        settings=settings,
        to=owner["email"],
        subject=_SUBJECTS[kind],
        organisation=organisation,
        reason="You receive this because certificate notifications are on for your account"
        f" at {organisation}.",
        context={
            "name": owner["full_name"],
            "kind": kind,
            "filename": owner["filename"],
            "reasons": []
            if isinstance(outcome, CertificateVerified)
            else [reason.message for reason in outcome.reasons],
            "accepted_by": []
            if isinstance(outcome, CertificateRejected)
            else [a.body for a in outcome.acceptance if a.accepted],
            "note": outcome.note if isinstance(outcome, CertificateVerified) else "",
            "portal_url": portal_link(settings.public_url, "credits"),
        },
        unsubscribe=UnsubscribeLink(
            tenant_id=tenant, user_id=owner["user_id"], category="certificate_notifications"
        ),
    )
    mail_id = mail_id_for("notification", event.event_id, owner["user_id"])
    return await queue_mail(
        tx,
        store,
        queued=NotificationQueued(
            mail_id=mail_id, user_id=owner["user_id"], kind=kind, cause_event_id=event.event_id
        ),
        mail_id=mail_id,
        user_id=owner["user_id"],
        category="certificate_notifications",
        message=message,
        metadata=metadata,
    )


async def queue_auditor_access_notification(
    tx: Tx, store: EventStore, settings: Settings, event: RecordedEvent, metadata: Metadata
) -> bool:
    """Tell an auditor that their access was granted (``MemberAdded`` as auditor) or changed
    (``AuditorAccessChanged``; ended when it ends by the time it was recorded). Other members
    added are no concern here (False)."""
    change = store.decode(event)
    access_until: datetime | None
    if isinstance(change, MemberAdded) and change.role == "auditor":
        kind: NotificationKind = "auditor_access_granted"
        access_until = change.access_until
    elif isinstance(change, AuditorAccessChanged):
        kind, access_until = "auditor_access_changed", change.access_until
    else:
        return False
    address = await email_of(tx, change.user_id)
    if address is None or access_until is None:
        return False
    organisation = await organisation_name(tx)
    ended = access_until <= event.recorded_at
    if ended:
        subject = f"Your auditor access to {organisation} has ended"
    else:
        subject = f"Your auditor access to {organisation} ends {day_text(access_until.date())}"
    message = compose(
        "auditor_access",
        settings=settings,
        to=address,
        subject=subject,
        organisation=organisation,
        reason="This message is about your access, so it is sent whatever your mail preferences.",
        context={
            "kind": kind,
            "ended": ended,
            "access_until": access_until.date(),
            "portal_url": portal_link(settings.public_url, "dashboard"),
        },
    )
    mail_id = mail_id_for("notification", event.event_id, change.user_id)
    return await queue_mail(
        tx,
        store,
        queued=NotificationQueued(
            mail_id=mail_id, user_id=change.user_id, kind=kind, cause_event_id=event.event_id
        ),
        mail_id=mail_id,
        user_id=change.user_id,
        category="auditor_access",
        message=message,
        metadata=metadata,
    )
