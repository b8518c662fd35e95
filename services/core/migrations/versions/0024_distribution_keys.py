"""Unique keys of the billing and calendar tables lead with tenant_id, as distributing the tenant
tables by tenant requires (docs/scaling.md); lookups by Stripe customer and by calendar link keep
an index of their own.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from services.core.migrations.sql import execute_script

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE billing_accounts DROP CONSTRAINT billing_accounts_customer_id_key;
        ALTER TABLE billing_accounts ADD UNIQUE (tenant_id, customer_id);
        CREATE INDEX billing_accounts_by_customer ON billing_accounts (customer_id);
        ALTER TABLE calendar_feeds DROP CONSTRAINT calendar_feeds_token_hash_key;
        ALTER TABLE calendar_feeds ADD UNIQUE (tenant_id, token_hash);
        CREATE INDEX calendar_feeds_by_hash ON calendar_feeds (token_hash);
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP INDEX calendar_feeds_by_hash;
        ALTER TABLE calendar_feeds DROP CONSTRAINT calendar_feeds_tenant_id_token_hash_key;
        ALTER TABLE calendar_feeds ADD CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash);
        DROP INDEX billing_accounts_by_customer;
        ALTER TABLE billing_accounts DROP CONSTRAINT billing_accounts_tenant_id_customer_id_key;
        ALTER TABLE billing_accounts
            ADD CONSTRAINT billing_accounts_customer_id_key UNIQUE (customer_id);
        """
    )
