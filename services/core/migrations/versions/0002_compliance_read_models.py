"""Compliance read models: people, their credentials, credits, waivers and obligations.

Every table is a projection (rebuildable from events), keyed by tenant first, with row-level
security ENABLEd and FORCEd. ``state`` columns hold the aggregate's folded state (the domain's
``evolve``) so the obligations projection and read-time re-evaluation can rebuild evaluate()'s
inputs; the other columns are derived from it for queries.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "people",
    "person_credentials",
    "credits",
    "waivers",
    "obligation_evaluations",
    "obligations",
)


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE people (
            tenant_id uuid NOT NULL,
            person_id uuid NOT NULL,
            full_name text NOT NULL,
            registry_ids jsonb NOT NULL,
            birth_month smallint CHECK (birth_month BETWEEN 1 AND 12),
            department text,
            site text,
            employee_number text,
            state jsonb NOT NULL,
            PRIMARY KEY (tenant_id, person_id)
        );

        CREATE TABLE person_credentials (
            tenant_id uuid NOT NULL,
            person_id uuid NOT NULL,
            credential_id uuid NOT NULL,
            body text NOT NULL,
            code text NOT NULL,
            earned_on date NOT NULL,
            status text NOT NULL,
            specialties jsonb NOT NULL,
            PRIMARY KEY (tenant_id, person_id, credential_id)
        );

        CREATE TABLE credits (
            tenant_id uuid NOT NULL,
            credit_id uuid NOT NULL,
            person_id uuid NOT NULL,
            title text NOT NULL,
            provider text NOT NULL,
            accrediting_organisation text NOT NULL,
            credit_types text[] NOT NULL,
            completed_on date NOT NULL,
            credits numeric(8, 2) NOT NULL,
            topics text[] NOT NULL,
            activity_kind text NOT NULL,
            certificate_ref text,
            origin text NOT NULL,
            verification text NOT NULL,
            retracted boolean NOT NULL,
            retraction_reason text,
            state jsonb NOT NULL,
            PRIMARY KEY (tenant_id, credit_id)
        );
        CREATE INDEX credits_by_person ON credits (tenant_id, person_id, completed_on);

        CREATE TABLE waivers (
            tenant_id uuid NOT NULL,
            waiver_id uuid NOT NULL,
            person_id uuid NOT NULL,
            body text NOT NULL,
            kind text NOT NULL,
            granted_on date NOT NULL,
            reference text NOT NULL,
            state jsonb NOT NULL,
            PRIMARY KEY (tenant_id, waiver_id)
        );
        CREATE INDEX waivers_by_person ON waivers (tenant_id, person_id);

        -- When each person was last evaluated, and the last day that result holds on (apart
        -- from the status, which is computed when read: services.core.people.queries).
        CREATE TABLE obligation_evaluations (
            tenant_id uuid NOT NULL,
            person_id uuid NOT NULL,
            evaluated_on date NOT NULL,
            valid_through date NOT NULL CHECK (valid_through >= evaluated_on),
            PRIMARY KEY (tenant_id, person_id)
        );

        -- evaluate() on evaluated_on: one row per obligation (person x body x cycle; a mirrored
        -- body such as New Mexico repeats several bodies' cycles, so the key is the ordinal),
        -- with the numbers of the total line and the full explanation.
        CREATE TABLE obligations (
            tenant_id uuid NOT NULL,
            person_id uuid NOT NULL,
            body text NOT NULL,
            window_start date NOT NULL,
            window_end date NOT NULL,
            period text NOT NULL CHECK (period IN ('previous', 'current')),
            ordinal smallint NOT NULL,
            deadline date NOT NULL,
            required numeric(8, 2) NOT NULL,
            counted numeric(8, 2) NOT NULL,
            waived numeric(8, 2) NOT NULL,
            shortfall numeric(8, 2) NOT NULL,
            late_credits_until date,
            flagged boolean NOT NULL,
            explanation jsonb NOT NULL,
            PRIMARY KEY (tenant_id, person_id, ordinal)
        );
        CREATE INDEX obligations_by_deadline ON obligations (tenant_id, deadline);
        """
    )
    for table in TABLES:
        enable_tenant_rls(table)
    execute_script(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(TABLES)} TO {app_role()};")


def downgrade() -> None:
    execute_script(f"DROP TABLE {', '.join(TABLES)};")
