"""Account tokens (password reset, email verification) and personal API tokens.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = app_role()
    execute_script(
        """
        -- Single-use, expiring secrets mailed to a user. Global, like users; only a SHA-256 hash
        -- of the secret is stored.
        CREATE TABLE account_tokens (
            token_hash char(64) PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users (user_id),
            purpose text NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL,
            used_at timestamptz
        );
        CREATE INDEX account_tokens_by_user ON account_tokens (user_id, purpose);

        -- Personal API tokens: a member's access to one organisation, limited by scopes.
        CREATE TABLE api_tokens (
            tenant_id uuid NOT NULL,
            token_id uuid NOT NULL,
            user_id uuid NOT NULL,
            name text NOT NULL,
            scopes text[] NOT NULL,
            token_hash char(64) NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz,
            revoked_at timestamptz,
            PRIMARY KEY (tenant_id, token_id)
        );
        CREATE INDEX api_tokens_by_user ON api_tokens (tenant_id, user_id);
        """
    )
    enable_tenant_rls("api_tokens")
    execute_script(
        f"""
        -- Whoever presents a token may read that one token (to learn its organisation).
        CREATE POLICY api_token_by_hash ON api_tokens FOR SELECT
            USING (token_hash = current_setting('app.api_token_hash', true));
        GRANT SELECT, INSERT, UPDATE ON account_tokens TO {role};
        GRANT SELECT, INSERT, UPDATE ON api_tokens TO {role};
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE api_tokens, account_tokens;")
