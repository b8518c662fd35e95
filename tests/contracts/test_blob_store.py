"""The BlobStore contract, run against every adapter: the filesystem and S3 (moto in-process)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import boto3
import pytest
from moto import mock_aws

from services.core.blobs import (
    CHUNK_BYTES,
    BlobNotFound,
    BlobStore,
    FilesystemBlobStore,
    S3BlobStore,
    blob_key,
)

pytestmark = pytest.mark.integration


@pytest.fixture(params=["filesystem", "s3"])
def blobs(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BlobStore]:
    if request.param == "filesystem":
        yield FilesystemBlobStore(tmp_path / "blobs")
        return
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(variable, "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="certificates")
        yield S3BlobStore(client, "certificates")


def _content(size: int) -> tuple[bytes, str]:
    data = bytes(i % 251 for i in range(size))
    return data, hashlib.sha256(data).hexdigest()


def _read(blobs: BlobStore, key: str) -> bytes:
    return b"".join(blobs.open(key))


def test_a_stored_blob_reads_back_byte_for_byte_in_chunks(blobs: BlobStore) -> None:
    data, sha = _content(3 * CHUNK_BYTES + 17)
    key = blob_key(uuid4(), sha)
    assert isinstance(blobs, BlobStore)
    assert not blobs.exists(key)
    blobs.put(key, io.BytesIO(data))
    assert blobs.exists(key)
    chunks = list(blobs.open(key))
    assert len(chunks) > 1, "large blobs are streamed, not read whole"
    assert b"".join(chunks) == data


def test_putting_a_stored_key_again_changes_nothing(blobs: BlobStore) -> None:
    data, sha = _content(100)
    key = blob_key(uuid4(), sha)
    blobs.put(key, io.BytesIO(data))
    blobs.put(key, io.BytesIO(data))
    assert _read(blobs, key) == data


def test_put_stores_from_the_sources_current_position(blobs: BlobStore) -> None:
    data, sha = _content(100)
    source = io.BytesIO(b"skipped" + data)
    source.seek(len(b"skipped"))
    key = blob_key(uuid4(), sha)
    blobs.put(key, source)
    assert _read(blobs, key) == data


def test_a_missing_key_is_refused_when_opened(blobs: BlobStore) -> None:
    with pytest.raises(BlobNotFound):
        blobs.open(blob_key(uuid4(), "a" * 64))


def test_keys_are_prefixed_by_tenant_so_tenants_never_share_a_blob(blobs: BlobStore) -> None:
    data, sha = _content(64)
    mine, theirs = blob_key(uuid4(), sha), blob_key(uuid4(), sha)
    assert mine.split("/")[1] == theirs.split("/")[1]
    assert mine != theirs
    blobs.put(mine, io.BytesIO(data))
    assert not blobs.exists(theirs)
    with pytest.raises(BlobNotFound):
        blobs.open(theirs)


@pytest.mark.parametrize(
    "key",
    [
        f"../{uuid4()}/{'a' * 64}",
        f"{uuid4()}/../{'a' * 64}",
        f"{uuid4()}/{'A' * 64}",
        f"{uuid4()}/{'a' * 63}",
        "a" * 64,
        f"{uuid4()}/{'a' * 64}/x",
    ],
)
def test_keys_that_are_not_tenant_and_hash_are_refused(blobs: BlobStore, key: str) -> None:
    with pytest.raises(ValueError, match="not a blob key"):
        blobs.put(key, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match="not a blob key"):
        blobs.open(key)
    with pytest.raises(ValueError, match="not a blob key"):
        blobs.exists(key)


class _BrokenSource(io.BytesIO):
    """A source that fails after its first chunk, like a connection dropped mid-upload."""

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() > 0:
            raise OSError("connection lost")
        return super().read(size)


def test_a_failed_put_leaves_nothing_under_the_key(blobs: BlobStore) -> None:
    data, sha = _content(2 * CHUNK_BYTES)
    key = blob_key(uuid4(), sha)
    with pytest.raises(OSError, match="connection lost"):
        blobs.put(key, _BrokenSource(data))
    assert not blobs.exists(key)
    blobs.put(key, io.BytesIO(data))
    assert _read(blobs, key) == data
