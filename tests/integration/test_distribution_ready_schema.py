"""What distributing the tenant tables by ``tenant_id`` with Citus requires of the schema
(docs/scaling.md): a tenant table is any table with a ``tenant_id`` column but ``tenants``, the
registry of tenants, which is a reference table like the other global ones, and
``stripe_inbox``, whose rows exist before their tenant is known (a Stripe event id is
deduplicated first): it stays on the coordinator."""

from __future__ import annotations

import asyncpg
import pytest

pytestmark = pytest.mark.integration

_TENANT_TABLES = """
SELECT c.oid, c.relname FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
  AND c.relname NOT IN ('tenants', 'stripe_inbox')
"""


async def test_every_primary_and_unique_key_of_a_tenant_table_leads_with_tenant_id(
    owner_connection: asyncpg.Connection,
) -> None:
    keys = await owner_connection.fetch(
        f"""
        SELECT t.relname, i.indexrelid::regclass::text AS key,
               pg_get_indexdef(i.indexrelid) AS definition,
               i.indkey[0] = (SELECT attnum FROM pg_attribute
                              WHERE attrelid = t.oid AND attname = 'tenant_id') AS leads
        FROM ({_TENANT_TABLES}) AS t(oid, relname)
        JOIN pg_index i ON i.indrelid = t.oid
        WHERE i.indisunique OR i.indisprimary
        """
    )
    assert len({row["relname"] for row in keys}) > 20, "every tenant table has a primary key"
    assert [row["definition"] for row in keys if not row["leads"]] == []


async def test_no_foreign_key_crosses_tenants(owner_connection: asyncpg.Connection) -> None:
    """Each foreign key of a tenant table binds its tenant_id to the referenced tenant_id."""
    keys = await owner_connection.fetch(
        f"""
        SELECT con.conname, pg_get_constraintdef(con.oid) AS definition,
               EXISTS (
                   SELECT 1 FROM unnest(con.conkey, con.confkey) AS k(mine, theirs)
                   JOIN pg_attribute m ON m.attrelid = con.conrelid AND m.attnum = k.mine
                   JOIN pg_attribute r ON r.attrelid = con.confrelid AND r.attnum = k.theirs
                   WHERE m.attname = 'tenant_id' AND r.attname = 'tenant_id'
               ) AS within_tenant
        FROM ({_TENANT_TABLES}) AS t(oid, relname)
        JOIN pg_constraint con ON con.conrelid = t.oid AND con.contype = 'f'
        """
    )
    assert [row["definition"] for row in keys if not row["within_tenant"]] == []


async def test_no_tenant_table_draws_from_a_sequence(owner_connection: asyncpg.Connection) -> None:
    """Numbers that must be dense or ordered per tenant come from the tenant's own rows (its
    head, a stream's version), never from a sequence shared by every tenant."""
    columns = await owner_connection.fetch(
        f"""
        SELECT t.relname, a.attname FROM ({_TENANT_TABLES}) AS t(oid, relname)
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
        WHERE a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval(%'
        """
    )
    assert [(row["relname"], row["attname"]) for row in columns] == []
