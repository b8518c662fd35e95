"""What the reader found in a certificate file, kept by the file's hash, so that a file read
while the person filled in the form is not read again by the worker's verification.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- A reading depends only on the file's bytes: one row per tenant and file hash, written
        -- once (a later reading of the same bytes is the same reading).
        CREATE TABLE certificate_readings (
            tenant_id uuid NOT NULL,
            sha256 char(64) NOT NULL,
            reading jsonb NOT NULL,
            read_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, sha256)
        );
        """
    )
    enable_tenant_rls("certificate_readings")
    execute_script(f"GRANT SELECT, INSERT ON certificate_readings TO {app_role()};")


def downgrade() -> None:
    execute_script("DROP TABLE certificate_readings;")
