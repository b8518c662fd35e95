"""Who a request acts as: the current membership behind a session or an API token, looked up
afresh on every request (a removed member, a changed role or an ended auditor window takes
effect at once), and the record of every read by an auditor."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.organisations.organisation import Role
from domain.shared.errors import DomainError
from services.core.accounts.token_handlers import TokenHolder
from services.core.application import Application
from services.core.organisation.handlers import MAX_RECORDED_QUERY, record_auditor_read

_CURRENT_MEMBER = (
    "SELECT email, role, person_id FROM memberships WHERE tenant_id = $1"
    " AND user_id = $2 AND (access_until IS NULL OR access_until > now())"
)


class QueryTooLong(DomainError):
    """An auditor's read whose query cannot be recorded whole (over ``MAX_RECORDED_QUERY``)."""

    code = "query_too_long"


class Reading(msgspec.Struct, frozen=True, kw_only=True):
    """What a safe request reads: recorded when the member is an auditor."""

    path: str
    query: str


class MemberLookup(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    tenant_id: UUID
    token: TokenHolder | None = None
    """The API token the request came with: the membership must still have the access window
    the token was made in."""
    reading: Reading | None = None


class CurrentMember(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    role: Role
    person_id: UUID
    """The staff record the member acts on as themselves."""


async def current_member(application: Application, lookup: MemberLookup) -> CurrentMember | None:
    """The current membership of ``lookup.user_id`` in ``lookup.tenant_id`` (None: not, or no
    longer, a member). An auditor's ``reading`` is recorded in the same transaction, or refused
    (``QueryTooLong``) when it cannot be recorded whole."""
    async with application.database.transaction(lookup.tenant_id) as tx:
        if lookup.token is None:
            row = await tx.pg.fetchrow(_CURRENT_MEMBER, lookup.tenant_id, lookup.user_id)
        else:
            row = await tx.pg.fetchrow(
                _CURRENT_MEMBER + " AND access_until IS NOT DISTINCT FROM $3",
                lookup.tenant_id,
                lookup.user_id,
                lookup.token.access_until,
            )
        if row is None:
            return None
        if row["role"] == "auditor" and lookup.reading is not None:
            if len(lookup.reading.query) > MAX_RECORDED_QUERY:
                raise QueryTooLong(
                    f"an auditor's query may be at most {MAX_RECORDED_QUERY} characters:"
                    " every auditor read is recorded whole"
                )
            await record_auditor_read(
                tx,
                application.store,
                user_id=lookup.user_id,
                path=lookup.reading.path,
                query=lookup.reading.query,
            )
    return CurrentMember(email=row["email"], role=row["role"], person_id=row["person_id"])
