"""Certificate verification read models: where each certificate stands, and the organisation's
own provider directory entries.

``certificates`` gains its verification: status (pending until the worker has read the file),
the reasons a person must look at it or why it was rejected, the fields read (or corrected), the
provider directory entry the printed provider matched, each certifying body's acceptance, who
decided (the worker or a reviewer) and when, and the latest correction of the fields. The review
queue lists a tenant's certificates by status, oldest upload first. ``provider_directory``
holds the providers an organisation added to the seed directory. Both are projections
(rebuildable), keyed by tenant first, with row-level security ENABLEd and FORCEd.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = app_role()
    execute_script(
        f"""
        ALTER TABLE certificates
            ADD COLUMN status text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'verified', 'needs_review', 'rejected')),
            ADD COLUMN reasons jsonb NOT NULL DEFAULT '[]',
            ADD COLUMN fields jsonb,
            ADD COLUMN provider jsonb,
            ADD COLUMN acceptance jsonb NOT NULL DEFAULT '[]',
            ADD COLUMN text_source text,
            ADD COLUMN confidence numeric,
            ADD COLUMN decided_by text CHECK (decided_by IN ('worker', 'reviewer')),
            ADD COLUMN reviewer_id uuid,
            ADD COLUMN decided_at timestamptz,
            ADD COLUMN note text NOT NULL DEFAULT '',
            ADD COLUMN correction jsonb;
        CREATE INDEX certificates_by_status
            ON certificates (tenant_id, status, uploaded_at, certificate_id);
        GRANT UPDATE ON certificates TO {role};

        CREATE TABLE provider_directory (
            tenant_id uuid NOT NULL,
            provider_id text NOT NULL,
            name text NOT NULL,
            entry jsonb NOT NULL,
            PRIMARY KEY (tenant_id, provider_id)
        );
        """
    )
    enable_tenant_rls("provider_directory")
    execute_script(f"GRANT SELECT, INSERT, UPDATE, DELETE ON provider_directory TO {role};")


def downgrade() -> None:
    execute_script(
        f"""
        REVOKE UPDATE ON certificates FROM {app_role()};
        DROP TABLE provider_directory;
        DROP INDEX certificates_by_status;
        ALTER TABLE certificates
            DROP COLUMN status, DROP COLUMN reasons, DROP COLUMN fields, DROP COLUMN provider,
            DROP COLUMN acceptance, DROP COLUMN text_source, DROP COLUMN confidence,
            DROP COLUMN decided_by, DROP COLUMN reviewer_id, DROP COLUMN decided_at,
            DROP COLUMN note, DROP COLUMN correction;
        """
    )
