"""Idempotency keys without I/O: their syntax, whose they are, what makes two requests the same,
and the command ids derived from them."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from services.api.auth import Principal
from services.api.idempotency import (
    MalformedKey,
    command_id_for,
    key_scope,
    parse_key,
    request_fingerprint,
)

pytestmark = pytest.mark.unit


def scope(**fields: Any) -> Any:
    """The parts of an ASGI scope the function looks at."""
    return fields


def member(tenant: Any = None, user: Any = None) -> Principal:
    return Principal(
        user_id=user or uuid4(),
        email="a@example.org",
        tenant_id=tenant or uuid4(),
        role="owner",
        person_id=uuid4(),
    )


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ('"8e03978e-40d5"', "8e03978e-40d5"),
        ("plain-token_1", "plain-token_1"),
        ("x" * 255, "x" * 255),
    ],
)
def test_a_key_is_a_quoted_string_or_the_same_characters_bare(raw: str, key: str) -> None:
    assert parse_key(raw) == key


@pytest.mark.parametrize("raw", ["", '""', "a b", "é", "x" * 256, '"a"b"', "back\\slash", "\x7f"])
def test_a_malformed_key_is_refused(raw: str) -> None:
    with pytest.raises(MalformedKey):
        parse_key(raw)


def test_the_fingerprint_covers_method_path_query_and_body_without_ambiguity() -> None:
    base = request_fingerprint("POST", "/api/v1/x", b"a=1", b'{"n": 1}')
    assert base == request_fingerprint("post", "/api/v1/x", b"a=1", b'{"n": 1}')
    assert base != request_fingerprint("PUT", "/api/v1/x", b"a=1", b'{"n": 1}')
    assert base != request_fingerprint("POST", "/api/v1/y", b"a=1", b'{"n": 1}')
    assert base != request_fingerprint("POST", "/api/v1/x", b"a=2", b'{"n": 1}')
    assert base != request_fingerprint("POST", "/api/v1/x", b"a=1", b'{"n": 2}')
    assert request_fingerprint("POST", "/a", b"", b"bc") != request_fingerprint(
        "POST", "/ab", b"", b"c"
    )


def test_a_key_belongs_to_its_member_in_their_organisation() -> None:
    tenant, user = uuid4(), uuid4()
    mine = key_scope(scope(user=member(tenant, user)), "k")
    assert mine is not None
    assert (mine.tenant_id, mine.caller, mine.key) == (tenant, f"user:{user}", "k")
    same_user_elsewhere = key_scope(scope(user=member(uuid4(), user)), "k")
    someone_else = key_scope(scope(user=member(tenant)), "k")
    ids = {command_id_for(s) for s in (mine, same_user_elsewhere, someone_else) if s}
    assert len(ids) == 3
    assert command_id_for(mine) == command_id_for(mine)
    assert command_id_for(mine, "2026-12-07T00:00:00+00:00") != command_id_for(mine)


def test_without_a_member_a_key_belongs_to_the_browser_holding_the_csrf_cookie() -> None:
    def client(cookie: bytes) -> Any:
        return key_scope(scope(headers=[(b"cookie", cookie)]), "k")

    one, same, other = (
        client(b"a=b; csrftoken=t1"),
        client(b"csrftoken=t1"),
        client(b"csrftoken=t2"),
    )
    assert one is not None
    assert other is not None
    assert one == same
    assert one.tenant_id is None
    assert one.caller.startswith("client:")
    assert "t1" not in one.caller
    assert one != other
    assert client(b"a=b") is None
