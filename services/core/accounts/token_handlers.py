"""Personal API tokens: a member's access to one organisation for integrations.

A token acts as its user in the organisation it was made in, with the member's current role,
further limited by its scopes: ``read`` (safe methods) and ``write`` (everything the role may
do). Only a SHA-256 hash of the secret is stored; the secret is shown once. Creating and
revoking are recorded in the user's access stream; using a token records nothing of its own.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from uuid import UUID, uuid4

import msgspec

from domain.audits.access import ApiTokenCreated, ApiTokenRevoked, ApiTokenScope
from domain.shared.limits import check_day
from services.core.accounts.identity import IdentityError
from services.core.application import UnitOfWork
from services.core.db import Tx
from services.core.hashing import secret_hash

SECRET_PREFIX = "cml_"  # noqa: S105 (a public marker, not a secret)
"""Marks the secrets as CME Ledger tokens (for secret scanners and for people)."""


class ApiTokenNotFound(IdentityError): ...


class InvalidApiToken(IdentityError): ...


class ApiToken(msgspec.Struct, frozen=True, kw_only=True):
    token_id: UUID
    name: str
    scopes: list[ApiTokenScope]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenHolder(msgspec.Struct, frozen=True, kw_only=True):
    """Who a presented, valid token acts as."""

    token_id: UUID
    tenant_id: UUID
    user_id: UUID
    scopes: frozenset[str]
    access_until: datetime | None
    """The member's access window when the token was made (see ``create_api_token``)."""


async def create_api_token(
    uow: UnitOfWork,
    *,
    user_id: UUID,
    name: str,
    scopes: list[ApiTokenScope],
    expires_at: datetime | None,
) -> tuple[ApiToken, str]:
    """Make a token for ``user_id`` in the transaction's organisation; return it and its
    secret. The token keeps the member's access window (``access_until``, an auditor's) as it
    is now: it works only while the membership keeps that same window, so a window granted
    later does not bring it back."""
    tx, now = uow.tx, uow.now()
    name = name.strip()
    if not name:
        raise InvalidApiToken("give the token a name, to recognise it later")
    if not scopes:
        raise InvalidApiToken("give the token at least one scope: read, write")
    if expires_at is not None and expires_at <= now:
        raise InvalidApiToken("the expiry must be in the future")
    if expires_at is not None:
        check_day("expires_at", expires_at)
    scopes = sorted(set(scopes))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    row = await tx.pg.fetchrow(
        "INSERT INTO api_tokens (tenant_id, token_id, user_id, name, scopes, token_hash,"
        " created_at, expires_at, access_until) SELECT $1, $2, $3, $4, $5, $6, $7, $8,"
        " m.access_until FROM memberships m WHERE m.tenant_id = $1 AND m.user_id = $3"
        " RETURNING token_id, name, scopes, created_at, expires_at, revoked_at",
        tx.require_tenant(),
        uuid4(),
        user_id,
        name,
        scopes,
        secret_hash(secret),
        now,
        expires_at,
    )
    token = msgspec.convert(dict(row), ApiToken)
    await uow.record_access(
        user_id,
        ApiTokenCreated(
            user_id=user_id,
            token_id=token.token_id,
            name=name,
            scopes=token.scopes,
            expires_at=expires_at,
        ),
    )
    return token, secret


async def list_api_tokens(tx: Tx, *, user_id: UUID) -> list[ApiToken]:
    """The user's tokens in the transaction's organisation, newest first."""
    rows = await tx.pg.fetch(
        "SELECT token_id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens"
        " WHERE user_id = $1 ORDER BY created_at DESC",
        user_id,
    )
    return [msgspec.convert(dict(row), ApiToken) for row in rows]


async def revoke_api_token(uow: UnitOfWork, *, user_id: UUID, token_id: UUID) -> None:
    """Revoke one of the user's tokens; revoking a revoked token changes nothing."""
    tx = uow.tx
    revoked = await tx.pg.fetchval(
        "UPDATE api_tokens SET revoked_at = $3 WHERE token_id = $1 AND user_id = $2"
        " AND revoked_at IS NULL RETURNING token_id",
        token_id,
        user_id,
        uow.now(),
    )
    if revoked is not None:
        await uow.record_access(user_id, ApiTokenRevoked(user_id=user_id, token_id=token_id))
        return
    exists = await tx.pg.fetchval(
        "SELECT 1 FROM api_tokens WHERE token_id = $1 AND user_id = $2", token_id, user_id
    )
    if exists is None:
        raise ApiTokenNotFound("you have no API token with this id")
