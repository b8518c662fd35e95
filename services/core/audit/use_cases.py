"""The audit use cases (owners, admins and auditors): the history filtered, a page at a time;
the history annotated with whose record each event is about and who caused it; one person's
history with their standing as the record showed it at a chosen moment; the hash chain's state;
and the audit bundle to take away.

Exporting the bundle writes the history page by page in transactions of its own
(``services.core.audit.bundle``), so ``export_audit_bundle`` takes the ``UseCases`` runner's
application rather than one unit of work.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.compliance.evaluation import Obligation
from domain.shared.event import event_tag
from services.core import registry
from services.core.application import AccessDenied, NotFound, UnitOfWork, UseCases
from services.core.audit import queries as audit_views
from services.core.audit.bundle import Bundle, build_bundle
from services.core.audit.history import obligations_known_at, timeline
from services.core.blobs import build_blob_store
from services.core.credits.views import Credit
from services.core.eventsourcing.chain_check import ChainBreak, ChainReport, verify_chain
from services.core.eventsourcing.store import RecordedEvent
from services.core.people import queries
from services.core.people.views import Person
from services.core.policy import READERS, require_role
from services.core.staff.listing import StaffFilter, people_named

EVENT_TYPES = sorted(event_tag(cls) for cls in registry.EVENT_TYPES)
"""The type tag of every event the history may hold: what it can be filtered by."""


class TimelineQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A page of the history after event ``after_seq``, filtered (``since`` inclusive,
    ``until`` exclusive; ``person_id``: the events about that person)."""

    after_seq: int = 0
    limit: int = 100
    event_type: str | None = None
    stream_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    person_id: UUID | None = None


class TimelinePage(msgspec.Struct, frozen=True, kw_only=True):
    events: list[RecordedEvent]
    next_after_seq: int | None
    """Pass as ``after_seq`` for the next page; null at the end."""


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    event: RecordedEvent
    person: tuple[UUID, str] | None
    """Whose record the event is about (id, name), where it is about one."""
    actor: str
    """Who caused it: a member's e-mail and role, or CME Ledger itself."""


class AnnotatedTimeline(msgspec.Struct, frozen=True, kw_only=True):
    entries: list[TimelineEntry]


PEOPLE_FOUND = 20
"""People listed for a typed name, at most: a name narrows a tenant of any size to a page."""


class PeopleSearch(msgspec.Struct, frozen=True, kw_only=True):
    """The people whose history may be wanted: ``text`` found, case aside, in the name, e-mail
    or employee number (the staff list's search), active or not."""

    text: str
    limit: int = PEOPLE_FOUND


class PeopleFound(msgspec.Struct, frozen=True, kw_only=True):
    people: list[Person]
    """The first ``limit`` matches, by name."""
    more: bool
    """More people match than are listed."""


class PersonHistoryQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A person's history (``timeline``; None: no page, the filters were not valid) and their
    standing as recorded by ``known_at`` (None: not asked), evaluated on that moment's day."""

    person_id: UUID
    timeline: TimelineQuery | None
    known_at: datetime | None = None


class StandingThen(msgspec.Struct, frozen=True, kw_only=True):
    obligations: list[Obligation] | None
    count_pending: bool
    """The organisation's current choice whether pending credits count, applied to them."""
    """From only what was recorded by then; None: the person was not registered then."""
    credits: list[Credit]
    """The person's credits as they stand now."""


class PersonHistory(msgspec.Struct, frozen=True, kw_only=True):
    person: Person
    timeline: AnnotatedTimeline
    standing_then: StandingThen | None


class ChainStatus(msgspec.Struct, frozen=True, kw_only=True):
    """ "Verified up to event ``verified_through_seq`` at ``checked_at``", or the first break."""

    intact: bool
    verified_through_seq: int
    head_seq: int
    head_hash: str
    checked_at: datetime
    first_break: ChainBreak | None


class ChainCheck(msgspec.Struct, frozen=True, kw_only=True):
    report: ChainReport
    last_recorded: datetime | None
    """When the last event verified was recorded."""
    checked_at: datetime

    def status(self) -> ChainStatus:
        return ChainStatus(
            intact=self.report.ok,
            verified_through_seq=self.report.checked,
            head_seq=self.report.head_seq,
            head_hash=self.report.head_hash,
            checked_at=self.checked_at,
            first_break=self.report.first_break,
        )


