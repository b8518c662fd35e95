"""A Litestar session store in PostgreSQL, so sessions survive restarts and are shared by every
API process. Keys (the cookie's session ids) are stored only as SHA-256 hashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from litestar.stores.base import Store

from services.core.db import Database
from services.core.hashing import secret_hash


def _expiry(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in if isinstance(expires_in, int) else expires_in.total_seconds()
    return datetime.now(UTC) + timedelta(seconds=seconds)


class PostgresSessionStore(Store):
    def __init__(self, database: Database) -> None:
        self._database = database

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        async with self._database.connection() as conn:
            await conn.execute(
                "INSERT INTO sessions (key_hash, value, expires_at) VALUES ($1, $2, $3)"
                " ON CONFLICT (key_hash) DO UPDATE SET value = excluded.value,"
                " expires_at = excluded.expires_at",
                secret_hash(key),
                data,
                _expiry(expires_in),
            )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        async with self._database.connection() as conn:
            if renew_for is not None:
                value = await conn.fetchval(
                    "UPDATE sessions SET expires_at = $2 WHERE key_hash = $1"
                    " AND (expires_at IS NULL OR expires_at > now()) RETURNING value",
                    secret_hash(key),
                    _expiry(renew_for),
                )
            else:
                value = await conn.fetchval(
                    "SELECT value FROM sessions WHERE key_hash = $1"
                    " AND (expires_at IS NULL OR expires_at > now())",
                    secret_hash(key),
                )
        return None if value is None else bytes(value)

    async def delete(self, key: str) -> None:
        async with self._database.connection() as conn:
            await conn.execute("DELETE FROM sessions WHERE key_hash = $1", secret_hash(key))

    async def delete_all(self) -> None:
        async with self._database.connection() as conn:
            await conn.execute("DELETE FROM sessions")

    async def delete_for_user(self, user_id: UUID) -> int:
        """End every session of ``user_id`` (values are Litestar's JSON session data); return
        how many."""
        async with self._database.connection() as conn:
            status = await conn.execute(
                "DELETE FROM sessions WHERE convert_from(value, 'UTF8')::jsonb ->> 'user_id' = $1",
                str(user_id),
            )
        return int(status.split()[-1])

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        async with self._database.connection() as conn:
            expires_at = await conn.fetchval(
                "SELECT expires_at FROM sessions WHERE key_hash = $1", secret_hash(key)
            )
        if expires_at is None:
            return None
        return max(int((expires_at - datetime.now(UTC)).total_seconds()), 0)

    async def delete_expired(self) -> int:
        """Remove sessions past their expiry; return how many."""
        async with self._database.connection() as conn:
            status = await conn.execute("DELETE FROM sessions WHERE expires_at <= now()")
        return int(status.split()[-1])
