"""The per-tenant hash chain and its canonical encoding (see docs/audit-verification.md).

hash(n) = SHA-256 of the canonical encoding of event n, which includes hash(n-1) as
``prev_hash``; the first event of a tenant links to ``GENESIS_HASH``. The canonical encoding is
JSON with keys sorted by code point, no insignificant white space, non-ASCII characters
unescaped, encoded as UTF-8. Floating-point numbers are refused: amounts are strings or integers.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import msgspec

GENESIS_HASH = "0" * 64


def format_timestamp(moment: datetime) -> str:
    """UTC, microsecond precision, ``Z`` suffix: the form the chain hashes."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("event data may not contain floating-point numbers; use str or int")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list):
        for item in value:
            _reject_floats(item)


_CANONICAL = msgspec.json.Encoder(order="sorted")


def canonical_json(value: Any) -> str:
    """The canonical text of ``value``: the same as ``json.dumps(value, sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)``, as documented, made by msgspec (many times
    faster; tests/unit/test_chain.py checks they agree)."""
    _reject_floats(value)
    return _CANONICAL.encode(value).decode("utf-8")


def event_hash(
    *,
    tenant_id: str,
    seq: int,
    stream_id: str,
    stream_version: int,
    event_id: str,
    event_type: str,
    schema_version: int,
    data: Any,
    metadata: Any,
    recorded_at: str,
    prev_hash: str,
) -> str:
    """The SHA-256 hex digest that links an event into its tenant's chain."""
    document = {
        "data": data,
        "event_id": event_id,
        "event_type": event_type,
        "metadata": metadata,
        "prev_hash": prev_hash,
        "recorded_at": recorded_at,
        "schema_version": schema_version,
        "seq": seq,
        "stream_id": stream_id,
        "stream_version": stream_version,
        "tenant_id": tenant_id,
    }
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()
