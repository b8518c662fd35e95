"""The audit trail for auditors (and owners and admins): the organisation's history filtered by
person, event type and dates, a page at a time; one person's history with their standing as the
record showed it at a chosen moment; the state of the hash chain; and the audit bundle to take
away (built by ``GET /api/v1/audit/bundle``, linked from here).

Everything is read through the same use cases as the audit endpoints
(``services.core.audit.use_cases``), which also say whose record each event is about and who
caused it; this module only puts the events and the standing into words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from services.api.portal.events import event_fields, event_label
from services.api.portal.forms import CONTROL_CHARACTER, Form
from services.api.portal.pages import organisation_zone, page
from services.api.portal.staff import READERS
from services.api.portal.standing import cards
from services.core.application import UseCases
from services.core.audit import use_cases as audit_use_cases
from services.core.audit.use_cases import (
    AnnotatedTimeline,
    PeopleFound,
    PeopleSearch,
    PersonHistoryQuery,
    StandingThen,
    TimelineQuery,
)
from services.core.eventsourcing.store import RecordedEvent

PAGE_SIZE = 50
NAME_LONGEST = 200
"""Characters of a typed name (e-mail, employee number), at most."""
FILTERS = ("type", "from", "to")
"""The filters a person's history keeps from the whole history's form."""


@dataclass(frozen=True)
class TimelineRow:
    event: RecordedEvent
    label: str
    person: tuple[UUID, str] | None
    """Whose record the event is about (id, name), where it is about one."""
    actor: str
    fields: list[tuple[str, str]]


def timeline_rows(found: AnnotatedTimeline) -> list[TimelineRow]:
    """The entries as the page lists them: each event's label and fields in words."""
    return [
        TimelineRow(
            event=entry.event,
            label=event_label(entry.event.event_type),
            person=entry.person,
            actor=entry.actor,
            fields=list(event_fields(entry.event.data)),
        )
        for entry in found.entries
    ]


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class TimelineFilter:
    event_type: str | None
    since: datetime | None
    until: datetime | None
    after: int


def timeline_filter(form: Form, event_types: Iterable[str]) -> TimelineFilter:
    """The filters as typed (dates are whole days, UTC); problems are recorded on the form."""
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
        event_type=event_type,
        since=datetime.combine(since, time(), tzinfo=UTC) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC) if until else None,
        after=int(after) if form.ok and after else 0,
    )


def typed_name(form: Form) -> str | None:
    """The name, e-mail or employee number typed to find whose history to show (None: none);
    problems are recorded on the form, and text too long is not shown back whole."""
    name = form.text("name", "name", required=False, max_length=NAME_LONGEST)
    if len(name) > NAME_LONGEST:
        form.values["name"] = name[:NAME_LONGEST]
    elif CONTROL_CHARACTER.search(name):
        form.fail("name", "The name must not contain control characters such as tabs or line ends")
    return name or None


def _url(
    base: str, form: Form, after: int | None, names: Iterable[str] = ("name", *FILTERS)
) -> str:
    """The page's address with the filters ``names`` as typed, from after ``after`` (None: the
    first)."""
    query = {n: form.value(n) for n in names if form.value(n)}
    if after:
        query["after"] = str(after)
    return base + (f"?{urlencode(query)}" if query else "")


