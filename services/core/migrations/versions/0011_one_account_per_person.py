"""A staff record has at most one member account per organisation.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from services.core.migrations.sql import execute_script

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Fails if two memberships of one organisation already share a staff record: remove one of
    them (``POST /api/v1/members/{user_id}/removal``) before upgrading."""
    execute_script(
        "CREATE UNIQUE INDEX memberships_one_per_person ON memberships (tenant_id, person_id);"
    )


def downgrade() -> None:
    execute_script("DROP INDEX memberships_one_per_person;")
