"""The canonical encoding and hash of the chain, as documented in docs/audit-verification.md."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.core.eventsourcing.chain import (
    GENESIS_HASH,
    canonical_json,
    event_hash,
    format_timestamp,
)

pytestmark = pytest.mark.unit


def test_canonical_json_sorts_keys_is_compact_and_keeps_unicode() -> None:
    assert canonical_json({"b": [1, {"z": None, "a": True}], "a": "é✓"}) == (
        '{"a":"é✓","b":[1,{"a":true,"z":null}]}'
    )


JSON_WITHOUT_FLOATS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_WITHOUT_FLOATS)
def test_canonical_json_is_exactly_the_documented_json_dumps(value: Any) -> None:
    documented = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == documented


def test_floats_are_refused_anywhere() -> None:
    for value in (1.5, {"a": [0.1]}, [{"x": 2.0}]):
        with pytest.raises(TypeError, match="floating-point"):
            canonical_json(value)


def test_timestamps_are_utc_with_microseconds() -> None:
    moment = datetime(2026, 2, 28, 23, 30, 0, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert format_timestamp(moment) == "2026-03-01T04:30:00.000005Z"


def test_event_hash_is_sha256_of_the_documented_document() -> None:
    fields = {
        "tenant_id": "00000000-0000-0000-0000-000000000001",
        "seq": 1,
        "stream_id": "person-1",
        "stream_version": 1,
        "event_id": "00000000-0000-0000-0000-0000000000aa",
        "event_type": "test.NoteAdded",
        "schema_version": 1,
        "data": {"text": "hi"},
        "metadata": {"actor_id": "u1"},
        "recorded_at": format_timestamp(datetime(2026, 11, 26, tzinfo=UTC)),
        "prev_hash": GENESIS_HASH,
    }
    document = (
        '{"data":{"text":"hi"},"event_id":"00000000-0000-0000-0000-0000000000aa",'
        '"event_type":"test.NoteAdded","metadata":{"actor_id":"u1"},'
        f'"prev_hash":"{GENESIS_HASH}","recorded_at":"2026-11-26T00:00:00.000000Z",'
        '"schema_version":1,"seq":1,"stream_id":"person-1","stream_version":1,'
        '"tenant_id":"00000000-0000-0000-0000-000000000001"}'
    )
    assert event_hash(**fields) == hashlib.sha256(document.encode()).hexdigest()
    assert event_hash(**{**fields, "seq": 2}) != event_hash(**fields)
