"""How many round trips to PostgreSQL one request costs: a count, so it can fail when a change
adds statements or transactions to the hot path (never a timing)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asyncpg.connection import LoggedQuery
from litestar.testing import AsyncTestClient

from services.api.app import create_app
from services.api.application import application_of
from services.core.settings import Settings
from tests.e2e.conftest import Org
from tests.support import credit_body

pytestmark = pytest.mark.e2e

CREDIT_STATEMENTS = 13
"""Round trips of one credit recorded with an API token: authentication with the address's
budget of refused credentials, both rate limits, and the use case's transaction (its begin and
commit included, and the move of the tenant's standing head, the standings cache's key)."""
CREDIT_TRANSACTIONS = 1
OVERVIEW_TRANSACTION = 3
"""Round trips of the overview's transaction when its standings are cached: its begin (with the
tenant), one statement for the cache's key (event head, read-model epoch, pending-credit
choice) and the commit."""
NOT_COUNTED = ("pg_notify", "typeinfo_tree", "set_config('jit'")
"""The relay's wake-up (debounced, shared by the requests of a few milliseconds) and asyncpg's
type introspection (once per pooled connection and type)."""


@pytest.fixture
async def bare(migrated: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(create_app(migrated)) as test_client:
        yield test_client


async def test_a_credit_recorded_with_a_token_costs_few_statements_in_one_transaction(
    org: Org, bare: AsyncTestClient[Any]
) -> None:
    person = await org.owner.post("/api/v1/people", json={"full_name": "Ada Load"})
    person_id = person.json()["person_id"]
    credential = await org.owner.post(
        f"/api/v1/people/{person_id}/credentials",
        json={"body": "ARDMS", "code": "RVT", "earned_on": "2024-03-15", "specialties": ["VT"]},
    )
    assert credential.status_code == 201, credential.text
    token = await org.owner.post(
        "/api/v1/tokens", json={"name": "load", "scopes": ["read", "write"]}
    )
    bare.headers["authorization"] = f"Bearer {token.json()['secret']}"
    path = f"/api/v1/people/{person_id}/credits"
    first = await bare.post(path, json=credit_body(0))
    assert first.status_code == 201, first.text
    await asyncio.sleep(0.05)  # the relay's debounced wake-up of it has been sent

    sent: list[str] = []

    def note(record: LoggedQuery) -> None:
        if not any(part in record.query for part in NOT_COUNTED):
            sent.append(" ".join(record.query.split())[:100])

    with application_of(bare.app).database.observing_statements(note):
        answered = await bare.post(path, json=credit_body(1))
        await asyncio.sleep(0.05)  # query loggers are called soon after, from the loop
    assert answered.status_code == 201, answered.text
    assert answered.json()["acceptance"], answered.text
    transactions = [q for q in sent if q.lstrip().upper().startswith("BEGIN")]
    assert len(sent) <= CREDIT_STATEMENTS, "\n".join(sent)
    assert len(transactions) <= CREDIT_TRANSACTIONS, "\n".join(sent)


async def test_an_overview_answered_from_the_cache_reads_only_the_head_in_its_transaction(
    org: Org, bare: AsyncTestClient[Any]
) -> None:
    for n in range(3):
        await org.owner.post("/api/v1/people", json={"full_name": f"Ada Overview {n}"})
    token = await org.owner.post("/api/v1/tokens", json={"name": "read", "scopes": ["read"]})
    bare.headers["authorization"] = f"Bearer {token.json()['secret']}"
    first = await bare.get("/api/v1/organisation/summary")  # computed, then cached
    assert first.status_code == 200, first.text
    await asyncio.sleep(0.05)

    sent: list[str] = []

    def note(record: LoggedQuery) -> None:
        if not any(part in record.query for part in NOT_COUNTED):
            sent.append(" ".join(record.query.split())[:100])

    with application_of(bare.app).database.observing_statements(note):
        answered = await bare.get("/api/v1/organisation/summary")
        await asyncio.sleep(0.05)
    assert answered.json() == first.json()
    begin = next(i for i, q in enumerate(sent) if q.upper().startswith("BEGIN"))
    assert len(sent[begin:]) == OVERVIEW_TRANSACTION, "\n".join(sent)
