"""``read_model_epochs``: a number per tenant that moves whenever its read models are rewritten
without an event (``rebuild-projections``, ``reevaluate``).

What a process computes from a tenant's read models (the standings cache) is keyed by the
tenant's event head; a rewrite that appends nothing leaves the head where it was. The epoch is
read with the head and moved in the rewrite's transaction, so such a rewrite is a new key too.
A tenant whose read models were never rewritten has no row (epoch 0). Expand only: a release
before this one neither reads nor moves it; a downgrade comes after the services are rolled back
(this release reads the table in every cached page's first statement).

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE read_model_epochs (
            tenant_id uuid PRIMARY KEY REFERENCES tenants,
            epoch bigint NOT NULL CHECK (epoch > 0)
        );
        """
    )
    enable_tenant_rls("read_model_epochs")
    execute_script(f"GRANT SELECT, INSERT, UPDATE ON read_model_epochs TO {app_role()};")


def downgrade() -> None:
    execute_script("DROP TABLE read_model_epochs;")
