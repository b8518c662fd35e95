"""Database access for the application role: an asyncpg pool and tenant-scoped transactions.

Every unit of work runs in ``Database.transaction(tenant_id)``: one transaction opened together
with its setting of ``app.tenant_id`` and of the statement and idle timeouts (one round trip; the
tenant is a ``UUID`` and the timeouts integers, formatted by Python), all transaction-local
(``set_config(..., true)``), so they end with the transaction and a pooled connection carries
nothing over. That also makes the pool safe behind PgBouncer in transaction mode, which passes no
such startup parameters and hands a server connection to another client after each transaction
(``db_statement_cache_size`` 0 there). Row-level security reads the tenant setting; a
transaction with no tenant sees no tenant rows.
SQLAlchemy runs the migrations; the hot path talks to asyncpg directly (docs/decisions.md).

After a tenant's transaction that appended events commits, the database sends the relay its
wake-up ``NOTIFY`` (channel ``EVENTS_CHANNEL``, payload: the tenant id), debounced: the tenants
whose appends committed within ``NOTIFY_DEBOUNCE_S`` share one notifying statement, on its own
connection. A transaction that notifies takes a cluster-wide lock at commit (design P4), so the
appends themselves never notify.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Final
from uuid import UUID

import asyncpg
import structlog

from services.core.settings import Settings

IDLE_IN_TRANSACTION_MS = 60_000
"""A transaction left idle this long is ended by the server (its locks released)."""
TOAST_COMPRESSION: Final = "lz4"
"""How a transaction compresses values too large for their row (an obligation's explanation,
stored twice with its summary): lz4 writes and reads them several times faster than
PostgreSQL's default, pglz. Values stored before keep their method; reading needs no setting."""


@dataclass(frozen=True, slots=True)
class Tx:
    """An open transaction on one connection, scoped to ``tenant_id`` (None: no tenant)."""

    pg: asyncpg.Connection
    tenant_id: UUID | None
    _appended: list[bool] = field(default_factory=list, compare=False, repr=False)
    _saved: dict[str, dict[UUID, object]] = field(default_factory=dict, compare=False, repr=False)

    def appended(self) -> None:
        """Note that this transaction appended events: the relay is woken after its commit."""
        self._appended.append(True)

    def saved(self, read_model: str, states: dict[UUID, object]) -> None:
        """Note the states the last write to ``read_model`` stored, by row key, so that reading
        one back later in the transaction needs no statement (``written``). Only the last
        write's states are kept: a rebuild or a large import holds one batch, not all."""
        self._saved[read_model] = states

    def forget_saved(self) -> None:
        """Forget every noted state (the read models are about to be torn down)."""
        self._saved.clear()

    def written(self, read_model: str, key: UUID) -> object | None:
        """The state the last write to ``read_model`` stored in row ``key`` (None: that write
        stored none; read the row)."""
        return self._saved.get(read_model, {}).get(key)

    def require_tenant(self) -> UUID:
        if self.tenant_id is None:
            raise RuntimeError("this operation needs a tenant-scoped transaction")
        return self.tenant_id


def asyncpg_dsn(url: str) -> str:
    """The asyncpg form of a ``postgresql+asyncpg://`` settings URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


log = structlog.get_logger("cmeledger.db")

EVENTS_CHANNEL: Final = "cmeledger_events"
NOTIFY_DEBOUNCE_S: Final = 0.01


async def _keep_connection(_: asyncpg.Connection) -> None:
    """Pool release hook: nothing to reset, every setting of ours is transaction-local."""


class Database:
    """The application's connection pool (application role: no ownership, no BYPASSRLS)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()
        self._to_notify: set[str] = set()
        self._notifying: asyncio.Task[None] | None = None
        self._observers: list[Callable[[asyncpg.connection.LoggedQuery], None]] = []

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
            observers = list(self._observers)
            for observer in observers:
                conn.add_query_logger(observer)
            try:
                yield conn
            finally:
                for observer in observers:
                    conn.remove_query_logger(observer)

    @contextmanager
    def observing_statements(
        self, observer: Callable[[asyncpg.connection.LoggedQuery], None]
    ) -> Iterator[None]:
        """Call ``observer`` (soon after, from the event loop) with every round trip sent on a
        connection taken from the pool while the block runs: statements per request, for tests
        and diagnostics. A simple-protocol string of several statements is one round trip."""
        self._observers.append(observer)
        try:
            yield
        finally:
            self._observers.remove(observer)

    @asynccontextmanager
    async def transaction(self, tenant_id: UUID | None) -> AsyncIterator[Tx]:
        """One transaction scoped to ``tenant_id``; commits on success, rolls back on error."""
        tenant = "" if tenant_id is None else str(UUID(str(tenant_id)))
        async with self.connection() as conn:
            # One round trip opens and scopes the transaction; a UUID's text and integers are safe
            # inline.
            await conn.execute(
                f"BEGIN; SELECT set_config('app.tenant_id', '{tenant}', true),"
                f" set_config('statement_timeout', '{int(self._settings.db_statement_timeout_ms)}',"
                " true),"
                f" set_config('idle_in_transaction_session_timeout', '{IDLE_IN_TRANSACTION_MS}',"
                " true),"
                f" set_config('default_toast_compression', '{TOAST_COMPRESSION}', true)"
            )
            tx = Tx(pg=conn, tenant_id=tenant_id)
            try:
                yield tx
            except BaseException:
                try:
                    await conn.execute("ROLLBACK")
                except BaseException:
                    conn.terminate()  # the pool replaces a connection it cannot roll back
                raise
            await conn.execute("COMMIT")
        if tx._appended and tenant:
            self._notify(tenant)

    def _notify(self, tenant: str) -> None:
        """Wake the relay for ``tenant`` soon, in one statement with the others due."""
        self._to_notify.add(tenant)
        if self._notifying is None or self._notifying.done():
            self._notifying = asyncio.get_running_loop().create_task(self._send_notifications())

    async def _send_notifications(self) -> None:
        """Notify the tenants due; a failure only delays them to the relay's next poll."""
        await asyncio.sleep(NOTIFY_DEBOUNCE_S)
        while self._to_notify:
            tenants, self._to_notify = sorted(self._to_notify), set()
            try:
                async with self.connection() as conn:
                    await conn.execute(
                        "SELECT pg_notify($1, tenant) FROM unnest($2::text[]) AS tenant",
                        EVENTS_CHANNEL,
                        tenants,
                    )
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                log.warning("relay wake-up not sent", tenants=len(tenants), exc_info=True)

    async def ping(self) -> None:
        async with self.connection() as conn:
            await conn.fetchval("SELECT 1")

    async def dispose(self) -> None:
        if self._notifying is not None:
            await self._notifying
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
