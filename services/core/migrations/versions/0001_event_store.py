"""Event store: tenants, per-tenant heads and hash chain, append-only events, checkpoints.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from services.core.migrations.sql import app_role, enable_tenant_rls, execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    role = app_role()
    execute_script(
        """
        CREATE FUNCTION current_tenant() RETURNS uuid
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

        -- The registry of tenants: ids only, no tenant data. Global by design so that
        -- cross-tenant processes (relay, scheduler, maintenance commands) can enumerate tenants
        -- and then work inside one tenant's transaction at a time.
        CREATE TABLE tenants (
            tenant_id uuid PRIMARY KEY,
            created_at timestamptz NOT NULL DEFAULT now()
        );

        -- One row per tenant: the last sequence number and hash of its chain. Appends lock this
        -- row until commit, so a tenant's sequence is dense and in commit order.
        CREATE TABLE event_heads (
            tenant_id uuid PRIMARY KEY REFERENCES tenants,
            last_seq bigint NOT NULL CHECK (last_seq >= 0),
            last_hash char(64) NOT NULL
        );

        -- No foreign key: a tenant's head row (which has one) is locked before every append.
        CREATE TABLE events (
            tenant_id uuid NOT NULL,
            seq bigint NOT NULL CHECK (seq > 0),
            stream_id text NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 200),
            stream_version integer NOT NULL CHECK (stream_version > 0),
            event_id uuid NOT NULL,
            event_type text NOT NULL,
            schema_version integer NOT NULL CHECK (schema_version > 0),
            data jsonb NOT NULL,
            metadata jsonb NOT NULL,
            recorded_at timestamptz NOT NULL,
            prev_hash char(64) NOT NULL,
            hash char(64) NOT NULL,
            PRIMARY KEY (tenant_id, seq),
            UNIQUE (tenant_id, stream_id, stream_version),
            UNIQUE (tenant_id, event_id)
        );
        CREATE INDEX events_by_type ON events (tenant_id, event_type, seq);

        -- Lock the transaction tenant's head until commit, then read the stream's version and
        -- how many of the given event ids are stored. Statements after the lock see every
        -- append committed while this one waited (READ COMMITTED takes a snapshot per
        -- statement). Returns no row for an unregistered tenant.
        CREATE FUNCTION lock_stream(p_stream text, p_event_ids uuid[])
        RETURNS TABLE (last_seq bigint, last_hash char(64), stream_version integer,
                       stored_ids integer)
        LANGUAGE plpgsql AS $$
        DECLARE
            t uuid := current_tenant();
        BEGIN
            SELECT h.last_seq, h.last_hash INTO last_seq, last_hash
            FROM event_heads h WHERE h.tenant_id = t FOR UPDATE;
            IF NOT FOUND THEN
                RETURN;
            END IF;
            SELECT coalesce(max(e.stream_version), 0) INTO stream_version
            FROM events e WHERE e.tenant_id = t AND e.stream_id = p_stream;
            SELECT count(*) INTO stored_ids
            FROM events e WHERE e.tenant_id = t AND e.event_id = ANY(p_event_ids);
            RETURN NEXT;
        END $$;

        CREATE FUNCTION reject_event_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
                USING ERRCODE = 'restrict_violation';
        END $$;
        CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
            FOR EACH ROW EXECUTE FUNCTION reject_event_change();
        CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
            FOR EACH STATEMENT EXECUTE FUNCTION reject_event_change();

        -- Durable positions of projections and feed consumers, per tenant. Forward only.
        CREATE TABLE checkpoints (
            tenant_id uuid NOT NULL,
            name text NOT NULL,
            position bigint NOT NULL CHECK (position >= 0),
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, name)
        );
        CREATE FUNCTION reject_checkpoint_regression() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.position <= OLD.position THEN
                RAISE EXCEPTION 'checkpoint % may only move forward (% -> %)',
                    OLD.name, OLD.position, NEW.position
                    USING ERRCODE = 'unique_violation';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER checkpoints_forward_only BEFORE UPDATE ON checkpoints
            FOR EACH ROW EXECUTE FUNCTION reject_checkpoint_regression();

        -- Read model: one row per stream (rebuildable from events).
        CREATE TABLE stream_summaries (
            tenant_id uuid NOT NULL,
            stream_id text NOT NULL,
            version integer NOT NULL,
            event_count integer NOT NULL,
            first_recorded_at timestamptz NOT NULL,
            last_recorded_at timestamptz NOT NULL,
            last_event_type text NOT NULL,
            PRIMARY KEY (tenant_id, stream_id)
        );
        """
    )
    for table in ("event_heads", "events", "checkpoints", "stream_summaries"):
        enable_tenant_rls(table)
    execute_script(
        f"""
        GRANT SELECT, INSERT ON tenants, events TO {role};
        GRANT SELECT, INSERT, UPDATE ON event_heads TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE ON checkpoints, stream_summaries TO {role};
        GRANT EXECUTE ON FUNCTION current_tenant(), lock_stream(text, uuid[]) TO {role};
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE stream_summaries, checkpoints, events, event_heads, tenants;
        DROP FUNCTION reject_checkpoint_regression(), reject_event_change(),
            lock_stream(text, uuid[]), current_tenant();
        """
    )
