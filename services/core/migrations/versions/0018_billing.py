"""Billing: the billing account and invoices read models, and the Stripe webhook inbox.

Revision ID: 0018
Revises: 0021
Create Date: 2026-12-07
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0018"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = app_role()
    execute_script(
        """
        -- One row per organisation: the trial, the Stripe customer and subscription as last
        -- observed, dunning, and the seats last pushed (read model of the billing stream).
        CREATE TABLE billing_accounts (
            tenant_id uuid PRIMARY KEY,
            trial_ends_at timestamptz,
            customer_id text UNIQUE,
            subscription_id text,
            status text,
            plan_interval text,
            quantity integer,
            current_period_end timestamptz,
            subscription_trial_end timestamptz,
            cancel_at_period_end boolean NOT NULL DEFAULT false,
            overdue_since timestamptz,
            seats integer,
            seats_pushed_at timestamptz
        );
        CREATE TABLE billing_invoices (
            tenant_id uuid NOT NULL,
            invoice_id text NOT NULL,
            status text NOT NULL,
            amount_due integer NOT NULL,
            amount_paid integer NOT NULL,
            currency text NOT NULL,
            created timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, invoice_id)
        );

        -- Every Stripe event id accepted by the webhook endpoint, once (a duplicate delivery
        -- finds its id taken: the primary key holds across tenants). A row belongs to the
        -- organisation of the event's customer, or to none (NULL) when no organisation has the
        -- customer; the rows hold ids only.
        CREATE TABLE stripe_inbox (
            stripe_event_id text PRIMARY KEY,
            event_type text NOT NULL,
            tenant_id uuid,
            received_at timestamptz NOT NULL DEFAULT now()
        );
        """
    )
    enable_tenant_rls("billing_accounts")
    enable_tenant_rls("billing_invoices")
    execute_script(
        """
        ALTER TABLE stripe_inbox ENABLE ROW LEVEL SECURITY;
        ALTER TABLE stripe_inbox FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON stripe_inbox
            USING (tenant_id IS NOT DISTINCT FROM current_tenant())
            WITH CHECK (tenant_id IS NOT DISTINCT FROM current_tenant());
        """
    )
    execute_script(
        f"""
        -- The webhook endpoint finds the organisation of a Stripe customer (and nothing else)
        -- by naming the customer id it was sent.
        CREATE POLICY by_stripe_customer ON billing_accounts FOR SELECT
            USING (customer_id = current_setting('app.stripe_customer_id', true));
        GRANT SELECT, INSERT, UPDATE, DELETE ON billing_accounts, billing_invoices TO {role};
        GRANT SELECT, INSERT ON stripe_inbox TO {role};
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE stripe_inbox, billing_invoices, billing_accounts;")
