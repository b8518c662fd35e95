"""``standing_heads``: per tenant, the sequence number and hash of its last event that can
change a standing (``projections.standings``), written by an inline projection in the append's
transaction and read with the event head by every cached page.

Each tenant with events starts at its event head (an event at or after its last such event:
the cache key moves once more than needed) and the projection's checkpoint with it, so no
append has to replay a tenant's history to catch the new projection up. Forced row-level
security like every tenant table.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-08
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE standing_heads (
            tenant_id uuid PRIMARY KEY REFERENCES tenants,
            last_seq bigint NOT NULL CHECK (last_seq > 0),
            last_hash char(64) NOT NULL
        );
        -- Every tenant's rows at once: the owner passes row-level security only while it is
        -- not forced, inside this transaction.
        ALTER TABLE event_heads NO FORCE ROW LEVEL SECURITY;
        ALTER TABLE checkpoints NO FORCE ROW LEVEL SECURITY;
        INSERT INTO standing_heads (tenant_id, last_seq, last_hash)
            SELECT tenant_id, last_seq, last_hash FROM event_heads WHERE last_seq > 0;
        INSERT INTO checkpoints (tenant_id, name, position)
            SELECT tenant_id, 'standing_heads', last_seq FROM event_heads WHERE last_seq > 0;
        ALTER TABLE checkpoints FORCE ROW LEVEL SECURITY;
        ALTER TABLE event_heads FORCE ROW LEVEL SECURITY;
        """
    )
    enable_tenant_rls("standing_heads")
    execute_script(f"GRANT SELECT, INSERT, UPDATE, DELETE ON standing_heads TO {app_role()};")


def downgrade() -> None:
    execute_script(
        """
        ALTER TABLE checkpoints NO FORCE ROW LEVEL SECURITY;
        DELETE FROM checkpoints WHERE name = 'standing_heads';
        ALTER TABLE checkpoints FORCE ROW LEVEL SECURITY;
        DROP TABLE standing_heads;
        """
    )
