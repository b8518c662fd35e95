"""The audit trail for auditors (and owners and admins): the organisation's history filtered by
person, event type and dates, a page at a time; one person's history with their standing as the
record showed it at a chosen moment; the state of the hash chain; and the audit bundle to take
away (built by ``GET /api/v1/audit/bundle``, linked from here).

Everything is read with the same core functions as the audit endpoints
(``audit_queries.timeline``, ``audit_queries.obligations_known_at``, ``verification
.verify_chain``); this module only adds whose record each event is about and who caused it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Template

from domain.people.person import Person
from services.api.controllers.people import person_or_404
from services.api.portal.events import event_fields, event_label
from services.api.portal.forms import Form
from services.api.portal.pages import page, principal
from services.api.portal.staff import READERS
from services.api.portal.standing import cards
from services.core import queries
from services.core.audit_queries import obligations_known_at, timeline
from services.core.chain_check import verify_chain
from services.core.db import Tx
from services.core.eventstore import RecordedEvent
from services.core.stream_ids import aggregate_id

PAGE_SIZE = 50


@dataclass(frozen=True)
class TimelineRow:
    event: RecordedEvent
    label: str
    person: tuple[UUID, str] | None
    """Whose record the event is about (id, name), where it is about one."""
    actor: str
    fields: list[tuple[str, str]]


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


async def timeline_rows(tx: Tx, events: list[RecordedEvent]) -> list[TimelineRow]:
    """The events with the person each is about and the member who caused it."""
    credits: set[UUID] = set()
    certificates: set[UUID] = set()
    for e in events:
        kind = e.stream_id.partition("-")[0]
        if kind in ("credit", "certificate"):
            (credits if kind == "credit" else certificates).add(aggregate_id(e.stream_id))
    tenant = tx.require_tenant()
    owners: dict[UUID, UUID] = {
        r["id"]: r["person_id"]
        for r in await tx.pg.fetch(
            "SELECT credit_id AS id, person_id FROM credits WHERE tenant_id = $1"
            " AND credit_id = ANY($2::uuid[]) UNION ALL SELECT certificate_id, person_id"
            " FROM certificates WHERE tenant_id = $1 AND certificate_id = ANY($3::uuid[])",
            tenant,
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

    people = {e.seq: about(e) for e in events}
    names = await _names(tx, {p for p in people.values() if p})
    actors = await _actors(tx, (e.metadata.get("actor_id") for e in events))
    return [
        TimelineRow(
            event=e,
            label=event_label(e.event_type),
            person=(p, names[p]) if (p := people[e.seq]) and p in names else None,
            actor=_actor(e.metadata, actors),
            fields=list(event_fields(e.data)),
        )
        for e in events
    ]


async def _names(tx: Tx, person_ids: set[UUID]) -> dict[UUID, str]:
    rows = await tx.pg.fetch(
        "SELECT person_id, full_name FROM people WHERE tenant_id = $1"
        " AND person_id = ANY($2::uuid[])",
        tx.require_tenant(),
        list(person_ids),
    )
    return {r["person_id"]: r["full_name"] for r in rows}


async def _actors(tx: Tx, actor_ids: Iterable[object]) -> dict[str, str]:
    ids = [u for u in {_uuid(a) for a in actor_ids if a} if u]
    rows = await tx.pg.fetch(
        "SELECT user_id, email FROM memberships WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])",
        tx.require_tenant(),
        ids,
    )
    return {str(r["user_id"]): r["email"] for r in rows}


def _actor(metadata: Mapping[str, Any], emails: Mapping[str, str]) -> str:
    actor_id, role = metadata.get("actor_id"), metadata.get("actor_role")
    if not actor_id:
        return "CME Ledger (automatic)"
    who = emails.get(str(actor_id), f"former member {actor_id}")
    return f"{who} ({role})" if role else who


@dataclass(frozen=True)
class TimelineFilter:
    person_id: UUID | None
    event_type: str | None
    since: datetime | None
    until: datetime | None
    after: int


def timeline_filter(form: Form, event_types: Iterable[str]) -> TimelineFilter:
    """The filters as typed (dates are whole days, UTC); problems are recorded on the form."""
    person = form.value("person")
    person_id = _uuid(person) if person else None
    if person and person_id is None:
        form.fail("person", "Choose the person from the list")
    event_type = form.value("type") or None
    if event_type is not None and event_type not in set(event_types):
        form.fail("type", "Choose the event type from the list")
    since = form.day("from", "first day") if form.value("from") else None
    until = form.day("to", "last day") if form.value("to") else None
    if since and until and until < since:
        form.fail("to", "The last day must not be before the first day")
    after = form.value("after")
    if after and not (after.isdigit() and len(after) < 19):
        form.fail(None, "This page link is out of date: start again from the first page")
    return TimelineFilter(
        person_id=person_id,
        event_type=event_type,
        since=datetime.combine(since, time(), tzinfo=UTC) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC) if until else None,
        after=int(after) if form.ok and after else 0,
    )


def _url(base: str, form: Form, after: int | None) -> str:
    """The page's address with the filters as typed, from after ``after`` (None: the first)."""
    query = {n: form.value(n) for n in ("person", "type", "from", "to") if form.value(n)}
    if after:
        query["after"] = str(after)
    return base + (f"?{urlencode(query)}" if query else "")


