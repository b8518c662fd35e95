"""Notifications: mail preferences and the reminder log (projections), the mail outbox and the
scheduler's ledger of enqueued runs.

``mail_preferences`` (one row per member who changed a preference; no row: every optional mail
on) and ``reminder_log`` (one row per obligation a reminder was queued for) are projections of
the ``notifications.*`` events, rebuildable. ``mail_outbox`` holds each queued mail as rendered,
until the mail server accepts it (``sent_at``); ``scheduled_runs`` records which periodic run of
which tenant the scheduler has enqueued. Every table is keyed by tenant first, with row-level
security ENABLEd and FORCEd.

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-28
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("mail_preferences", "reminder_log", "mail_outbox", "scheduled_runs")


def upgrade() -> None:
    role = app_role()
    execute_script(
        """
        CREATE TABLE mail_preferences (
            tenant_id uuid NOT NULL,
            user_id uuid NOT NULL,
            opted_out text[] NOT NULL,
            changed_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, user_id)
        );

        -- threshold: days before the deadline; NULL: an overdue reminder.
        CREATE TABLE reminder_log (
            tenant_id uuid NOT NULL,
            mail_id uuid NOT NULL,
            person_id uuid NOT NULL,
            body text NOT NULL,
            window_end date NOT NULL,
            threshold integer,
            run_on date NOT NULL,
            PRIMARY KEY (tenant_id, mail_id, body, window_end)
        );
        CREATE INDEX reminder_log_by_person ON reminder_log (tenant_id, person_id);

        CREATE TABLE mail_outbox (
            tenant_id uuid NOT NULL,
            mail_id uuid NOT NULL,
            user_id uuid NOT NULL,
            category text NOT NULL,
            recipient text NOT NULL,
            subject text NOT NULL,
            body_text text NOT NULL,
            body_html text NOT NULL,
            unsubscribe_url text,
            queued_at timestamptz NOT NULL DEFAULT now(),
            sent_at timestamptz,
            PRIMARY KEY (tenant_id, mail_id)
        );
        CREATE INDEX mail_outbox_unsent ON mail_outbox (tenant_id, queued_at) WHERE sent_at IS NULL;

        CREATE TABLE scheduled_runs (
            tenant_id uuid NOT NULL,
            job text NOT NULL,
            run_on date NOT NULL,
            enqueued_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, job, run_on)
        );
        """
    )
    for table in TABLES:
        enable_tenant_rls(table)
    execute_script(
        f"""
        GRANT SELECT, INSERT, UPDATE, DELETE ON mail_preferences TO {role};
        GRANT SELECT, INSERT, DELETE ON reminder_log TO {role};
        GRANT SELECT, INSERT, UPDATE ON mail_outbox TO {role};
        GRANT SELECT, INSERT ON scheduled_runs TO {role};
        """
    )


def downgrade() -> None:
    execute_script(f"DROP TABLE {', '.join(TABLES)};")
