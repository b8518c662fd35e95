"""Certificates read model: one row per uploaded certificate file (content-addressed by SHA-256).

A projection of ``credits.CertificateUploaded`` (rebuildable), keyed by tenant first, with
row-level security ENABLEd and FORCEd. A person holds a given file once: (tenant, person, hash)
is unique, as the certificate id derives from them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE certificates (
            tenant_id uuid NOT NULL,
            certificate_id uuid NOT NULL,
            person_id uuid NOT NULL,
            credit_id uuid,
            sha256 char(64) NOT NULL,
            media_type text NOT NULL,
            size_bytes bigint NOT NULL CHECK (size_bytes > 0),
            filename text NOT NULL,
            uploaded_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, certificate_id)
        );
        CREATE UNIQUE INDEX certificates_by_person ON certificates (tenant_id, person_id, sha256);
        """
    )
    enable_tenant_rls("certificates")
    execute_script(f"GRANT SELECT, INSERT, DELETE ON certificates TO {app_role()};")


def downgrade() -> None:
    execute_script("DROP TABLE certificates;")
