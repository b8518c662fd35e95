"""Staff: each person's work email and whether they are on the active staff, with indexes for
import matching (employee number, email) and the staff list's name-ordered keyset pages.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from services.core.migrations.sql import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE people
            ADD COLUMN email text,
            ADD COLUMN active boolean NOT NULL DEFAULT true;
        CREATE INDEX people_by_employee_number ON people (tenant_id, employee_number);
        CREATE INDEX people_by_email ON people (tenant_id, email);
        CREATE INDEX people_by_name ON people (tenant_id, full_name, person_id);
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP INDEX people_by_name, people_by_email, people_by_employee_number;
        ALTER TABLE people DROP COLUMN active, DROP COLUMN email;
        """
    )
