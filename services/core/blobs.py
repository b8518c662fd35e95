"""Blob storage for certificate files: the ``BlobStore`` port and its adapters.

Contract (``tests/contracts/test_blob_store.py`` runs it against every adapter):
- Keys are ``<tenant id>/<sha256 hex>`` (``blob_key``); adapters refuse any other key with
  ``ValueError``, so no key can name a path or object outside its tenant's prefix.
- ``put`` stores everything read from ``source`` (from its current position) under the key. Keys
  are content addresses, so a key that is already stored is left as it is: ``put`` is idempotent.
  A failed ``put`` leaves nothing readable under the key.
- ``open`` returns the stored bytes as an iterator of chunks, in order; a key never stored raises
  ``BlobNotFound`` from ``open`` itself (before any byte is sent).
- ``exists`` says whether a key is stored.
Every method blocks on file or network I/O: async code calls them in a worker thread.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable
from uuid import UUID

from services.core.settings import Settings

CHUNK_BYTES = 64 * 1024
_KEY = re.compile(r"(?P<tenant>[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})/(?P<sha>[0-9a-f]{64})")


class BlobNotFound(LookupError):
    """No blob is stored under the key."""


def blob_key(tenant_id: UUID, sha256: str) -> str:
    """The key of the file with content hash ``sha256`` in ``tenant_id``'s storage."""
    return _checked(f"{tenant_id}/{sha256}")


def _checked(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a blob key (<tenant uuid>/<sha256 hex>): {key!r}")
    return key


@runtime_checkable
class BlobStore(Protocol):
    def put(self, key: str, source: IO[bytes]) -> None:
        """Store ``source``'s bytes under ``key`` unless the key is already stored."""

    def open(self, key: str) -> Iterator[bytes]:
        """The stored bytes, in chunks; raises ``BlobNotFound`` at once if there are none."""

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""


class FilesystemBlobStore:
    """Blobs as files ``<root>/<tenant id>/<sha[:2]>/<sha>``, written to a temporary file in the
    same directory, flushed to disk, then renamed into place (a reader never sees half a file)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        tenant, sha = _checked(key).split("/")
        return self.root / tenant / sha[:2] / sha

    def put(self, key: str, source: IO[bytes]) -> None:
        path = self._path(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK_BYTES)
                target.flush()
                os.fsync(target.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def open(self, key: str) -> Iterator[bytes]:
        try:
            file = self._path(key).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(key) from None
        return read_chunks(file)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def read_chunks(file: IO[bytes]) -> Iterator[bytes]:
    """The bytes of ``file`` from its position, in chunks; closes the file at the end."""
    with file:
        while chunk := file.read(CHUNK_BYTES):
            yield chunk


class S3BlobStore:
    """Blobs as objects ``<tenant id>/<sha>`` in one bucket of S3 or an S3-compatible store.

    ``client`` is a boto3 S3 client. Uploads go through ``upload_fileobj`` (multipart past its
    threshold); S3 makes a completed upload visible at once and never a partial one.
    """

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def put(self, key: str, source: IO[bytes]) -> None:
        if self.exists(key):
            return
        self.client.upload_fileobj(source, self.bucket, key)

    def open(self, key: str) -> Iterator[bytes]:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=_checked(key))
        except self.client.exceptions.NoSuchKey:
            raise BlobNotFound(key) from None
        body = found["Body"]
        return _close_after(body.iter_chunks(CHUNK_BYTES), body)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=_checked(key))
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True


def _close_after(chunks: Iterator[bytes], body: Any) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        body.close()


def build_blob_store(settings: Settings) -> BlobStore:
    """The adapter that ``settings.blob_backend`` names, configured from settings."""
    if settings.blob_backend == "s3":
        import boto3  # imported only where S3 is used: it is slow to import

        client = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region
        )
        return S3BlobStore(client, str(settings.s3_bucket))
    return FilesystemBlobStore(Path(settings.blob_dir))
