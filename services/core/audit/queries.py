"""What the audit views add to the events: whose record each is about, who caused it, the
people to filter by, and when an event was recorded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent
from services.core.stream_ids import aggregate_id


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


async def people_about(tx: Tx, events: list[RecordedEvent]) -> dict[int, UUID | None]:
    """By event seq, the person whose record the event is about, where it is about one: a
    person's own stream, their credits and certificates, or an event naming them."""
    credits: set[UUID] = set()
    certificates: set[UUID] = set()
    for e in events:
        kind = e.stream_id.partition("-")[0]
        if kind in ("credit", "certificate"):
            (credits if kind == "credit" else certificates).add(aggregate_id(e.stream_id))
    owners: dict[UUID, UUID] = {
        r["id"]: r["person_id"]
        for r in await tx.pg.fetch(
            "SELECT credit_id AS id, person_id FROM credits WHERE tenant_id = $1"
            " AND credit_id = ANY($2::uuid[]) UNION ALL SELECT certificate_id, person_id"
            " FROM certificates WHERE tenant_id = $1 AND certificate_id = ANY($3::uuid[])",
            tx.require_tenant(),
            list(credits),
            list(certificates),
        )
    }

    def about(e: RecordedEvent) -> UUID | None:
        kind, _, rest = e.stream_id.partition("-")
        if kind == "person":
            return _uuid(rest)
        if kind in ("credit", "certificate"):
            return owners.get(aggregate_id(e.stream_id))
        return _uuid(e.data.get("person_id")) if "person_id" in e.data else None

    return {e.seq: about(e) for e in events}


async def person_names(tx: Tx, person_ids: Iterable[UUID]) -> dict[UUID, str]:
    """The names of ``person_ids``, by name."""
    rows = await tx.pg.fetch(
        "SELECT person_id, full_name FROM people WHERE tenant_id = $1"
        " AND person_id = ANY($2::uuid[]) ORDER BY full_name, person_id",
        tx.require_tenant(),
        list(person_ids),
    )
    return {r["person_id"]: r["full_name"] for r in rows}


async def member_emails(tx: Tx, actor_ids: Iterable[object]) -> dict[str, str]:
    """The e-mail of each actor id that is a member's user id."""
    ids = [u for u in {_uuid(a) for a in actor_ids if a} if u]
    rows = await tx.pg.fetch(
        "SELECT user_id, email FROM memberships WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])",
        tx.require_tenant(),
        ids,
    )
    return {str(r["user_id"]): r["email"] for r in rows}


def actor_text(metadata: Mapping[str, Any], emails: Mapping[str, str]) -> str:
    """Who caused an event: the member's e-mail and role, or CME Ledger itself."""
    actor_id, role = metadata.get("actor_id"), metadata.get("actor_role")
    if not actor_id:
        return "CME Ledger (automatic)"
    who = emails.get(str(actor_id), f"former member {actor_id}")
    return f"{who} ({role})" if role else who


async def recorded_at(tx: Tx, seq: int) -> datetime | None:
    """When event ``seq`` was recorded (None: no such event)."""
    found: datetime | None = await tx.pg.fetchval(
        "SELECT recorded_at FROM events WHERE tenant_id = $1 AND seq = $2",
        tx.require_tenant(),
        seq,
    )
    return found
