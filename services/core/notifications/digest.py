"""The weekly digest of one organisation for its owners and admins (the scheduler's weekly run).

A run for any day of a week stands for that week's digest day (``digest_day``), and the figures
are as on that day whenever the run happens, so a retried or late run writes the same digest;
each owner or admin gets it once per week (the mail id derives from the member and the week)
unless they turned it off.
"""

from __future__ import annotations

from datetime import date

from domain.notifications.digest import build_digest, digest_day
from domain.notifications.mail import DigestQueued
from services.core.db import Tx
from services.core.eventsourcing.store import EventStore, Metadata
from services.core.mail_templates import day_text, portal_link
from services.core.notifications.compose import compose
from services.core.notifications.outbox import mail_id_for, queue_mail, recipients
from services.core.notifications.preferences import UnsubscribeLink, mail_preferences
from services.core.organisation.queries import organisation_name
from services.core.people.queries import standings_on
from services.core.settings import WEEKDAYS, Settings

_REVIEW_QUEUE = "SELECT count(*) FROM certificates WHERE tenant_id = $1 AND status = 'needs_review'"


async def queue_digests(
    tx: Tx, store: EventStore, settings: Settings, *, run_on: date, metadata: Metadata
) -> int:
    """Queue the digest of the week of ``run_on`` for every owner and admin who wants it; the
    number of mails queued."""
    tenant = tx.require_tenant()
    week_of = digest_day(run_on, WEEKDAYS.index(settings.digest_weekday))
    admins = await recipients(tx, roles=("owner", "admin"))
    preferences = await mail_preferences(tx, [a.user_id for a in admins])
    admins = [a for a in admins if preferences[a.user_id].wants("weekly_digest")]
    if not admins:
        return 0
    names = {
        row["person_id"]: row["full_name"]
        for row in await tx.pg.fetch(
            "SELECT person_id, full_name FROM people WHERE tenant_id = $1 AND active", tenant
        )
    }
    digest = build_digest(
        {
            person_id: found.standings
            for person_id, found in (
                await standings_on(tx, today=week_of, person_ids=list(names))
            ).items()
        },
        names,
        review_queue=await tx.pg.fetchval(_REVIEW_QUEUE, tenant),
    )
    organisation = await organisation_name(tx)
    queued = 0
    for admin in admins:
        mail_id = mail_id_for("digest", admin.user_id, week_of)
        message = compose(
            "digest",
            settings=settings,
            to=admin.email,
            subject=f"Weekly CME summary for {organisation}, {day_text(week_of)}",
            organisation=organisation,
            reason=f"You receive this as an owner or admin of {organisation}.",
            context={
                "digest": digest,
                "week_of": week_of,
                "portal_url": portal_link(settings.public_url, "dashboard"),
            },
            unsubscribe=UnsubscribeLink(
                tenant_id=tenant, user_id=admin.user_id, category="weekly_digest"
            ),
        )
        queued += await queue_mail(
            tx,
            store,
            queued=DigestQueued(mail_id=mail_id, user_id=admin.user_id, week_of=week_of),
            mail_id=mail_id,
            user_id=admin.user_id,
            category="weekly_digest",
            message=message,
            metadata=metadata,
        )
    return queued
