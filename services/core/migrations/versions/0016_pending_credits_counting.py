"""The organisation's choice whether credits awaiting a certificate check count.

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-07
"""

from services.core.migrations.sql import execute_script

revision = "0016"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- organisations.PendingCreditsCountingChosen: false (the default) means statuses count
        -- only credits whose certificate was verified or approved on review.
        ALTER TABLE organisations
            ADD COLUMN count_pending_credits boolean NOT NULL DEFAULT false;
        """
    )


def downgrade() -> None:
    execute_script("ALTER TABLE organisations DROP COLUMN count_pending_credits;")
