"""API tokens tied to the auditor window they were made in.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from services.core.migrations.sql import execute_script

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- The membership's access_until when the token was made (an auditor's window; NULL for
        -- other roles): the token works only while the membership has that same window.
        ALTER TABLE api_tokens ADD COLUMN access_until timestamptz;
        """
    )


def downgrade() -> None:
    execute_script("ALTER TABLE api_tokens DROP COLUMN access_until;")
