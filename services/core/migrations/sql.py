"""Helpers shared by migrations."""

from __future__ import annotations

import re

from alembic import op
from sqlalchemy.util import await_only


def app_role() -> str:
    """The application role named by settings, checked to be a plain identifier."""
    config = op.get_context().config
    assert config is not None
    role = str(config.attributes["app_role"])
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"unsafe application role name: {role!r}")
    return role


def execute_script(sql: str) -> None:
    """Run several SQL statements at once (asyncpg prepares single statements only)."""
    driver = op.get_bind().connection.dbapi_connection.driver_connection  # type: ignore[union-attr]
    await_only(driver.execute(sql))


def enable_tenant_rls(table: str) -> None:
    """ENABLE and FORCE row-level security on ``table``, scoped to the transaction's tenant."""
    execute_script(
        f"""
        ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON {table}
            USING (tenant_id = current_tenant())
            WITH CHECK (tenant_id = current_tenant());
        """
    )


def refill_previous_read_model_json() -> None:
    """Fill ``provider_directory.entry`` and ``waivers.state`` where they are NULL, for every
    tenant, from the plain columns, as the release of migrations 0025-0028 wrote them (each
    column by name; a blocked entry's ``kind`` and ``reason`` too). Used by the downgrades of
    the contract that drops them (0031, 0030), so that a release reading them finds them."""
    execute_script(
        """
        -- Every tenant's rows at once: the owner passes row-level security only while it is
        -- not forced, inside this transaction.
        ALTER TABLE provider_directory NO FORCE ROW LEVEL SECURITY;
        ALTER TABLE waivers NO FORCE ROW LEVEL SECURITY;
        UPDATE provider_directory SET entry = jsonb_build_object(
            'provider_id', provider_id, 'name', name, 'aliases', to_jsonb(aliases),
            'credit_types', to_jsonb(credit_types), 'reference', reference, 'origin', origin,
            'kind', kind, 'reason', reason)
        WHERE entry IS NULL;
        UPDATE waivers SET state = jsonb_build_object(
            'waiver_id', waiver_id, 'person_id', person_id, 'body', body, 'kind', kind,
            'granted_on', granted_on, 'reference', reference)
        WHERE state IS NULL;
        ALTER TABLE waivers FORCE ROW LEVEL SECURITY;
        ALTER TABLE provider_directory FORCE ROW LEVEL SECURITY;
        """
    )
