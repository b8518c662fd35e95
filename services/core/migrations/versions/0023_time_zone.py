"""The organisation's time zone, for showing times on its pages.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from services.core.migrations.sql import execute_script

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- organisations.TimeZoneChosen: an IANA name; copied onto the memberships, which the
        -- pages read on every request.
        ALTER TABLE organisations ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
        ALTER TABLE memberships ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
        """
    )


def downgrade() -> None:
    execute_script(
        "ALTER TABLE memberships DROP COLUMN time_zone;"
        " ALTER TABLE organisations DROP COLUMN time_zone;"
    )
