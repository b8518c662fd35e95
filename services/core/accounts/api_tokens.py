"""A member's personal API tokens in the current organisation: make, list, revoke."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.audits.access import ApiTokenScope
from services.core.accounts import token_handlers as api_tokens
from services.core.accounts.signing_in import signed_in_user
from services.core.accounts.token_handlers import ApiToken
from services.core.application import UnitOfWork


class NewApiToken(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    scopes: list[ApiTokenScope]
    expires_at: datetime | None = None


class ApiTokenMade(msgspec.Struct, frozen=True, kw_only=True):
    token: ApiToken
    secret: str
    """Shown once; only its hash is stored."""


async def create_api_token(uow: UnitOfWork, command: NewApiToken) -> ApiTokenMade:
    """Make a token acting as the signed-in member, with their role, limited by its scopes."""
    token, secret = await api_tokens.create_api_token(
        uow,
        user_id=signed_in_user(uow),
        name=command.name,
        scopes=command.scopes,
        expires_at=command.expires_at,
    )
    return ApiTokenMade(token=token, secret=secret)


async def list_api_tokens(uow: UnitOfWork, _: None) -> list[ApiToken]:
    """The signed-in member's tokens in this organisation, newest first (never the secrets)."""
    return await api_tokens.list_api_tokens(uow.tx, user_id=signed_in_user(uow))


async def revoke_api_token(uow: UnitOfWork, token_id: UUID) -> None:
    """Revoke one of the signed-in member's tokens (``ApiTokenNotFound`` if not theirs)."""
    await api_tokens.revoke_api_token(uow, user_id=signed_in_user(uow), token_id=token_id)
