"""Worker plumbing: the relay's wake-up notification and the actors' effect ledger.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# One NOTIFY per appending statement (identical payloads fold into one per transaction): a
# wake-up hint for the relay, which also polls (design P4). The payload is only the tenant id,
# which the global tenants registry lists anyway. (Replaced in 0019; its downgrade restores it.)
NOTIFY_TRIGGER = """
CREATE FUNCTION notify_events_appended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cmeledger_events', current_setting('app.tenant_id', true));
    RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION notify_events_appended();
"""


def upgrade() -> None:
    role = app_role()
    execute_script(NOTIFY_TRIGGER)
    execute_script(
        """
        -- Exactly one effect per relay message: actors insert their message id here in the
        -- same transaction as their work, and a duplicate delivery finds it taken.
        CREATE TABLE actor_effects (
            tenant_id uuid NOT NULL,
            message_id uuid NOT NULL,
            actor text NOT NULL,
            event_id uuid NOT NULL,
            seq bigint NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, message_id)
        );
        """
    )
    enable_tenant_rls("actor_effects")
    execute_script(f"GRANT SELECT, INSERT ON actor_effects TO {role};")


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE actor_effects;
        DROP TRIGGER events_notify ON events;
        DROP FUNCTION notify_events_appended();
        """
    )
