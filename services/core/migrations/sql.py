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
