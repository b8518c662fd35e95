"""Backups that restore: the database (``pg_dump``, custom format) and every certificate file,
with a manifest of their SHA-256 hashes, in one directory.

Both directions run as the backup role (``CMELEDGER_BACKUP_DATABASE_URL``): it has BYPASSRLS,
without which forced row-level security would hide every row from ``pg_dump`` and refuse
``COPY`` into the tables, and it is a member of the owner role, so the restored tables belong to
the owner as before and the application role's grants come back with them.

``restore`` checks every hash before it touches anything, refuses a database that already has
tables, restores in one transaction (all or nothing), then puts the certificate files into the
configured blob store (content-addressed: a file already there is left as it is). The chain can
be verified afterwards with ``cmeledger verify-chain``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg
import msgspec

from services.core.blobs import BlobStore, blob_key
from services.core.db import asyncpg_dsn

FORMAT = "cmeledger-backup"
MANIFEST = "manifest.json"
DUMP = "database.dump"
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    """The backup cannot be made or restored (the message says why; it holds no secret)."""


class BackupFile(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    """Relative to the backup directory."""
    sha256: str
    bytes: int


class BlobFile(BackupFile, frozen=True, kw_only=True):
    key: str
    """The blob store key (``<tenant id>/<sha256>``)."""


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    format: str
    version: int
    created_at: datetime
    migration: str
    """The Alembic revision the database was at."""
    database: BackupFile
    blobs: list[BlobFile]


def _libpq(url: str, database: str | None = None) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment that carries it (so no password
    shows in a process list or an error message)."""
    parts = urlsplit(asyncpg_dsn(url))
    netloc = (parts.username or "") + "@" + (parts.hostname or "")
    netloc += f":{parts.port}" if parts.port else ""
    path = "/" + database if database else parts.path
    env = {**os.environ, "PGPASSWORD": unquote(parts.password or "")}
    return urlunsplit(parts._replace(netloc=netloc, path=path)), env


def _run(command: list[str], env: dict[str, str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} not found (install the PostgreSQL client)")
    done = subprocess.run(  # noqa: S603 (a fixed tool; the URL holds no password)
        [tool, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _recorded(root: Path, path: Path) -> BackupFile:
    return BackupFile(
        path=path.relative_to(root).as_posix(), sha256=_sha256_of(path), bytes=path.stat().st_size
    )


def _copy_blob(blobs: BlobStore, key: str, root: Path) -> BlobFile:
    """Copy one certificate file out of the store to ``root/blobs/<key>``, checking that its
    content matches its key."""
    target = root / "blobs" / key
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as file:
        for chunk in blobs.open(key):
            digest.update(chunk)
            size += len(chunk)
            file.write(chunk)
    if digest.hexdigest() != key.split("/")[1]:
        raise BackupError(f"certificate file {key} does not match its hash: the store is damaged")
    return BlobFile(
        key=key, path=target.relative_to(root).as_posix(), sha256=digest.hexdigest(), bytes=size
    )


def _prepare(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    target.mkdir(parents=True, exist_ok=True)


async def backup(backup_url: str, blobs: BlobStore, target: Path) -> Manifest:
    """Write the database and every certificate file it refers to under ``target`` (a new or
    empty directory), with the manifest last: a directory without one is not a backup."""
    await asyncio.to_thread(_prepare, target)
    url, env = _libpq(backup_url)
    dump = target / DUMP
    await asyncio.to_thread(
        _run, ["pg_dump", "--format=custom", "--compress=6", f"--file={dump}", url], env
    )
    # Listed after the dump: a file uploaded meanwhile is copied too (harmless), none is missed.
    connection = await asyncpg.connect(asyncpg_dsn(backup_url))
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            # The revision from the dump's own moment would need reading the dump; a migration
            # between the two is an operator error the restore's verify-chain would not hide.
            migration = await connection.fetchval(
                "SELECT string_agg(version_num, ',') FROM alembic_version"
            )
            keys = [
                blob_key(row["tenant_id"], row["sha256"])
                for row in await connection.fetch(
                    "SELECT DISTINCT tenant_id, sha256 FROM certificates ORDER BY 1, 2"
                )
            ]
    finally:
        await connection.close()
    files = [await asyncio.to_thread(_copy_blob, blobs, key, target) for key in keys]
    manifest = Manifest(
        format=FORMAT,
        version=1,
        created_at=datetime.now(UTC),
        migration=str(migration or ""),
        database=await asyncio.to_thread(_recorded, target, dump),
        blobs=files,
    )
    encoded = msgspec.json.format(msgspec.json.encode(manifest))
    await asyncio.to_thread((target / MANIFEST).write_bytes, encoded)
    return manifest


def read_manifest(source: Path) -> Manifest:
    """The manifest of the backup in ``source``, after checking every file against it."""
    try:
        manifest = msgspec.json.decode((source / MANIFEST).read_bytes(), type=Manifest)
    except (OSError, msgspec.DecodeError) as exc:
        raise BackupError(f"{source} holds no readable {MANIFEST}: {exc}") from None
    if manifest.format != FORMAT or manifest.version != 1:
        raise BackupError(f"{source}: not a {FORMAT} version 1")
    for recorded in [manifest.database, *manifest.blobs]:
        path = source / recorded.path
        if not path.resolve().is_relative_to(source.resolve()) or not path.is_file():
            raise BackupError(f"{recorded.path}: missing from the backup")
        if _sha256_of(path) != recorded.sha256 or path.stat().st_size != recorded.bytes:
            raise BackupError(f"{recorded.path}: does not match the manifest (damaged)")
    return manifest


async def restore(backup_url: str, blobs: BlobStore, source: Path, database: str) -> Manifest:
    """Restore the backup in ``source`` into ``database`` (existing, empty, owned by the owner
    role) on the backup role's server, then its certificate files into ``blobs``."""
    manifest = await asyncio.to_thread(read_manifest, source)
    url, env = _libpq(backup_url, database)
    connection = await asyncpg.connect(asyncpg_dsn(_with_database(backup_url, database)))
    try:
        tables = await connection.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        )
    finally:
        await connection.close()
    if tables:
        raise BackupError(f"database {database} already has tables: restore into an empty one")
    await asyncio.to_thread(
        _run,
        [
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={url}",
            str(source / manifest.database.path),
        ],
        env,
    )
    for blob in manifest.blobs:
        await asyncio.to_thread(_put_blob, blobs, blob.key, source / blob.path)
    return manifest


def _put_blob(blobs: BlobStore, key: str, path: Path) -> None:
    with path.open("rb") as file:
        blobs.put(key, file)


def _with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + database))
