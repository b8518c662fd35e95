"""Access events recorded in each tenant's chain: sign-ins, failed sign-ins, sign-outs, password
resets and personal API tokens.

Recorded per member user (stream ``access-<user id>``), so an auditor of the organisation sees
who entered when, and every failed attempt against a member's account.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from domain.shared.event import Event, Upcaster

FailureReason = Literal["wrong_password", "locked"]


class UserSignedIn(Event, frozen=True, kw_only=True, tag="audits.UserSignedIn"):
    user_id: UUID
    method: Literal["password", "api_token"]


class SignInFailed(Event, frozen=True, kw_only=True, tag="audits.SignInFailed"):
    user_id: UUID
    reason: FailureReason


class UserSignedOut(Event, frozen=True, kw_only=True, tag="audits.UserSignedOut"):
    user_id: UUID


OLD_QUERY_CUT = 500
"""Schema version 1 of ``AuditorRead`` kept at most this many characters of the query."""


def _query_renamed_and_cut_flagged(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 -> 2: ``query`` becomes ``query_string``; a version-1 query of exactly
    ``OLD_QUERY_CUT`` characters may have been cut when it was recorded, and says so."""
    query = data.pop("query")
    return {**data, "query_string": query, "query_may_be_cut": len(query) >= OLD_QUERY_CUT}


class AuditorRead(Event, frozen=True, kw_only=True, tag="audits.AuditorRead"):
    """An auditor looked at something: every auditor read is part of the record.

    Version 2 renamed ``query`` to ``query_string`` (recorded whole since then) and added
    ``query_may_be_cut`` for version-1 reads, which kept only the first 500 characters."""

    schema_version: ClassVar[int] = 2
    upcasters: ClassVar[Mapping[int, Upcaster]] = {1: _query_renamed_and_cut_flagged}

    user_id: UUID
    path: str
    query_string: str
    """The query string whole, as sent."""
    query_may_be_cut: bool = False


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
