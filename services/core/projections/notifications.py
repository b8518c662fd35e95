"""Read models ``mail_preferences`` (each member's categories turned off) and ``reminder_log``
(each obligation a reminder was queued for, with its threshold and day)."""

from __future__ import annotations

from collections.abc import Sequence

from domain.notifications.mail import ReminderQueued
from domain.notifications.preferences import MailPreferencesChanged
from domain.shared.event import EventRegistry, event_tag
from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent
from services.core.projections.folded import as_json

_UPSERT_PREFERENCES = """
INSERT INTO mail_preferences AS p (tenant_id, user_id, opted_out, changed_at)
SELECT DISTINCT ON (r.user_id) $1, r.user_id, r.opted_out, r.changed_at
FROM jsonb_to_recordset($2::jsonb)
    AS r(user_id uuid, opted_out text[], changed_at timestamptz, seq bigint)
ORDER BY r.user_id, r.seq DESC
ON CONFLICT (tenant_id, user_id) DO UPDATE
SET opted_out = excluded.opted_out, changed_at = excluded.changed_at
"""
_INSERT_REMINDERS = """
INSERT INTO reminder_log (tenant_id, mail_id, person_id, body, window_end, threshold, run_on)
SELECT $1, r.mail_id, r.person_id, r.body, r.window_end, r.threshold, r.run_on
FROM jsonb_to_recordset($2::jsonb) AS r(
    mail_id uuid, person_id uuid, body text, window_end date, threshold integer, run_on date)
ON CONFLICT DO NOTHING
"""


class MailPreferencesProjection:
    """The latest preferences per member: a batch keeps each member's last change."""

    name = "mail_preferences"
    tables: tuple[str, ...] = ("mail_preferences",)
    event_types: frozenset[str] | None = frozenset({event_tag(MailPreferencesChanged)})

    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        rows = []
        for event in events:
            changed = self.registry.decode(event.event_type, event.schema_version, event.data)
            assert isinstance(changed, MailPreferencesChanged)
            rows.append(
                {
                    "user_id": changed.user_id,
                    "opted_out": list(changed.opted_out),
                    "changed_at": event.recorded_at,
                    "seq": event.seq,
                }
            )
        await tx.pg.execute(_UPSERT_PREFERENCES, tx.require_tenant(), as_json(rows))


class ReminderLog:
    """One row per obligation of each queued reminder."""

    name = "reminder_log"
    tables: tuple[str, ...] = ("reminder_log",)
    event_types: frozenset[str] | None = frozenset({event_tag(ReminderQueued)})

    def __init__(self, registry: EventRegistry) -> None:
        self.registry = registry

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        rows = []
        for event in events:
            queued = self.registry.decode(event.event_type, event.schema_version, event.data)
            assert isinstance(queued, ReminderQueued)
            rows += [
                {
                    "mail_id": queued.mail_id,
                    "person_id": queued.person_id,
                    "body": item.body,
                    "window_end": item.window_end,
                    "threshold": item.threshold,
                    "run_on": queued.run_on,
                }
                for item in queued.items
            ]
        await tx.pg.execute(_INSERT_REMINDERS, tx.require_tenant(), as_json(rows))