async def _page(uow: UnitOfWork, query: TimelineQuery) -> list[RecordedEvent]:
    return await timeline(
        uow.tx,
        after_seq=query.after_seq,
        limit=query.limit,
        event_type=query.event_type,
        stream_id=query.stream_id,
        since=query.since,
        until=query.until,
        person_id=query.person_id,
    )


async def audit_timeline(uow: UnitOfWork, query: TimelineQuery) -> TimelinePage:
    """The organisation's history in order, filtered by event type, stream, person and time."""
    require_role(uow.actor, *READERS)
    page = await _page(uow, query)
    return TimelinePage(
        events=page, next_after_seq=page[-1].seq if len(page) == query.limit else None
    )


async def annotated_timeline(uow: UnitOfWork, query: TimelineQuery | None) -> AnnotatedTimeline:
    """A page of the history (None: none), each event with the person it is about and the
    member who caused it."""
    require_role(uow.actor, *READERS)
    return AnnotatedTimeline(entries=await _annotated(uow, query))


async def find_people(uow: UnitOfWork, search: PeopleSearch) -> PeopleFound:
    """The people a typed name (e-mail, employee number) may mean, to choose whose history."""
    require_role(uow.actor, *READERS)
    selected = StaffFilter(activity="all", search=search.text)
    found = await people_named(uow.tx, selected, limit=search.limit)
    return PeopleFound(people=found[: search.limit], more=len(found) > search.limit)


async def _annotated(uow: UnitOfWork, query: TimelineQuery | None) -> list[TimelineEntry]:
    events = [] if query is None else await _page(uow, query)
    about = await audit_views.people_about(uow.tx, events)
    names = await audit_views.person_names(uow.tx, {p for p in about.values() if p})
    emails = await audit_views.member_emails(uow.tx, (e.metadata.get("actor_id") for e in events))
    return [
        TimelineEntry(
            event=e,
            person=(p, names[p]) if (p := about[e.seq]) and p in names else None,
            actor=audit_views.actor_text(e.metadata, emails),
        )
        for e in events
    ]


async def person_history(uow: UnitOfWork, query: PersonHistoryQuery) -> PersonHistory:
    """One person's history, and their standing as the record showed it at ``known_at``."""
    require_role(uow.actor, *READERS)
    person = await queries.get_person(uow.tx, query.person_id)
    if person is None:
        raise NotFound("no such person in this organisation")
    chosen = query.timeline
    entries = await _annotated(
        uow, None if chosen is None else msgspec.structs.replace(chosen, person_id=person.person_id)
    )
    then = None
    if query.known_at is not None:
        count_pending = await queries.counts_pending_credits(uow.tx)
        then = StandingThen(
            count_pending=count_pending,
            obligations=await obligations_known_at(
                uow.tx,
                uow.store,
                query.person_id,
                known_at=query.known_at,
                today=query.known_at.date(),
                count_pending=count_pending,
            ),
            credits=await queries.my_credits(uow.tx, query.person_id),
        )
    timeline = AnnotatedTimeline(entries=entries)
    return PersonHistory(person=person, timeline=timeline, standing_then=then)


async def check_chain(uow: UnitOfWork, _: None = None) -> ChainCheck:
    """Recompute the organisation's hash chain now, from its first event."""
    require_role(uow.actor, *READERS)
    report = await verify_chain(uow.tx, uow.store)
    return ChainCheck(
        report=report,
        last_recorded=await audit_views.recorded_at(uow.tx, report.checked),
        checked_at=uow.now(),
    )


async def export_audit_bundle(use_cases: UseCases) -> Bundle:
    """The organisation's audit bundle (``services.core.audit.bundle.build_bundle``): the
    export is recorded first, and the bundle's history ends with that record."""
    actor = use_cases.actor
    require_role(actor, *READERS)
    if actor.user_id is None:
        raise AccessDenied("only a member may export the audit bundle")
    application = use_cases.application
    return await build_bundle(
        application.database,
        application.store,
        build_blob_store(application.settings),
        tenant_id=actor.tenant_id,
        user_id=actor.user_id,
        now=application.store.clock(),
        metadata=actor.metadata(),
    )