class AuditPages(Controller):
    path = "/audit"
    include_in_schema = False
    guards = [READERS]  # noqa: RUF012 (Litestar layer)

    async def _timeline(
        self,
        request: Request[Any, Any, Any],
        state: State,
        base: str,
        form: Form,
        person: Person | None,
    ) -> dict[str, Any]:
        """The page of events the filters select, with the links to the next page."""
        event_types = sorted(state.store.registry.classes)
        chosen = timeline_filter(form, event_types)
        rows: list[TimelineRow] = []
        async with state.database.transaction(principal(request).tenant_id) as tx:
            if form.ok:
                events = await timeline(
                    tx,
                    after_seq=chosen.after,
                    limit=PAGE_SIZE,
                    event_type=chosen.event_type,
                    since=chosen.since,
                    until=chosen.until,
                    person_id=person.person_id if person else chosen.person_id,
                )
                rows = await timeline_rows(tx, events)
            people = await tx.pg.fetch(
                "SELECT person_id, full_name FROM people WHERE tenant_id = $1"
                " ORDER BY full_name, person_id",
                tx.require_tenant(),
            )
        return {
            "form": form,
            "rows": rows,
            "people": {str(p["person_id"]): p["full_name"] for p in people},
            "event_types": {t: f"{event_label(t)} ({t})" for t in event_types},
            "next_url": _url(base, form, rows[-1].event.seq) if len(rows) == PAGE_SIZE else None,
            "first_url": _url(base, form, None) if chosen.after else None,
            "status": 200 if form.ok else 400,
        }

    @get("")
    async def history(self, request: Request[Any, Any, Any], state: State) -> Template:
        """The organisation's history, oldest first, filtered."""
        form = Form("timeline", dict(request.query_params))
        found = await self._timeline(request, state, "/audit", form, None)
        return await page(request, "audit/timeline.html", person=None, **found)

    @get("/people/{person_id:uuid}")
    async def person_history(
        self, request: Request[Any, Any, Any], state: State, person_id: FromPath[UUID]
    ) -> Template:
        """One person's history, and their standing as recorded at a chosen moment."""
        form = Form("timeline", dict(request.query_params))
        async with state.database.transaction(principal(request).tenant_id) as tx:
            person = await person_or_404(tx, person_id)
        found = await self._timeline(request, state, f"/audit/people/{person_id}", form, person)
        known = await self._known_at(request, state, form, person_id)
        return await page(request, "audit/timeline.html", person=person, **known, **found)

    async def _known_at(
        self, request: Request[Any, Any, Any], state: State, form: Form, person_id: UUID
    ) -> dict[str, Any]:
        """The standing replayed from what was recorded by the moment chosen (``at``, UTC),
        evaluated on that moment's day."""
        if not form.value("at"):
            return {"known": None, "known_at": None}
        moment = form.moment("at", "moment")
        if moment is None:
            return {"known": None, "known_at": None}
        async with state.database.transaction(principal(request).tenant_id) as tx:
            replayed = await obligations_known_at(
                tx, state.store, person_id, known_at=moment, today=moment.date()
            )
            credits = await queries.my_credits(tx, person_id)
        if replayed is None:
            return {"known": [], "known_at": moment}
        current, previous = cards(replayed, credits, moment.date())
        return {"known": current + previous, "known_at": moment}

    @get("/chain")
    async def chain(self, request: Request[Any, Any, Any], state: State) -> Template:
        """Recompute the organisation's hash chain now, from its first event."""
        async with state.database.transaction(principal(request).tenant_id) as tx:
            report = await verify_chain(tx, state.store)
            last = await tx.pg.fetchval(
                "SELECT recorded_at FROM events WHERE tenant_id = $1 AND seq = $2",
                tx.require_tenant(),
                report.checked,
            )
        return await page(
            request,
            "audit/chain.html",
            report=report,
            last_recorded=last,
            checked_at=datetime.now(UTC),
        )
