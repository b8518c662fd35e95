"""Readings by reader version, and the readings asked of the worker.

A kept reading names the version of the reader that made it (``reader_version``): a reader
whose version differs ignores it and reads the file again. Rows kept before are of no version
(``''``), so every reader reads their files again. A chosen scan or photo is read by the worker:
``certificate_reading_jobs`` holds one row per file and reader version asked for, so a file
chosen twice is sent to the worker once, and any API process can tell how long it has waited;
a job unanswered for longer than the portal waits is asked again (the API updates its
``requested_at``).

``reader_version`` keeps ``DEFAULT ''`` while the release before runs beside this one (a rolling
deploy): that release keeps readings naming no version. A later contract revision drops the
default. The downgrade keeps the readings of no version only (one per file, as the release
before keys them), for every tenant.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE certificate_readings ADD COLUMN reader_version text NOT NULL DEFAULT '';
        ALTER TABLE certificate_readings DROP CONSTRAINT certificate_readings_pkey;
        ALTER TABLE certificate_readings ADD PRIMARY KEY (tenant_id, sha256, reader_version);
        CREATE TABLE certificate_reading_jobs (
            tenant_id uuid NOT NULL,
            sha256 char(64) NOT NULL,
            reader_version text NOT NULL,
            requested_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, sha256, reader_version)
        );
        """
    )
    enable_tenant_rls("certificate_reading_jobs")
    execute_script(f"GRANT SELECT, INSERT, UPDATE ON certificate_reading_jobs TO {app_role()};")


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE certificate_reading_jobs;
        -- Every tenant's rows: the owner passes row-level security only while it is not forced.
        ALTER TABLE certificate_readings NO FORCE ROW LEVEL SECURITY;
        DELETE FROM certificate_readings WHERE reader_version <> '';
        ALTER TABLE certificate_readings FORCE ROW LEVEL SECURITY;
        ALTER TABLE certificate_readings DROP CONSTRAINT certificate_readings_pkey;
        ALTER TABLE certificate_readings DROP COLUMN reader_version;
        ALTER TABLE certificate_readings ADD PRIMARY KEY (tenant_id, sha256);
        """
    )
