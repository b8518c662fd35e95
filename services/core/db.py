"""Database access: one engine per role, and tenant-scoped transactions.

Every unit of work runs in ``Database.transaction(tenant_id)``: one transaction whose first
statement sets ``app.tenant_id`` (transaction-local, bound parameter). Row-level security
reads that setting, so a transaction with no tenant sees no tenant rows at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from services.core.settings import Settings

_SET_TENANT = text("SELECT set_config('app.tenant_id', :tenant, true)")


@dataclass(frozen=True, slots=True)
class Tx:
    """An open transaction: SQLAlchemy for ordinary queries, the asyncpg driver for hot paths."""

    sa: AsyncConnection
    pg: asyncpg.Connection
    tenant_id: UUID | None

    def require_tenant(self) -> UUID:
        if self.tenant_id is None:
            raise RuntimeError("this operation needs a tenant-scoped transaction")
        return self.tenant_id


def make_engine(url: str, settings: Settings, **kwargs: Any) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        pool_pre_ping=True,
        connect_args={
            "server_settings": {
                "application_name": "cmeledger",
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "idle_in_transaction_session_timeout": "60000",
            }
        },
        **kwargs,
    )


class Database:
    """The application's connection pool (application role: no ownership, no BYPASSRLS)."""

    def __init__(self, settings: Settings, engine: AsyncEngine | None = None) -> None:
        self.engine = engine or make_engine(settings.database_url, settings)

    @asynccontextmanager
    async def transaction(self, tenant_id: UUID | None) -> AsyncIterator[Tx]:
        """One transaction scoped to ``tenant_id``; commits on success, rolls back on error."""
        async with self.engine.begin() as conn:
            # Executed through SQLAlchemy so that its transaction is open before raw driver use.
            await conn.execute(_SET_TENANT, {"tenant": "" if tenant_id is None else str(tenant_id)})
            raw = await conn.get_raw_connection()
            yield Tx(sa=conn, pg=raw.driver_connection, tenant_id=tenant_id)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
