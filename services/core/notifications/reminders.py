"""Deadline reminders of one organisation for one day (the scheduler's daily run).

Members whose staff record is active get one mail per run day listing each standing (one per
body) with a reminder due (``domain.notifications.reminders.standing_reminders``), unless they
turned reminders off. Staff without an account get none (they appear in the admins' weekly
digest). A reminder queued by any
earlier run counts as sent: runs of one organisation are serialised, so two runs (a retry, a
second scheduler) never queue the same reminder twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from uuid import UUID

from domain.notifications.mail import ReminderItem, ReminderQueued
from domain.notifications.reminders import Reminded, SentReminder, standing_reminders
from domain.people.credentials import Body
from services.core.db import Tx
from services.core.eventsourcing.store import EventStore, Metadata
from services.core.mail_templates import credits_text, days_text, portal_link
from services.core.notifications.compose import compose
from services.core.notifications.outbox import mail_id_for, queue_mail
from services.core.notifications.preferences import UnsubscribeLink, mail_preferences
from services.core.organisation.queries import organisation_name
from services.core.people.queries import standings_on
from services.core.settings import Settings

_MEMBERS = """
SELECT m.user_id, u.email, p.person_id, p.full_name FROM memberships m
JOIN users u USING (user_id)
JOIN people p ON p.tenant_id = m.tenant_id AND p.person_id = m.person_id AND p.active
WHERE m.tenant_id = $1 AND m.role <> 'auditor'
  AND (m.access_until IS NULL OR m.access_until > now())
ORDER BY p.person_id, m.user_id
"""
_SENT = """
SELECT person_id, body, window_end, threshold, run_on FROM reminder_log
WHERE tenant_id = $1 AND person_id = ANY($2::uuid[])
"""

Sent = dict[tuple[Body, date], list[SentReminder]]
"""The reminders already queued for one person, by body and end of the cycle's window."""


async def _sent(tx: Tx, person_ids: list[UUID]) -> dict[UUID, Sent]:
    sent: dict[UUID, Sent] = defaultdict(lambda: defaultdict(list))
    for row in await tx.pg.fetch(_SENT, tx.require_tenant(), person_ids):
        sent[row["person_id"]][row["body"], row["window_end"]].append(
            SentReminder(threshold=row["threshold"], sent_on=row["run_on"])
        )
    return sent


def item_context(reminded: Reminded) -> dict[str, object]:
    """What the reminder mail says of one standing: its status, sentence and next action, the
    cycle it rests on, and the body's open rule questions in plain words."""
    standing, o, due = reminded
    total = o.lines[0]
    return {
        "body": standing.body,
        "window_start": o.window.start,
        "window_end": o.window.end,
        "status": standing.status,
        "sentence": standing.sentence,
        "next_action": standing.next_action,
        "required": total.required,
        "counted": total.counted,
        "waived": total.waived,
        "shortfall": standing.shortfall,
        "deadline": o.deadline,
        "days_left": due.days_left,
        "flags": [flag.for_people for flag in standing.flags],
    }


def reminder_items(due: list[Reminded]) -> tuple[ReminderItem, ...]:
    """What a reminder event records of each standing it is about."""
    return tuple(
        ReminderItem(
            body=s.body,
            window_end=cycle.window.end,
            deadline=cycle.deadline,
            threshold=d.threshold,
            days_left=d.days_left,
            shortfall=s.shortfall,
        )
        for s, cycle, d in due
    )


def reminder_subject(due: list[Reminded]) -> str:
    soonest = min(r.due.days_left for r in due)
    if len(due) == 1:
        [(s, _, d)] = due
        needed = credits_text(s.shortfall)
        return f"CME reminder: {s.body} needs {needed} more credits ({days_text(d.days_left)})"
    return f"CME reminder: {len(due)} requirements need more credits ({days_text(soonest)})"


async def queue_reminders(
    tx: Tx, store: EventStore, settings: Settings, *, run_on: date, metadata: Metadata
) -> int:
    """Queue the reminders due on ``run_on`` in the transaction's organisation; the number of
    mails queued."""
    tenant = tx.require_tenant()
    await tx.pg.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"reminders:{tenant}"
    )
    members = await tx.pg.fetch(_MEMBERS, tenant)
    preferences = await mail_preferences(tx, [m["user_id"] for m in members])
    members = [m for m in members if preferences[m["user_id"]].wants("deadline_reminders")]
    if not members:
        return 0
    person_ids = [m["person_id"] for m in members]
    found = await standings_on(tx, today=run_on, person_ids=person_ids)
    sent = await _sent(tx, person_ids)
    organisation = await organisation_name(tx)
    queued = 0
    for member in members:
        person_id = member["person_id"]
        if person_id not in found:
            continue
        due = standing_reminders(
            found[person_id].standings,
            today=run_on,
            sent=sent[person_id],
            thresholds=settings.reminder_thresholds,
            overdue_every_days=settings.overdue_reminder_days,
        )
        if not due:
            continue
        mail_id = mail_id_for("reminder", member["person_id"], member["user_id"], run_on)
        message = compose(
            "reminder",
            settings=settings,
            to=member["email"],
            subject=reminder_subject(due),
            organisation=organisation,
            reason="You receive this because deadline reminders are on for your account"
            f" at {organisation}.",
            context={
                "name": member["full_name"],
                "items": [item_context(reminded) for reminded in due],
                "portal_url": portal_link(settings.public_url, "dashboard"),
            },
            unsubscribe=UnsubscribeLink(
                tenant_id=tenant, user_id=member["user_id"], category="deadline_reminders"
            ),
        )
        event = ReminderQueued(
            mail_id=mail_id,
            user_id=member["user_id"],
            person_id=member["person_id"],
            run_on=run_on,
            items=reminder_items(due),
        )
        queued += await queue_mail(
            tx,
            store,
            queued=event,
            mail_id=mail_id,
            user_id=member["user_id"],
            category="deadline_reminders",
            message=message,
            metadata=metadata,
        )
    return queued
