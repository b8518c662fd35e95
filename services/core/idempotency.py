"""The first response to each idempotency key a caller sent, kept for ``KEY_LIFETIME``.

A request with a key first *claims* it: the row is created in flight (no response yet) and the
request runs; it is then *completed* with the response it gave, or *released* (deleted) when it
failed without an answer worth repeating, so that a retry runs again. Whoever finds the key
already claimed gets the row: its fingerprint and, once the first request ended, its response.

Expiry: rows older than ``KEY_LIFETIME`` are purged from the tenant whenever a key of that
tenant is claimed (before the claim, so an expired key is claimed anew, as a new use). A claim
still in flight after ``IN_FLIGHT_LEASE`` was left by a process that died mid-request; the same
request (same fingerprint) sent again takes it over, keeping the use's ``created_at``, so its
commands get the ids of the first attempt's (the event store returns what that attempt
committed, if anything), and a crash never blocks a key for a whole day.

Callers without an organisation (sign-up, sign-in, links from mail) are kept under
``NO_TENANT`` (row-level security shows those rows to transactions without a tenant only).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from services.core.db import Database

KEY_LIFETIME = timedelta(hours=24)
IN_FLIGHT_LEASE = timedelta(seconds=90)
"""Longer than any request may run (statement timeout, upload time)."""
NO_TENANT = UUID(int=0)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class Claimed:
    """This request holds the key and must complete or release it. ``since``: when this use of
    the key began (kept when a retry takes over an abandoned claim; new once it expired)."""

    since: datetime


@dataclass(frozen=True, slots=True)
class ClaimedBefore:
    """The key was already claimed: by a request with this fingerprint, which gave
    ``response`` (None: still in flight)."""

    fingerprint: str
    response: StoredResponse | None


@dataclass(frozen=True, slots=True)
class KeyScope:
    """An idempotency key as the caller's own: keys of different callers never meet."""

    tenant_id: UUID | None
    caller: str
    key: str

    @property
    def row_tenant(self) -> UUID:
        return self.tenant_id or NO_TENANT


async def claim(database: Database, scope: KeyScope, fingerprint: str) -> Claimed | ClaimedBefore:
    """Claim ``scope``'s key for a request with ``fingerprint``, or say what an earlier request
    with the key left."""
    async with database.transaction(scope.tenant_id) as tx:
        await tx.pg.execute(
            "DELETE FROM idempotency_keys"
            " WHERE tenant_id = $1 AND created_at < now() - $2::interval",
            scope.row_tenant,
            KEY_LIFETIME,
        )
        created_at = await tx.pg.fetchval(
            """
            INSERT INTO idempotency_keys AS k (tenant_id, caller, key, fingerprint)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (tenant_id, caller, key) DO UPDATE SET claimed_at = now()
                WHERE k.status IS NULL AND k.claimed_at < now() - $5::interval
                  AND k.fingerprint = excluded.fingerprint
            RETURNING created_at
            """,
            scope.row_tenant,
            scope.caller,
            scope.key,
            fingerprint,
            IN_FLIGHT_LEASE,
        )
        if created_at is not None:
            return Claimed(since=created_at)
        row = await tx.pg.fetchrow(
            "SELECT fingerprint, status, headers, body FROM idempotency_keys"
            " WHERE tenant_id = $1 AND caller = $2 AND key = $3",
            scope.row_tenant,
            scope.caller,
            scope.key,
        )
    if row is None:  # released by its request meanwhile: as good as in flight, ask again
        return ClaimedBefore(fingerprint=fingerprint, response=None)
    response = None
    if row["status"] is not None:
        headers = [(name, value) for name, value in json.loads(row["headers"])]
        response = StoredResponse(status=row["status"], headers=headers, body=row["body"])
    return ClaimedBefore(fingerprint=row["fingerprint"], response=response)


async def complete(database: Database, scope: KeyScope, response: StoredResponse) -> None:
    """Store the response of the request holding ``scope``'s key."""
    async with database.transaction(scope.tenant_id) as tx:
        await tx.pg.execute(
            "UPDATE idempotency_keys SET status = $4, headers = $5::jsonb, body = $6"
            " WHERE tenant_id = $1 AND caller = $2 AND key = $3 AND status IS NULL",
            scope.row_tenant,
            scope.caller,
            scope.key,
            response.status,
            json.dumps(response.headers),
            response.body,
        )


async def release(database: Database, scope: KeyScope) -> None:
    """Give up the claim of the request holding ``scope``'s key: the next one with it runs."""
    async with database.transaction(scope.tenant_id) as tx:
        await tx.pg.execute(
            "DELETE FROM idempotency_keys"
            " WHERE tenant_id = $1 AND caller = $2 AND key = $3 AND status IS NULL",
            scope.row_tenant,
            scope.caller,
            scope.key,
        )


def command_sequence(seed: UUID) -> Callable[[], UUID]:
    """Command ids for a unit of work identified by ``seed``: the n-th call gives the same id
    whenever the work is done again (a retry), so the event store recognises each command."""
    numbers = itertools.count()
    return lambda: uuid5(seed, f"command/{next(numbers)}")


def new_entity_id(command_id: UUID, kind: str) -> UUID:
    """The id of a new ``kind`` (credit, person ...) a command creates: the same on a retry."""
    return uuid5(command_id, f"new/{kind}")
