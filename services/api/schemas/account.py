"""Accounts: password resets, e-mail confirmation and personal API tokens, as sent and answered."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.audits.access import ApiTokenScope
from domain.shared.limits import Moment
from services.core.accounts.token_handlers import ApiToken

Token = Annotated[str, msgspec.Meta(min_length=16, max_length=128)]


class PasswordResetRequest(msgspec.Struct, frozen=True, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]


class PasswordResetConfirm(msgspec.Struct, frozen=True, kw_only=True):
    token: Token
    password: Annotated[str, msgspec.Meta(max_length=256)]


class EmailVerificationConfirm(msgspec.Struct, frozen=True, kw_only=True):
    token: Token


class Accepted(msgspec.Struct, frozen=True, kw_only=True):
    detail: str


class ApiTokenCreate(msgspec.Struct, frozen=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    scopes: Annotated[list[ApiTokenScope], msgspec.Meta(min_length=1, max_length=2)]
    """``read``: safe methods; ``write``: also changes, as far as the member's role allows."""
    expires_at: Moment | None = None


class ApiTokenCreated(msgspec.Struct, frozen=True, kw_only=True):
    token: ApiToken
    secret: str
    """Shown once: send it as ``Authorization: Bearer <secret>``."""
