"""A person's deadlines as an iCalendar (.ics) feed behind a secret, revocable link.

Contract:
- ``open_calendar_feed``: the person (or an owner or admin) makes a new link; any earlier link
  of the person stops working. The secret is returned once; only its SHA-256 is stored.
- ``revoke_calendar_feed``: the live link stops working (its feed answers "not found").
- ``calendar_feed``: the feed of a live secret, read without a session (calendar apps fetch it
  on their own): one all-day event per cycle deadline of the person's current and previous
  cycles still open or short, with the status and what is still needed in words; None for an
  unknown or revoked secret. The organisation is found through the secret's row alone.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time
from uuid import UUID, uuid5

import msgspec
from icalendar import Calendar, Event

from domain import vocabulary
from domain.compliance.evaluation import Obligation
from services.core.accounts.work import AccountWork
from services.core.application import UnitOfWork
from services.core.hashing import secret_hash
from services.core.mail_templates import credits_text
from services.core.people import queries
from services.core.people.use_cases import person_of
from services.core.policy import authorise_person

_FEED_IDS = UUID("6b1d7a4e-0c55-4b8e-9a51-0f1c3d2e7a90")


class CalendarLink(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    token: str
    """The secret, shown once: the feed is ``/calendar/<token>.ics``."""


async def open_calendar_feed(uow: UnitOfWork, person_id: UUID) -> CalendarLink:
    """A new secret link to the person's deadlines; an earlier link stops working."""
    authorise_person(uow.actor, person_id, write=True)
    await person_of(uow, person_id)
    token = secrets.token_urlsafe(32)
    now = uow.now()
    await _revoke(uow, person_id, now)
    await uow.tx.pg.execute(
        "INSERT INTO calendar_feeds (tenant_id, feed_id, person_id, token_hash, created_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        uow.tx.require_tenant(),
        uuid5(_FEED_IDS, secret_hash(token)),
        person_id,
        secret_hash(token),
        now,
    )
    return CalendarLink(person_id=person_id, token=token)


async def revoke_calendar_feed(uow: UnitOfWork, person_id: UUID) -> None:
    """The person's live link stops working (nothing changes if there is none)."""
    authorise_person(uow.actor, person_id, write=True)
    await person_of(uow, person_id)
    await _revoke(uow, person_id, uow.now())


async def _revoke(uow: UnitOfWork, person_id: UUID, now: datetime) -> None:
    await uow.tx.pg.execute(
        "UPDATE calendar_feeds SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL",
        person_id,
        now,
    )


async def calendar_feed(work: AccountWork, token: str) -> bytes | None:
    """The .ics file of a live ``token`` as of today, or None (unknown or revoked)."""
    hashed = secret_hash(token)
    today = work.now().date()
    async with work.transaction(None) as tx:
        await tx.pg.execute("SELECT set_config('app.calendar_token_hash', $1, true)", hashed)
        row = await tx.pg.fetchrow(
            "SELECT tenant_id, person_id FROM calendar_feeds"
            " WHERE token_hash = $1 AND revoked_at IS NULL",
            hashed,
        )
    if row is None:
        return None
    async with work.transaction(row["tenant_id"]) as tx:
        person = await queries.get_person(tx, row["person_id"])
        obligations = await queries.my_obligations(tx, row["person_id"], today=today)
    if person is None:
        return None
    return to_ics(person.full_name, row["person_id"], obligations)


def to_ics(full_name: str, person_id: UUID, obligations: list[Obligation]) -> bytes:
    """One all-day event per deadline of a current cycle, or of a previous one left short."""
    calendar = Calendar()
    calendar.add("prodid", "-//CME Ledger//CE deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"CE deadlines: {full_name}")
    for o in obligations:
        if o.period == "previous" and o.status == "compliant":
            continue
        short = o.lines[0].shortfall
        event = Event()
        event.add("uid", f"{person_id}-{o.body}-{o.deadline.isoformat()}@cmeledger")
        event.add("dtstamp", datetime.combine(o.deadline, time(), tzinfo=UTC))
        event.add("dtstart", o.deadline)
        event.add("summary", f"{o.body} CE deadline: {vocabulary.STATUSES[o.status]}")
        event.add(
            "description",
            f"{o.period.capitalize()} cycle {o.window.start:%d %b %Y} to {o.window.end:%d %b %Y}."
            + (f" {credits_text(short)} credits still needed." if short else " Complete."),
        )
        calendar.add_component(event)
    return bytes(calendar.to_ical())
