"""The contract of migration 0025: drop ``waivers.state`` and ``provider_directory.entry``,
the JSON copies of the plain columns kept for the release before 0025, which read them.

Run only once no task of the release before this one runs (it still writes both columns, and
its writes would fail): production migrates to 0030, rolls the services, then migrates to the
head (docs/operations.md, "A release that contracts"). Everywhere else ``migrate`` runs both
at once.

A downgrade recreates both columns nullable and fills them from the plain columns (every field
the release before wrote, a blocked entry's ``kind`` and ``reason`` included): it loses
nothing. A release from before migration 0028 would read a blocked entry as a listed one, so
0028's downgrade refuses while blocked entries exist.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""

from services.core.migrations.sql import execute_script, refill_previous_read_model_json

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE waivers DROP COLUMN state;
        ALTER TABLE provider_directory DROP COLUMN entry;
        """
    )


def downgrade() -> None:
    execute_script(
        """
        ALTER TABLE waivers ADD COLUMN state jsonb;
        ALTER TABLE provider_directory ADD COLUMN entry jsonb;
        """
    )
    refill_previous_read_model_json()
