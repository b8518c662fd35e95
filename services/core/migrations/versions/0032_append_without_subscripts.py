"""``append_events`` in time linear in the batch: no array subscript inside its INSERT.

Migration 0019's function read ``hashes[u.i - 1]`` and ``p_streams[u.k]`` inside the INSERT
statement. There the arrays are flat values, so each subscript walks the array from its start:
time quadratic in the batch (about 8 s of a 28,000-event roster import, against 0.1 s for the
hashing loop). The loop, where the arrays are PL/pgSQL variables read and written in place, now
also fills each event's stream id and previous hash, and the INSERT only unnests arrays. What is
written, checked and returned is unchanged.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07
"""

import importlib

from services.core.migrations.sql import execute_script

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

_APPEND_EVENTS = """
CREATE OR REPLACE FUNCTION append_events(
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
    stream_ids text[];
    prev_hashes text[];
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
    stream_ids := array_fill(''::text, ARRAY[n]);
    prev_hashes := array_fill(''::text, ARRAY[n]);
    prev := head_hash;
    FOR i IN 1 .. n LOOP
        k := e_stream[i];
        current_versions[k] := current_versions[k] + 1;
        versions[i] := current_versions[k];
        stream_ids[i] := p_streams[k];
        prev_hashes[i] := prev;
        prev := encode(sha256(convert_to(
            '{"data":' || e_data[i]
            || ',"event_id":"' || e_id[i]
            || '","event_type":' || to_json(e_type[i])
            || ',"metadata":' || p_metadata
            || ',"prev_hash":"' || prev
            || '","recorded_at":"' || stamp
            || '","schema_version":' || e_schema[i]
            || ',"seq":' || (head_seq + i)
            || ',"stream_id":' || to_json(stream_ids[i])
            || ',"stream_version":' || versions[i]
            || ',"tenant_id":"' || t || '"}',
            'UTF8')), 'hex');
        hashes[i] := prev;
    END LOOP;
    INSERT INTO events (tenant_id, seq, stream_id, stream_version, event_id, event_type,
                        schema_version, data, metadata, recorded_at, prev_hash, hash)
    SELECT t, head_seq + u.i, u.stream_id, u.version, u.id, u.type, u.schema,
           u.data::jsonb, p_metadata::jsonb, p_recorded_at, u.prev_hash, u.hash
    FROM unnest(stream_ids, e_id, e_type, e_schema, e_data, versions, prev_hashes, hashes)
         WITH ORDINALITY AS u(stream_id, id, type, schema, data, version, prev_hash, hash, i);
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


def upgrade() -> None:
    execute_script(_APPEND_EVENTS)


def downgrade() -> None:
    previous = importlib.import_module("services.core.migrations.versions.0019_append_function")
    execute_script(previous.APPEND_EVENTS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
