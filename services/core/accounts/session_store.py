"""The server-side sessions table: what the API's session store reads and writes, and ending a
user's sessions. Keys (the cookies' session ids) are stored only as SHA-256 hashes; values are
the web framework's JSON session data (``user_id``, ``tenant_id``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.core.db import Database, Tx
from services.core.hashing import secret_hash


async def save_session(
    database: Database, key: str, value: bytes, expires_at: datetime | None
) -> None:
    """Store (or replace) the session ``key``."""
    async with database.connection() as conn:
        await conn.execute(
            "INSERT INTO sessions (key_hash, value, expires_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (key_hash) DO UPDATE SET value = excluded.value,"
            " expires_at = excluded.expires_at",
            secret_hash(key),
            value,
            expires_at,
        )


async def load_session(
    database: Database, key: str, *, renew_until: datetime | None = None
) -> bytes | None:
    """The unexpired session ``key`` (None: none), its expiry moved to ``renew_until`` if given."""
    async with database.connection() as conn:
        if renew_until is not None:
            value = await conn.fetchval(
                "UPDATE sessions SET expires_at = $2 WHERE key_hash = $1"
                " AND (expires_at IS NULL OR expires_at > now()) RETURNING value",
                secret_hash(key),
                renew_until,
            )
        else:
            value = await conn.fetchval(
                "SELECT value FROM sessions WHERE key_hash = $1"
                " AND (expires_at IS NULL OR expires_at > now())",
                secret_hash(key),
            )
    return None if value is None else bytes(value)


async def session_expiry(database: Database, key: str) -> datetime | None:
    """When the session ``key`` expires (None: never, or no such session)."""
    async with database.connection() as conn:
        expires_at: datetime | None = await conn.fetchval(
            "SELECT expires_at FROM sessions WHERE key_hash = $1", secret_hash(key)
        )
    return expires_at


async def delete_session(database: Database, key: str) -> None:
    async with database.connection() as conn:
        await conn.execute("DELETE FROM sessions WHERE key_hash = $1", secret_hash(key))


async def delete_all_sessions(database: Database) -> None:
    async with database.connection() as conn:
        await conn.execute("DELETE FROM sessions")


async def delete_expired_sessions(database: Database) -> int:
    """Remove sessions past their expiry; return how many."""
    async with database.connection() as conn:
        status = await conn.execute("DELETE FROM sessions WHERE expires_at <= now()")
    return int(status.split()[-1])


async def end_sessions_of(tx: Tx, user_id: UUID) -> int:
    """End every session of ``user_id``, in every organisation; return how many."""
    status = await tx.pg.execute(
        "DELETE FROM sessions WHERE convert_from(value, 'UTF8')::jsonb ->> 'user_id' = $1",
        str(user_id),
    )
    return int(status.split()[-1])
