"""A transaction remembers only the states its last write to each read model stored."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

import pytest

from services.core.db import Tx

pytestmark = pytest.mark.unit

FIRST, SECOND = UUID(int=1), UUID(int=2)


def transaction() -> Tx:
    return Tx(pg=cast(Any, None), tenant_id=UUID(int=9))


def test_a_later_write_to_a_read_model_replaces_what_the_earlier_one_noted() -> None:
    tx = transaction()
    tx.saved("credits", {FIRST: "first"})
    tx.saved("people", {SECOND: "person"})
    tx.saved("credits", {SECOND: "second"})
    assert tx.written("credits", FIRST) is None  # read from the row, as anything not noted
    assert tx.written("credits", SECOND) == "second"
    assert tx.written("people", SECOND) == "person"


def test_nothing_noted_is_read_back_once_forgotten() -> None:
    tx = transaction()
    tx.saved("credits", {FIRST: "first"})
    tx.forget_saved()
    assert tx.written("credits", FIRST) is None
