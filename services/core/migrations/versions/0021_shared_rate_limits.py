"""Rate-limit windows shared by every API process and host.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-07
"""

from services.core.migrations.sql import app_role, execute_script

revision = "0021"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        -- One row per limited key (a user, a client address, an organisation): the moments of
        -- the requests allowed in the current window. Not tenant data: keys are opaque.
        CREATE TABLE rate_limit_windows (
            key text PRIMARY KEY,
            hits timestamptz[] NOT NULL,
            expires_at timestamptz NOT NULL
        );
        CREATE INDEX rate_limit_windows_expiry ON rate_limit_windows (expires_at);

        -- Count one request against key's sliding window, atomically across processes: allowed
        -- when fewer than p_limit requests were allowed in the last p_window_s seconds (a refused
        -- request is not counted). Returns how many the window holds now and when its oldest
        -- request leaves it. A new key also sweeps up to 100 expired rows, so idle keys do not
        -- accumulate.
        CREATE FUNCTION rate_limit_hit(p_key text, p_window_s integer, p_limit integer)
        RETURNS TABLE (allowed boolean, used integer, reset_at timestamptz)
        LANGUAGE plpgsql AS $$
        DECLARE
            v_now timestamptz := clock_timestamp();
            v_window interval := make_interval(secs => p_window_s);
            v_hits timestamptz[];
        BEGIN
            INSERT INTO rate_limit_windows (key, hits, expires_at)
            VALUES (p_key, '{}', v_now + v_window)
            ON CONFLICT (key) DO NOTHING;
            IF FOUND THEN
                DELETE FROM rate_limit_windows WHERE key IN (
                    SELECT w.key FROM rate_limit_windows w
                    WHERE w.expires_at < v_now ORDER BY w.expires_at LIMIT 100
                );
            END IF;
            SELECT ARRAY(SELECT h FROM unnest(w.hits) AS h WHERE h > v_now - v_window ORDER BY h)
            INTO v_hits FROM rate_limit_windows w WHERE w.key = p_key FOR UPDATE;
            allowed := cardinality(v_hits) < p_limit;
            IF allowed THEN
                v_hits := v_hits || v_now;
            END IF;
            UPDATE rate_limit_windows SET hits = v_hits, expires_at = v_now + v_window
            WHERE key = p_key;
            used := cardinality(v_hits);
            reset_at := coalesce(v_hits[1], v_now) + v_window;
            RETURN NEXT;
        END
        $$;
        """
    )
    role = app_role()
    execute_script(
        f"""
        GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_windows TO {role};
        GRANT EXECUTE ON FUNCTION rate_limit_hit(text, integer, integer) TO {role};
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP FUNCTION rate_limit_hit(text, integer, integer);
        DROP TABLE rate_limit_windows;
        """
    )
