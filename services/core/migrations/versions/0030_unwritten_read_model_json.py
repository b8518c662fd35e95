"""The contract of migration 0025, first step: ``waivers.state`` and
``provider_directory.entry`` may be NULL, since this release no longer writes them (nothing has
read them since 0025). The release before this one still writes them and runs beside this one
during a rolling deploy, so they are dropped only by 0031, once that release no longer runs:
production migrates to this revision, rolls the services, then migrates to the head
(docs/operations.md, "A release that contracts").

A downgrade fills the rows this release wrote (NULL) from the plain columns, as the release
before wrote them, and makes the columns NOT NULL again: nothing is lost.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

from services.core.migrations.sql import execute_script, refill_previous_read_model_json

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE waivers ALTER COLUMN state DROP NOT NULL;
        ALTER TABLE provider_directory ALTER COLUMN entry DROP NOT NULL;
        """
    )


def downgrade() -> None:
    refill_previous_read_model_json()
    execute_script(
        """
        ALTER TABLE waivers ALTER COLUMN state SET NOT NULL;
        ALTER TABLE provider_directory ALTER COLUMN entry SET NOT NULL;
        """
    )
