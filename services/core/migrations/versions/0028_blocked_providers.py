"""Blocked providers: a provider directory entry has a kind (``listed`` or ``blocked``) and, when
blocked, the organisation's reason. Existing entries are listed ones.

A downgrade refuses while any organisation has a blocked entry: the release before reads every
entry as a listed one, so that provider's certificates would verify again. Lift the blocks
first (delete the entries), or stay at this revision.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from services.core.migrations.sql import execute_script

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE provider_directory
            ADD COLUMN kind text NOT NULL DEFAULT 'listed',
            ADD COLUMN reason text NOT NULL DEFAULT '';
        """
    )


def downgrade() -> None:
    execute_script(
        """
        -- Every tenant's rows: the owner passes row-level security only while it is not forced.
        ALTER TABLE provider_directory NO FORCE ROW LEVEL SECURITY;
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM provider_directory WHERE kind = 'blocked') THEN
                RAISE EXCEPTION 'blocked providers exist: the release before 0028 would read'
                    ' them as listed ones; lift the blocks before downgrading past 0028';
            END IF;
        END
        $$;
        ALTER TABLE provider_directory FORCE ROW LEVEL SECURITY;
        ALTER TABLE provider_directory DROP COLUMN kind, DROP COLUMN reason;
        """
    )
