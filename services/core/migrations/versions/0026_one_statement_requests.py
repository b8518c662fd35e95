"""A request's authentication and its rate limits, each in one statement.

``member_of`` reads a member's current membership with the tenant set for row-level security;
``token_member`` finds a personal API token and its member's membership (the window the token
was made in) at once; ``rate_limit_hits`` counts a request against several keys' windows,
stopping at the first that refuses it. Each runs as a single statement in its own transaction:
their ``set_config(..., true)`` ends with it.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from services.core.migrations.sql import app_role, execute_script

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- The current membership of p_user_id in p_tenant_id (no row: none, or its window ended).
        CREATE FUNCTION member_of(p_tenant_id uuid, p_user_id uuid)
        RETURNS TABLE (email text, role text, person_id uuid, access_until timestamptz)
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
            RETURN QUERY
            SELECT m.email, m.role, m.person_id, m.access_until FROM memberships m
            WHERE m.tenant_id = p_tenant_id AND m.user_id = p_user_id
              AND (m.access_until IS NULL OR m.access_until > now());
        END
        $$;

        -- The valid API token with hash p_token_hash and its member, while the membership still
        -- has the access window the token was made in (no row otherwise).
        CREATE FUNCTION token_member(p_token_hash text)
        RETURNS TABLE (token_id uuid, tenant_id uuid, user_id uuid, scopes text[],
                       email text, role text, person_id uuid, access_until timestamptz)
        LANGUAGE plpgsql AS $$
        DECLARE
            v_token api_tokens%ROWTYPE;
        BEGIN
            PERFORM set_config('app.api_token_hash', p_token_hash, true);
            SELECT * INTO v_token FROM api_tokens t
            WHERE t.token_hash = p_token_hash
              AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now());
            IF NOT FOUND THEN
                RETURN;
            END IF;
            RETURN QUERY
            SELECT v_token.token_id, v_token.tenant_id, v_token.user_id, v_token.scopes,
                   m.email, m.role, m.person_id, m.access_until
            FROM member_of(v_token.tenant_id, v_token.user_id) m
            WHERE m.access_until IS NOT DISTINCT FROM v_token.access_until;
        END
        $$;

        -- Count one request against each of p_keys' windows in order (p_limits[i] for
        -- p_keys[i]), as rate_limit_hit does, stopping after the first key that refuses it: a
        -- refused request is counted nowhere after. One row per key counted.
        CREATE FUNCTION rate_limit_hits(p_keys text[], p_window_s integer, p_limits integer[])
        RETURNS TABLE (key text, allowed boolean, used integer, reset_at timestamptz)
        LANGUAGE plpgsql AS $$
        DECLARE
            i integer;
        BEGIN
            FOR i IN 1 .. coalesce(cardinality(p_keys), 0) LOOP
                key := p_keys[i];
                SELECT h.allowed, h.used, h.reset_at INTO allowed, used, reset_at
                FROM rate_limit_hit(p_keys[i], p_window_s, p_limits[i]) h;
                RETURN NEXT;
                EXIT WHEN NOT allowed;
            END LOOP;
        END
        $$;
        """
    )
    role = app_role()
    execute_script(
        f"""
        GRANT EXECUTE ON FUNCTION member_of(uuid, uuid) TO {role};
        GRANT EXECUTE ON FUNCTION token_member(text) TO {role};
        GRANT EXECUTE ON FUNCTION rate_limit_hits(text[], integer, integer[]) TO {role};
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP FUNCTION rate_limit_hits(text[], integer, integer[]);
        DROP FUNCTION token_member(text);
        DROP FUNCTION member_of(uuid, uuid);
        """
    )
