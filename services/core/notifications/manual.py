"""Reminders an owner or admin sends now: to one person, or to everyone a filtered staff list
shows.

Contract of ``send_reminders``:
- Each person gets one mail through the outbox (``queue_mail``, delivered by the worker) listing
  each of their standings not compliant on the day (one per body, about the cycle that needs
  action now), recorded as ``notifications.ManualReminderQueued``
  (with who sent it) on the person's account's mail stream. One reminder per person and day:
  sending again the same day queues nothing new.
- People are left out, and named in the answer, when they have no account, turned deadline
  reminders off, or have no standing that needs action.
- At most ``PER_HOUR`` reminders per organisation in any hour (``TooManyReminders``: nothing is
  sent); the count is read from the organisation's chain.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import msgspec

from domain.notifications.mail import ManualReminderQueued
from domain.notifications.reminders import reminders_now
from domain.shared.errors import DomainError
from domain.shared.event import event_tag
from services.core.application import AccessDenied, NotFound, UnitOfWork
from services.core.mail_templates import portal_link
from services.core.notifications.compose import compose
from services.core.notifications.outbox import mail_id_for, queue_mail
from services.core.notifications.preferences import UnsubscribeLink, mail_preferences
from services.core.notifications.reminders import item_context, reminder_items, reminder_subject
from services.core.organisation.queries import organisation_name
from services.core.people.queries import standings_on
from services.core.policy import MANAGERS, require_role
from services.core.staff.listing import StaffFilter, staff_page

PER_HOUR = 200
_PAGE = 200


class TooManyReminders(DomainError):
    """The organisation sent ``PER_HOUR`` reminders within the last hour."""

    code = "domain_error"  # the code clients have seen since it was added


class SendReminders(msgspec.Struct, frozen=True, kw_only=True):
    """To ``person_id``, or else to everyone the staff list shows for ``selected``."""

    person_id: UUID | None = None
    selected: StaffFilter | None = None


class RemindersSent(msgspec.Struct, frozen=True, kw_only=True):
    sent: list[str]
    """Names of the people a reminder was queued for."""
    already_sent_today: list[str]
    without_account: list[str]
    opted_out: list[str]
    nothing_due: list[str]


_ACCOUNTS = """
SELECT p.person_id, p.full_name, m.user_id, u.email FROM people p
LEFT JOIN memberships m ON m.tenant_id = p.tenant_id AND m.person_id = p.person_id
  AND m.role <> 'auditor'
LEFT JOIN users u ON u.user_id = m.user_id
WHERE p.tenant_id = $1 AND p.person_id = ANY($2::uuid[]) AND p.active
ORDER BY p.full_name, p.person_id
"""
_RECENT = """
SELECT count(*) FROM events WHERE tenant_id = $1 AND event_type = $2 AND recorded_at > $3
"""


async def _chosen(uow: UnitOfWork, command: SendReminders) -> list[UUID]:
    if command.person_id is not None:
        return [command.person_id]
    if command.selected is None:
        raise NotFound("choose a person or a staff list")
    chosen: list[UUID] = []
    cursor: str | None = None
    while True:
        page = await staff_page(
            uow.tx, command.selected, today=uow.today(), limit=_PAGE, cursor=cursor
        )
        chosen += [m.person_id for m in page.items]
        if page.next_cursor is None:
            return chosen
        cursor = page.next_cursor


async def send_reminders(uow: UnitOfWork, command: SendReminders) -> RemindersSent:
    """Queue a reminder for each chosen person with a cycle short (see the module docstring)."""
    require_role(uow.actor, *MANAGERS)
    sender = uow.actor.user_id
    if sender is None:
        raise AccessDenied("only a member sends reminders")
    tx, today, now = uow.tx, uow.today(), uow.now()
    rows = await tx.pg.fetch(_ACCOUNTS, tx.require_tenant(), await _chosen(uow, command))
    if command.person_id is not None and not rows:
        raise NotFound("no active staff record with this id")
    recent = await tx.pg.fetchval(
        _RECENT, tx.require_tenant(), event_tag(ManualReminderQueued), now - timedelta(hours=1)
    )
    with_account = [r for r in rows if r["user_id"] is not None]
    if recent + len(with_account) > PER_HOUR:
        raise TooManyReminders(
            f"at most {PER_HOUR} reminders an hour per organisation: {recent} sent in the last"
            f" hour, {len(with_account)} more asked for"
        )
    preferences = await mail_preferences(tx, [r["user_id"] for r in with_account])
    found = await standings_on(tx, today=today, person_ids=[r["person_id"] for r in rows])
    organisation = await organisation_name(tx)
    outcome: dict[str, list[str]] = {k: [] for k in RemindersSent.__struct_fields__}
    for row in rows:
        name = row["full_name"]
        held = found[row["person_id"]].standings if row["person_id"] in found else []
        due = reminders_now(held, today=today)
        if row["user_id"] is None:
            outcome["without_account"].append(name)
            continue
        if not preferences[row["user_id"]].wants("deadline_reminders"):
            outcome["opted_out"].append(name)
            continue
        if not due:
            outcome["nothing_due"].append(name)
            continue
        mail_id = mail_id_for("manual-reminder", row["person_id"], row["user_id"], today)
        message = compose(
            "reminder",
            settings=uow.settings,
            to=row["email"],
            subject=reminder_subject(due),
            organisation=organisation,
            reason=f"{organisation} sent you this reminder.",
            context={
                "name": name,
                "items": [item_context(reminded) for reminded in due],
                "portal_url": portal_link(uow.settings.public_url, "dashboard"),
            },
            unsubscribe=UnsubscribeLink(
                tenant_id=tx.require_tenant(),
                user_id=row["user_id"],
                category="deadline_reminders",
            ),
        )
        event = ManualReminderQueued(
            mail_id=mail_id,
            user_id=row["user_id"],
            person_id=row["person_id"],
            sent_by=sender,
            sent_on=today,
            items=reminder_items(due),
        )
        queued = await queue_mail(
            tx,
            uow.store,
            queued=event,
            mail_id=mail_id,
            user_id=row["user_id"],
            category="deadline_reminders",
            message=message,
            metadata=uow.metadata,
        )
        outcome["sent" if queued else "already_sent_today"].append(name)
    return RemindersSent(**outcome)
