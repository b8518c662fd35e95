"""Identity: users (global), organisation slugs, memberships and organisations read models,
server-side sessions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = app_role()
    execute_script(
        """
        -- The signed-in user of the transaction (sign-in and organisation picking only).
        CREATE FUNCTION current_user_id() RETURNS uuid
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

        -- Slugs are unique across organisations, so they live in the global registry.
        ALTER TABLE tenants ADD COLUMN slug text UNIQUE;

        -- People who can sign in. Global: one person may belong to several organisations.
        -- Mutable on purpose (password hashes never enter the immutable history).
        CREATE TABLE users (
            user_id uuid PRIMARY KEY,
            email text NOT NULL,
            password_hash text NOT NULL,
            email_verified_at timestamptz,
            failed_sign_ins integer NOT NULL DEFAULT 0,
            locked_until timestamptz,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX users_email ON users (lower(email));

        -- Server-side sessions, keyed by a hash of the cookie's session id.
        CREATE TABLE sessions (
            key_hash char(64) PRIMARY KEY,
            value bytea NOT NULL,
            expires_at timestamptz
        );
        CREATE INDEX sessions_expiry ON sessions (expires_at);

        -- Read models of the organisation aggregate.
        CREATE TABLE organisations (
            tenant_id uuid PRIMARY KEY,
            name text NOT NULL,
            slug text NOT NULL
        );
        CREATE TABLE memberships (
            tenant_id uuid NOT NULL,
            user_id uuid NOT NULL,
            email text NOT NULL,
            role text NOT NULL,
            organisation_name text NOT NULL,
            person_id uuid NOT NULL,
            access_until timestamptz,
            PRIMARY KEY (tenant_id, user_id)
        );
        CREATE INDEX memberships_by_user ON memberships (user_id);
        CREATE TABLE invitations (
            tenant_id uuid NOT NULL,
            invitation_id uuid NOT NULL,
            email text NOT NULL,
            role text NOT NULL,
            token_hash char(64) NOT NULL,
            expires_at timestamptz NOT NULL,
            status text NOT NULL,
            PRIMARY KEY (tenant_id, invitation_id)
        );
        CREATE INDEX invitations_by_token ON invitations (token_hash);
        """
    )
    enable_tenant_rls("organisations")
    enable_tenant_rls("memberships")
    enable_tenant_rls("invitations")
    execute_script(
        f"""
        -- A signed-in user may list their own memberships in every organisation.
        CREATE POLICY own_memberships ON memberships FOR SELECT
            USING (user_id = current_user_id());
        -- Whoever holds an invitation link may read that one invitation (to accept it).
        CREATE POLICY invitation_by_token ON invitations FOR SELECT
            USING (token_hash = current_setting('app.invitation_token_hash', true));
        GRANT SELECT, INSERT, UPDATE ON users TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON organisations, memberships, invitations TO {role};
        GRANT UPDATE (slug) ON tenants TO {role};
        GRANT EXECUTE ON FUNCTION current_user_id() TO {role};
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE invitations, memberships, organisations, sessions, users;
        ALTER TABLE tenants DROP COLUMN slug;
        DROP FUNCTION current_user_id();
        """
    )
