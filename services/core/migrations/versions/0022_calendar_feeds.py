"""Calendar feeds: a person's deadlines as an .ics feed behind a secret link.

Revision ID: 0022
Revises: 0016
Create Date: 2026-12-07
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0022"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- One live link per person at most; only the SHA-256 of its secret is kept. A revoked
        -- or replaced link keeps its row (revoked_at set), so its secret never works again.
        CREATE TABLE calendar_feeds (
            tenant_id uuid NOT NULL,
            feed_id uuid NOT NULL,
            person_id uuid NOT NULL,
            token_hash char(64) NOT NULL UNIQUE,
            created_at timestamptz NOT NULL,
            revoked_at timestamptz,
            PRIMARY KEY (tenant_id, feed_id)
        );
        CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds (tenant_id, person_id)
            WHERE revoked_at IS NULL;
        """
    )
    enable_tenant_rls("calendar_feeds")
    execute_script(
        f"""
        -- Whoever presents a feed's secret may read that one row (to learn its organisation).
        CREATE POLICY calendar_feed_by_hash ON calendar_feeds FOR SELECT
            USING (token_hash = current_setting('app.calendar_token_hash', true));
        GRANT SELECT, INSERT, UPDATE ON calendar_feeds TO {app_role()};
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE calendar_feeds;")
