"""Blocked providers: a provider directory entry has a kind (``listed`` or ``blocked``) and, when
blocked, the organisation's reason. Existing entries are listed ones.

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
    execute_script("ALTER TABLE provider_directory DROP COLUMN kind, DROP COLUMN reason;")
