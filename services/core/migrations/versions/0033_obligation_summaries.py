"""``obligations.summary``: each stored obligation without the credits used and not used,
generated from ``explanation`` by PostgreSQL.

A cycle's explanation lists every credit of the person (used or not, and why), most of what is
stored; the organisation overview and the staff list need only the numbers, dates and flags a
status and a standing are decided on, for every person at once. Generated, so it is never
written apart from the explanation and every writer (inline, catch-up, rebuild, reevaluate)
keeps it right; adding it rewrites the table once.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07
"""

from services.core.migrations.sql import execute_script

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE obligations ADD COLUMN summary jsonb GENERATED ALWAYS AS
            (explanation || '{"used": [], "not_used": []}'::jsonb) STORED;
        """
    )


def downgrade() -> None:
    execute_script("ALTER TABLE obligations DROP COLUMN summary;")
