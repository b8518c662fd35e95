"""Appends in one server-side call; the relay's wake-up leaves the append transaction.

``append_events`` does in one round trip what the store did in several: lock the tenant's head,
refuse a stale expected version or a reused event id, number the events, link them into the
tenant's hash chain with PostgreSQL's ``sha256()`` over the canonical text documented in
docs/audit-verification.md, insert them, move the head, and advance the inline projections'
checkpoints that stood just before the first event.

The statement trigger that sent ``NOTIFY`` in every appending transaction goes: a transaction
that notified takes a cluster-wide lock at commit (design P4). The application sends a debounced
notification after commit instead (``services.core.db``).

Distribution by tenant (docs/scaling.md): a token hash is unique per tenant, not across tenants
(a key a distributed table cannot enforce); it is the SHA-256 of a random secret, so two are
never equal anyway, and lookups by hash keep their index.

Revision ID: 0019
Revises: 0014
Create Date: 2026-12-07
"""

import importlib

from services.core.migrations.sql import app_role, execute_script

revision = "0019"
down_revision = "0014"
branch_labels = None
depends_on = None

_SIGNATURE = (
    "append_events(text[], integer[], integer[], uuid[], text[], integer[], text[], text,"
    " timestamptz, text[])"
)

APPEND_EVENTS = """
-- p_streams/p_expected: each stream once with its expected version (-1: no check);
-- the events, in order, name their stream by its index in p_streams (1-based) and
-- carry their data and the metadata as canonical JSON text, which is what the chain
-- hashes. Status: 'ok', 'unknown_tenant', 'stored' (an event id is already stored:
-- nothing written) or 'conflict' (conflict_stream is at conflict_actual, not at the
-- expected version: nothing written).
CREATE FUNCTION append_events(
    p_streams text[], p_expected integer[], e_stream integer[], e_id uuid[],
    e_type text[], e_schema integer[], e_data text[], p_metadata text,
    p_recorded_at timestamptz, p_checkpoints text[],
    OUT status text, OUT conflict_stream integer, OUT conflict_actual integer,
    OUT head_seq bigint, OUT head_hash text, OUT versions integer[],
    OUT hashes text[], OUT advanced text[])
LANGUAGE plpgsql AS $$
DECLARE
    t uuid := current_tenant();
    n integer := cardinality(e_id);
    current_versions integer[];
    stamp text := to_char(p_recorded_at AT TIME ZONE 'UTC',
                          'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    prev text;
    k integer;
BEGIN
    SELECT h.last_seq, h.last_hash INTO head_seq, head_hash
    FROM event_heads h WHERE h.tenant_id = t FOR UPDATE;
    IF NOT FOUND THEN
        status := 'unknown_tenant';
        RETURN;
    END IF;
    -- Statements from here on see every append committed while the lock was awaited.
    IF EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = t AND e.event_id = ANY(e_id))
    THEN
        status := 'stored';
        RETURN;
    END IF;
    SELECT array_agg(
        coalesce((SELECT max(e.stream_version) FROM events e
                  WHERE e.tenant_id = t AND e.stream_id = s.id), 0) ORDER BY s.ord)
    INTO current_versions
    FROM unnest(p_streams) WITH ORDINALITY AS s(id, ord);
    FOR k IN 1 .. cardinality(p_streams) LOOP
        IF p_expected[k] <> -1 AND p_expected[k] <> current_versions[k] THEN
            status := 'conflict';
            conflict_stream := k;
            conflict_actual := current_versions[k];
            RETURN;
        END IF;
    END LOOP;
    versions := array_fill(0, ARRAY[n]);
    hashes := array_fill(''::text, ARRAY[n]);
    prev := head_hash;
    FOR i IN 1 .. n LOOP
        k := e_stream[i];
        current_versions[k] := current_versions[k] + 1;
        versions[i] := current_versions[k];
        prev := encode(sha256(convert_to(
            '{"data":' || e_data[i]
            || ',"event_id":"' || e_id[i]
            || '","event_type":' || to_json(e_type[i])
            || ',"metadata":' || p_metadata
            || ',"prev_hash":"' || prev
            || '","recorded_at":"' || stamp
            || '","schema_version":' || e_schema[i]
            || ',"seq":' || (head_seq + i)
            || ',"stream_id":' || to_json(p_streams[k])
            || ',"stream_version":' || versions[i]
            || ',"tenant_id":"' || t || '"}',
            'UTF8')), 'hex');
        hashes[i] := prev;
    END LOOP;
    INSERT INTO events (tenant_id, seq, stream_id, stream_version, event_id, event_type,
                        schema_version, data, metadata, recorded_at, prev_hash, hash)
    SELECT t, head_seq + u.i, p_streams[u.k], u.version, u.id, u.type, u.schema,
           u.data::jsonb, p_metadata::jsonb, p_recorded_at,
           CASE WHEN u.i = 1 THEN head_hash ELSE hashes[u.i - 1] END, u.hash
    FROM unnest(e_stream, e_id, e_type, e_schema, e_data, versions, hashes)
         WITH ORDINALITY AS u(k, id, type, schema, data, version, hash, i);
    UPDATE event_heads SET last_seq = head_seq + n, last_hash = prev
    WHERE tenant_id = t;
    WITH moved AS (
        UPDATE checkpoints c SET position = head_seq + n, updated_at = now()
        WHERE c.tenant_id = t AND c.name = ANY(p_checkpoints)
          AND c.position = head_seq
        RETURNING c.name
    )
    SELECT coalesce(array_agg(moved.name), '{}') INTO advanced FROM moved;
    status := 'ok';
END $$;
"""
"""The function as this migration creates it (migration 0032 replaces it)."""


def upgrade() -> None:
    role = app_role()
    execute_script(APPEND_EVENTS)
    execute_script(
        """
        DROP TRIGGER events_notify ON events;
        DROP FUNCTION notify_events_appended();

        ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_token_hash_key;
        ALTER TABLE api_tokens ADD UNIQUE (tenant_id, token_hash);
        CREATE INDEX api_tokens_by_hash ON api_tokens (token_hash);
        """
    )
    execute_script(f"GRANT EXECUTE ON FUNCTION {_SIGNATURE} TO {role};")


def downgrade() -> None:
    execute_script(
        f"""
        DROP INDEX api_tokens_by_hash;
        ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_tenant_id_token_hash_key;
        ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash);
        DROP FUNCTION {_SIGNATURE};
        """
    )
    worker = importlib.import_module("services.core.migrations.versions.0007_worker")
    execute_script(worker.NOTIFY_TRIGGER)
