"""A Litestar session store in PostgreSQL, so sessions survive restarts and are shared by every
API process: the framework's ``Store`` interface over ``services.core.accounts.session_store``."""

from __future__ import annotations

from datetime import datetime, timedelta

from litestar.stores.base import Store

from services.core.accounts import session_store
from services.core.db import Database
from services.core.eventsourcing.store import Clock


class PostgresSessionStore(Store):
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def _expiry(self, expires_in: int | timedelta | None) -> datetime | None:
        if expires_in is None:
            return None
        seconds = expires_in if isinstance(expires_in, int) else expires_in.total_seconds()
        return self._clock() + timedelta(seconds=seconds)

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        await session_store.save_session(self._database, key, data, self._expiry(expires_in))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        return await session_store.load_session(
            self._database, key, renew_until=self._expiry(renew_for)
        )

    async def delete(self, key: str) -> None:
        await session_store.delete_session(self._database, key)

    async def delete_all(self) -> None:
        await session_store.delete_all_sessions(self._database)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        expires_at = await session_store.session_expiry(self._database, key)
        if expires_at is None:
            return None
        return max(int((expires_at - self._clock()).total_seconds()), 0)

    async def delete_expired(self) -> int:
        """Remove sessions past their expiry; return how many."""
        return await session_store.delete_expired_sessions(self._database)
