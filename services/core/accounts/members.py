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
from services.core.hashing import secret_hash
from services.core.operations.rate_limits import WINDOW, Limit, WindowSpent, window_read
from services.core.organisation.handlers import MAX_RECORDED_QUERY, record_auditor_read


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
    reading: Reading | None = None


class CurrentMember(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    role: Role
    person_id: UUID
    """The staff record the member acts on as themselves."""


async def current_member(application: Application, lookup: MemberLookup) -> CurrentMember | None:
    """The current membership of ``lookup.user_id`` in ``lookup.tenant_id`` (None: not, or no
    longer, a member), in one statement. An auditor's ``reading`` is then recorded, or refused
    (``QueryTooLong``) when it cannot be recorded whole."""
    async with application.database.connection() as conn:  # one statement, its own transaction
        row = await conn.fetchrow(
            "SELECT email, role, person_id FROM member_of($1, $2)",
            lookup.tenant_id,
            lookup.user_id,
        )
    if row is None:
        return None
    member = CurrentMember(email=row["email"], role=row["role"], person_id=row["person_id"])
    await _record_reading(application, lookup, member)
    return member


_TOKEN_WITHIN_BUDGET = f"""
WITH budget AS ({WINDOW})
SELECT b.used, b.resets_in_s, t.token_id, t.tenant_id, t.user_id, t.scopes, t.email, t.role,
    t.person_id, t.access_until
FROM budget b
LEFT JOIN LATERAL (SELECT * FROM token_member($3) WHERE b.used < $4 OFFSET 0) t ON true
"""  # noqa: S608 (WINDOW is a constant)
"""The budget's window ($1, $2 seconds) and, only while it allows (fewer than $4), the token
of hash $3 with its member (``token_member``, migration 0026). ``OFFSET 0`` keeps the lookup a
subquery of its own, so its condition on the budget gates the call instead of filtering its
result."""


async def token_member(
    application: Application,
    secret: str,
    reading: Reading | None,
    *,
    budget: Limit,
    window_s: int,
) -> tuple[TokenHolder, CurrentMember] | None:
    """Who the API token ``secret`` acts as and their current membership (None: the token is
    unknown, revoked or expired, or the membership has ended or lost the access window the
    token was made in), read in one statement with the caller's ``budget`` of refused
    credentials: ``WindowSpent``, and no token looked up, once that is spent. An auditor's
    ``reading`` is recorded as by ``current_member``."""
    async with application.database.connection() as conn:  # one statement, its own transaction
        (row,) = await conn.fetch(  # the budget is an aggregate: always one row
            _TOKEN_WITHIN_BUDGET, budget.key, window_s, secret_hash(secret), budget.requests
        )
    window = window_read(budget, row["used"], row["resets_in_s"])
    if not window.allowed:
        raise WindowSpent(window)
    if row["token_id"] is None:
        return None
    holder = TokenHolder(
        token_id=row["token_id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        scopes=frozenset(row["scopes"]),
        access_until=row["access_until"],
    )
    member = CurrentMember(email=row["email"], role=row["role"], person_id=row["person_id"])
    lookup = MemberLookup(user_id=holder.user_id, tenant_id=holder.tenant_id, reading=reading)
    await _record_reading(application, lookup, member)
    return holder, member


async def _record_reading(
    application: Application, lookup: MemberLookup, member: CurrentMember
) -> None:
    """Record an auditor's read in the organisation's history (nothing for other roles)."""
    if member.role != "auditor" or lookup.reading is None:
        return
    if len(lookup.reading.query) > MAX_RECORDED_QUERY:
        raise QueryTooLong(
            f"an auditor's query may be at most {MAX_RECORDED_QUERY} characters:"
            " every auditor read is recorded whole"
        )
    async with application.database.transaction(lookup.tenant_id) as tx:
        await record_auditor_read(
            tx,
            application.store,
            user_id=lookup.user_id,
            path=lookup.reading.path,
            query=lookup.reading.query,
        )
