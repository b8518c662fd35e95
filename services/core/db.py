"""Database access for the application role: an asyncpg pool and tenant-scoped transactions.

Every unit of work runs in ``Database.transaction(tenant_id)``: one transaction whose first
statement sets ``app.tenant_id`` with a bound parameter, and the statement and idle timeouts,
all transaction-local (``set_config(..., true)``), so they end with the transaction and a pooled
connection carries nothing over. That also makes the pool safe behind PgBouncer in transaction
mode, which passes no such startup parameters and hands a server connection to another client
after each transaction (``db_statement_cache_size`` 0 there). Row-level security reads the
tenant setting; a transaction with no tenant sees no tenant rows.
SQLAlchemy runs the migrations; the hot path talks to asyncpg directly (docs/decisions.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from services.core.settings import Settings

IDLE_IN_TRANSACTION_MS = 60_000
"""A transaction left idle this long is ended by the server (its locks released)."""


@dataclass(frozen=True, slots=True)
class Tx:
    """An open transaction on one connection, scoped to ``tenant_id`` (None: no tenant)."""

    pg: asyncpg.Connection
    tenant_id: UUID | None

    def require_tenant(self) -> UUID:
        if self.tenant_id is None:
            raise RuntimeError("this operation needs a tenant-scoped transaction")
        return self.tenant_id


def asyncpg_dsn(url: str) -> str:
    """The asyncpg form of a ``postgresql+asyncpg://`` settings URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _keep_connection(_: asyncpg.Connection) -> None:
    """Pool release hook: nothing to reset, every setting of ours is transaction-local."""


class Database:
    """The application's connection pool (application role: no ownership, no BYPASSRLS)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def _get_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        asyncpg_dsn(self._settings.database_url),
                        min_size=1,
                        max_size=self._settings.db_pool_size,
                        reset=_keep_connection,
                        statement_cache_size=self._settings.db_statement_cache_size,
                        server_settings={"application_name": "cmeledger"},
                    )
        return self._pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection outside any transaction (for checks and LISTEN)."""
        pool = await self._get_pool()
        async with pool.acquire() as conn:
            yield conn

    @asynccontextmanager
    async def transaction(self, tenant_id: UUID | None) -> AsyncIterator[Tx]:
        """One transaction scoped to ``tenant_id``; commits on success, rolls back on error."""
        async with self.connection() as conn, conn.transaction():
            await conn.execute(
                "SELECT set_config('app.tenant_id', $1, true),"
                " set_config('statement_timeout', $2, true),"
                " set_config('idle_in_transaction_session_timeout', $3, true)",
                "" if tenant_id is None else str(tenant_id),
                str(self._settings.db_statement_timeout_ms),
                str(IDLE_IN_TRANSACTION_MS),
            )
            yield Tx(pg=conn, tenant_id=tenant_id)

    async def ping(self) -> None:
        async with self.connection() as conn:
            await conn.fetchval("SELECT 1")

    async def dispose(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