class AuditPages(Controller):
    path = "/audit"
    guards = [READERS]  # noqa: RUF012 (Litestar layer)

    @staticmethod
    def _query(form: Form, event_types: Iterable[str]) -> TimelineQuery | None:
        """The page of events the filters select (None: the filters are not valid)."""
        chosen = timeline_filter(form, event_types)
        if not form.ok:
            return None
        return TimelineQuery(
            after_seq=chosen.after,
            limit=PAGE_SIZE,
            event_type=chosen.event_type,
            since=chosen.since,
            until=chosen.until,
        )

    @staticmethod
    def _timeline(
        base: str,
        form: Form,
        event_types: Iterable[str],
        query: TimelineQuery | None,
        found: AnnotatedTimeline,
    ) -> dict[str, Any]:
        """The page's rows and filters, with the links to the next and the first page."""
        rows = timeline_rows(found)
        return {
            "form": form,
            "rows": rows,
            "event_types": {t: f"{event_label(t)} ({t})" for t in event_types},
            "next_url": _url(base, form, rows[-1].event.seq) if len(rows) == PAGE_SIZE else None,
            "first_url": _url(base, form, None) if query and query.after_seq else None,
            "status": 200 if query else 400,
        }

    @get("")
    async def history(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template | Redirect:
        """The organisation's history, oldest first, filtered. A typed name (``name``) that
        matches one person opens their history; matching several, the page lists them to
        choose from instead of events. A person's id (``person``, as older links pass it) opens
        their history."""
        form = Form("timeline", dict(request.query_params))
        event_types = audit_use_cases.EVENT_TYPES
        query = self._query(form, event_types)
        name = typed_name(form)
        if linked := form.value("person"):
            if (person_id := _uuid(linked)) is not None:
                return Redirect(_url(f"/audit/people/{person_id}", form, None, FILTERS))
            form.fail(None, "This link names no person: type the person's name instead")
        matches = None
        if name and form.ok:
            matches = await use_cases.run(audit_use_cases.find_people, PeopleSearch(text=name))
            if len(matches.people) == 1 and not matches.more:
                chosen = matches.people[0].person_id
                return Redirect(_url(f"/audit/people/{chosen}", form, None, FILTERS))
        if matches is not None or not form.ok:
            query = None  # no events: the people found to choose from, or what is wrong
        found = await use_cases.run(audit_use_cases.annotated_timeline, query)
        shown = self._timeline("/audit", form, event_types, query, found)
        return await page(
            request,
            "audit/timeline.html",
            person=None,
            searched=name,
            matches=_matches(matches, form),
            **{**shown, "status": 200 if form.ok else 400},
        )

    @get("/people/{person_id:uuid}")
    async def person_history(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
    ) -> Template:
        """One person's history, and their standing as recorded at a chosen moment (``at``, in
        the organisation's time zone), evaluated on that moment's day."""
        form = Form("timeline", dict(request.query_params))
        event_types = audit_use_cases.EVENT_TYPES
        query = self._query(form, event_types)
        zone = await organisation_zone(request)
        moment = form.moment("at", "moment", zone) if form.value("at") else None
        found = await use_cases.run(
            audit_use_cases.person_history,
            PersonHistoryQuery(person_id=person_id, timeline=query, known_at=moment),
        )
        base = f"/audit/people/{person_id}"
        shown = self._timeline(base, form, event_types, query, found.timeline)
        return await page(
            request,
            "audit/timeline.html",
            person=found.person,
            matches=None,
            **_known(found.standing_then, moment),
            **shown,
        )

    @get("/chain")
    async def chain(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        """Recompute the organisation's hash chain now, from its first event."""
        found = await use_cases.run(audit_use_cases.check_chain, None)
        return await page(request, "audit/chain.html", **msgspec.structs.asdict(found))


def _matches(found: PeopleFound | None, form: Form) -> dict[str, Any] | None:
    """The people a typed name matched (None: no name was looked up), each as a link to their
    history with the other filters kept, and what tells namesakes apart."""
    if found is None:
        return None
    links = [
        (
            _url(f"/audit/people/{p.person_id}", form, None, FILTERS),
            p.full_name,
            " · ".join(
                filter(None, [p.employee_number, p.email, None if p.active else "deactivated"])
            ),
        )
        for p in found.people
    ]
    return {"links": links, "more": found.more}


def _known(then: StandingThen | None, moment: datetime | None) -> dict[str, Any]:
    """The standing cards as recorded at ``moment`` (None: not asked, or not valid)."""
    if then is None or moment is None:
        return {"known": None, "known_at": None}
    if then.obligations is None:
        return {"known": [], "known_at": moment}
    current, previous = cards(
        then.obligations, then.credits, moment.date(), count_pending=then.count_pending
    )
    return {"known": current + previous, "known_at": moment}
