"""Access events recorded in each tenant's chain: sign-ins, failed sign-ins, sign-outs, password
resets and personal API tokens.

Recorded per member user (stream ``access-<user id>``), so an auditor of the organisation sees
who entered when, and every failed attempt against a member's account.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from domain.shared.event import Event

FailureReason = Literal["wrong_password", "locked"]


class UserSignedIn(Event, frozen=True, kw_only=True, tag="audits.UserSignedIn"):
    user_id: UUID
    method: Literal["password", "api_token"]


class SignInFailed(Event, frozen=True, kw_only=True, tag="audits.SignInFailed"):
    user_id: UUID
    reason: FailureReason


class UserSignedOut(Event, frozen=True, kw_only=True, tag="audits.UserSignedOut"):
    user_id: UUID


class AuditorRead(Event, frozen=True, kw_only=True, tag="audits.AuditorRead"):
    """An auditor looked at something: every auditor read is part of the record."""

    user_id: UUID
    path: str
    query: str
    """The query string whole, as sent (events before this rule kept its first 500 characters)."""


class PasswordReset(Event, frozen=True, kw_only=True, tag="audits.PasswordReset"):
    """The user set a new password with a mailed reset link; their sessions were ended."""

    user_id: UUID


ApiTokenScope = Literal["read", "write"]


class ApiTokenCreated(Event, frozen=True, kw_only=True, tag="audits.ApiTokenCreated"):
    user_id: UUID
    token_id: UUID
    name: str
    scopes: list[ApiTokenScope]
    expires_at: datetime | None


class ApiTokenRevoked(Event, frozen=True, kw_only=True, tag="audits.ApiTokenRevoked"):
    user_id: UUID
    token_id: UUID


ACCESS_EVENTS: list[type[Event]] = [
    UserSignedIn,
    SignInFailed,
    UserSignedOut,
    AuditorRead,
    PasswordReset,
    ApiTokenCreated,
    ApiTokenRevoked,
]
