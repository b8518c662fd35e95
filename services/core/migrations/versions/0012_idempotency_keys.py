"""Idempotency keys: the first response to each ``Idempotency-Key`` a caller sent, for 24 hours.

One row per (tenant, caller, key). ``status`` is NULL while the first request is in flight; the
response (status, the headers worth replaying, body) is stored when it ends. ``created_at``
starts the key's 24 hours; ``claimed_at`` is when a request last took it in hand.
Requests without an organisation (sign-up, sign-in, links from mail) are kept under the nil
tenant. Row-level
security is ENABLEd and FORCEd: a transaction sees the rows of its tenant, and a transaction
without a tenant only the nil tenant's.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from services.core.migrations.sql import app_role, execute_script

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = app_role()
    execute_script(
        f"""
        CREATE TABLE idempotency_keys (
            tenant_id uuid NOT NULL,
            caller text NOT NULL,
            key text NOT NULL,
            fingerprint char(64) NOT NULL,
            status integer,
            headers jsonb,
            body bytea,
            created_at timestamptz NOT NULL DEFAULT now(),
            claimed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, caller, key)
        );
        CREATE INDEX idempotency_keys_expiry ON idempotency_keys (tenant_id, created_at);
        ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
        ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON idempotency_keys
            USING (tenant_id = coalesce(current_tenant(), '00000000-0000-0000-0000-000000000000'))
            WITH CHECK (
                tenant_id = coalesce(current_tenant(), '00000000-0000-0000-0000-000000000000')
            );
        GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO {role};
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE idempotency_keys;")
