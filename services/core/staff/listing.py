"""The organisation's staff list (filtered, keyset-paginated) and its seat count, and the one
way staff are selected (``StaffFilter``, ``matching_people``), which the compliance report
uses too.

Pages are ordered by (full name, person id) and the cursor is the last key returned, so a page
never repeats or skips a person who was listed before and after it was fetched. Standings are
computed for ``today`` with ``queries.standings_on`` (never stored; cached per process by
``queries.every_standing``, keyed by the tenant's standing head and the day), so the status and
deadline filters run on each fetched chunk of people until the page is full. Sorted by
deadline, the whole selection is computed and ordered by (deadline, full name, person id),
the cursor being that key. A cursor names the sort it continues (``staff_cursor``), so a page
asked for with a cursor and no sort continues in the cursor's order whatever the default is;
a cursor of the older form, the bare key, continues by name (a (name, id) key) or by deadline
(a (deadline, name, id) key); a cursor sent with another sort is refused (``CursorSortMismatch``).
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeVar
from uuid import UUID

import msgspec

from domain.compliance.standing import Standing
from domain.compliance.status import Status
from domain.people.credentials import Body
from services.core.csv_export import Cell, csv_text
from services.core.db import Tx
from services.core.offloop import off_loop
from services.core.people.queries import (
    PersonStanding,
    every_standing,
    for_every_standing,
    standings_on,
)
from services.core.people.views import Person

Activity = Literal["active", "deactivated", "all"]
StaffSort = Literal["name", "deadline"]
"""``deadline``: the soonest deadline of the standings the filter selected first, people
without one last, then by name."""
DEFAULT_SORT: StaffSort = "deadline"
"""The staff list's order unless asked otherwise, in the API and the portal alike: the soonest
deadline is what an employer acts on."""


class InvalidCursor(ValueError):
    """The cursor was not produced by this list."""


class CursorSortMismatch(InvalidCursor):
    """The cursor continues the list in another order than the ``sort`` sent with it."""


class StaffFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Which staff a list or report is of. ``status`` and ``due_within_days`` (deadline from
    today to today + N) must hold for one and the same standing (with ``body`` too, if given;
    ``domain.compliance.standing``); ``body`` and ``credential`` (a code such as RDMS) select
    people holding such a credential; ``search`` finds its text, case aside, in the name,
    email or employee number."""

    activity: Activity = "active"
    status: Status | None = None
    body: Body | None = None
    credential: str | None = None
    department: str | None = None
    site: str | None = None
    search: str | None = None
    due_within_days: int | None = None


class StaffObligation(msgspec.Struct, frozen=True, kw_only=True):
    """A person's standing with one body: the cycle that needs action now (``period``) or
    none (``lapsed``), its deadline, status and credits still missing."""

    body: Body
    period: str | None
    deadline: date | None
    status: Status
    shortfall: Decimal


class StaffMember(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    full_name: str
    employee_number: str | None
    email: str | None
    department: str | None
    site: str | None
    active: bool
    credentials: list[str]
    """``BODY CODE (status)``, e.g. ``ARDMS RDMS (active)``."""
    obligations: list[StaffObligation]
    """One standing per body."""
    deadline: date | None
    """The soonest deadline of the standings the filter selected (status, body, deadline
    window; all standings when none of these is set)."""


class StaffPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[StaffMember]
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; None on the last page."""


class Seats(msgspec.Struct, frozen=True, kw_only=True):
    active: int
    """Active staff records: what billing counts as seats."""
    deactivated: int


_SELECTED = """
SELECT {columns} FROM people p
WHERE p.tenant_id = $1
  AND ($2::boolean IS NULL OR p.active = $2)
  AND ($3::text IS NULL OR p.department = $3)
  AND (($4::text IS NULL AND $5::text IS NULL) OR EXISTS (
        SELECT 1 FROM person_credentials c
        WHERE c.tenant_id = p.tenant_id AND c.person_id = p.person_id
          AND ($4::text IS NULL OR c.body = $4) AND ($5::text IS NULL OR c.code = $5)))
  AND ($6::text IS NULL OR (p.full_name, p.person_id) > ($6::text, $7::uuid))
  AND ($9::text IS NULL OR p.site = $9)
  AND ($10::text IS NULL OR strpos(lower(p.full_name), $10) > 0
       OR strpos(lower(coalesce(p.email, '')), $10) > 0
       OR strpos(lower(coalesce(p.employee_number, '')), $10) > 0)
ORDER BY p.full_name, p.person_id
LIMIT $8
"""
"""The people a ``StaffFilter`` selects apart from standings, by name, after a (name, id) key."""
_PAGE = _SELECTED.format(columns="p.full_name, p.person_id")
_NAMED = _SELECTED.format(columns="p.state::text AS state")
_ACTIVE = {"active": True, "deactivated": False, "all": None}


def _selected_args(
    tx: Tx, selected: StaffFilter, key: tuple[str | None, UUID | None], limit: int | None
) -> tuple[object, ...]:
    """``_SELECTED``'s arguments, in order."""
    return (
        tx.require_tenant(),
        _ACTIVE[selected.activity],
        selected.department,
        selected.body,
        selected.credential,
        *key,
        limit,
        selected.site,
        (selected.search or "").strip().lower() or None,
    )


_DeadlineKey = tuple[date | None, str, UUID]
K = TypeVar("K")
_NAME_KEY = msgspec.json.Decoder(tuple[str, UUID])
_DEADLINE_KEY = msgspec.json.Decoder(_DeadlineKey)


def encode_cursor(*key: object) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(key)).decode()


def decode_key(cursor: str, key: msgspec.json.Decoder[K]) -> K:
    """Raises ``InvalidCursor`` for anything ``encode_cursor`` did not produce for ``key``."""
    try:
        return key.decode(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidCursor("the cursor is not one this list returned") from exc


def decode_cursor(cursor: str) -> tuple[str, UUID]:
    """A (name or text, id) cursor; raises ``InvalidCursor`` for anything else."""
    return decode_key(cursor, _NAME_KEY)


async def matching_people(
    tx: Tx,
    selected: StaffFilter,
    *,
    today: date,
    after: tuple[str, UUID] | None = None,
    limit: int | None = None,
) -> list[PersonStanding]:
    """The people matching ``selected`` on ``today`` (after the key ``after``), by name, with
    their standings: all of them, or the first ``limit`` + 1 (so a caller knows more follow).
    Their obligations are not explained (``queries.obligations_on``): numbers and statuses.
    Everyone's standings (``queries.every_standing``, cached per process) when all are listed
    or a standing decides who is; otherwise only those of the people read."""
    key: tuple[str | None, UUID | None] = after or (None, None)
    chunk = None if limit is None else max(limit + 1, 200)
    every = None
    if limit is None or selected.status is not None or selected.due_within_days is not None:
        every = await every_standing(tx, today=today)
    found: list[PersonStanding] = []
    while limit is None or len(found) <= limit:
        rows = await tx.pg.fetch(_PAGE, *_selected_args(tx, selected, key, chunk))
        standing = (
            every
            if every is not None
            else await standings_on(
                tx, today=today, person_ids=[r["person_id"] for r in rows], explained=False
            )
        )
        found += await off_loop(_matching, selected, rows, standing, today)
        if chunk is None or len(rows) < chunk:
            break
        key = (rows[-1]["full_name"], rows[-1]["person_id"])
    return found if limit is None else found[: limit + 1]


async def people_named(tx: Tx, selected: StaffFilter, *, limit: int) -> list[Person]:
    """The first ``limit`` + 1 people ``selected`` finds (so a caller knows more follow), by
    name, as stored: one statement, no standing worked out. ``selected`` must not filter on a
    standing (``status``, ``due_within_days``): ``matching_people`` does."""
    if selected.status is not None or selected.due_within_days is not None:
        raise ValueError("a filter on standings needs matching_people")
    rows = await tx.pg.fetch(_NAMED, *_selected_args(tx, selected, (None, None), limit + 1))
    return [msgspec.json.decode(row["state"], type=Person) for row in rows]


class _StaffCursor(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    sort: StaffSort
    after: msgspec.Raw
    """The last key listed: (full name, person id) by name, (deadline, full name, person id)
    by deadline."""


_STAFF_CURSOR = msgspec.json.Decoder(_StaffCursor)
_OLD_FORMS: tuple[tuple[StaffSort, msgspec.json.Decoder[Any]], ...] = (
    ("name", _NAME_KEY),
    ("deadline", _DEADLINE_KEY),
)


def staff_cursor(sort: StaffSort, *key: object) -> str:
    """The staff list's cursor after ``key`` in ``sort`` order."""
    cursor = _StaffCursor(sort=sort, after=msgspec.Raw(msgspec.json.encode(key)))
    return base64.urlsafe_b64encode(msgspec.json.encode(cursor)).decode()


def _read_staff_cursor(cursor: str) -> tuple[StaffSort, bytes]:
    """The sort ``cursor`` continues and its key (JSON); raises ``InvalidCursor``."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode())
        if raw.lstrip().startswith(b"{"):
            found = _STAFF_CURSOR.decode(raw)
            return found.sort, bytes(found.after)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidCursor("the cursor is not one this list returned") from exc
    for sort, key in _OLD_FORMS:  # the bare key of a cursor made before cursors named a sort
        try:
            key.decode(raw)
        except (ValueError, msgspec.DecodeError):
            continue
        return sort, raw
    raise InvalidCursor("the cursor is not one this list returned")


def page_sort(cursor: str | None, sort: StaffSort | None) -> tuple[StaffSort, bytes | None]:
    """The order a page is listed in and the key it starts after: the cursor's own sort (which
    ``sort``, when sent, must be), else ``sort``, else ``DEFAULT_SORT``."""
    if cursor is None:
        return sort or DEFAULT_SORT, None
    continued, after = _read_staff_cursor(cursor)
    if sort is not None and sort != continued:
        raise CursorSortMismatch(
            f"this cursor continues the list sorted by {continued}: send it with"
            f" sort={continued} or no sort, or start again without a cursor to sort by {sort}"
        )
    return continued, after


async def staff_page(
    tx: Tx,
    selected: StaffFilter,
    *,
    today: date,
    limit: int,
    cursor: str | None = None,
    sort: StaffSort | None = None,
) -> StaffPage:
    """Up to ``limit`` people matching ``selected`` after ``cursor``, in the order ``page_sort``
    gives; raises ``InvalidCursor`` (``CursorSortMismatch`` for a cursor of another sort)."""
    order, after = page_sort(cursor, sort)
    if order == "deadline":
        deadline_key = None if after is None else _DEADLINE_KEY.decode(after)
        return await _page_by_deadline(tx, selected, today=today, limit=limit, after=deadline_key)
    name_key = None if after is None else _NAME_KEY.decode(after)
    found = await matching_people(tx, selected, today=today, after=name_key, limit=limit)
    page = [_member(selected, each.person, each.standings, today) for each in found[:limit]]
    more = len(found) > limit
    return StaffPage(
        items=page,
        next_cursor=staff_cursor("name", page[-1].full_name, page[-1].person_id) if more else None,
    )


async def _page_by_deadline(
    tx: Tx, selected: StaffFilter, *, today: date, limit: int, after: _DeadlineKey | None
) -> StaffPage:
    members = await for_every_standing(
        tx,
        today=today,
        label=("staff_by_deadline", selected),
        compute=lambda: _by_deadline(tx, selected, today=today),
    )
    start = (
        0
        if after is None
        else bisect_right(members, _deadline_order_of(after), key=_deadline_order)
    )
    page = members[start : start + limit]
    last = page[-1] if page else None
    return StaffPage(
        items=page,
        next_cursor=staff_cursor("deadline", last.deadline, last.full_name, last.person_id)
        if last and len(members) > start + limit
        else None,
    )


async def _by_deadline(tx: Tx, selected: StaffFilter, *, today: date) -> list[StaffMember]:
    """Everyone ``selected`` lists on ``today``, in deadline order (``_deadline_order``)."""
    return await off_loop(
        _sorted_by_deadline, selected, await matching_people(tx, selected, today=today), today
    )


def _sorted_by_deadline(
    selected: StaffFilter, found: list[PersonStanding], today: date
) -> list[StaffMember]:
    """``found`` as listed members in deadline order (pure CPU work, run off the event loop)."""
    return sorted(
        (_member(selected, each.person, each.standings, today) for each in found),
        key=_deadline_order,
    )


def _matching(
    selected: StaffFilter,
    rows: Sequence[Mapping[str, Any]],
    standing: Mapping[UUID, PersonStanding],
    today: date,
) -> list[PersonStanding]:
    """The standings of the people ``rows`` names whose standings ``selected`` lists, in the
    rows' order (pure CPU work, run off the event loop)."""
    return [
        standing[row["person_id"]]
        for row in rows
        if row["person_id"] in standing
        and _standings_match(selected, standing[row["person_id"]].standings, today)
    ]


def _deadline_order(member: StaffMember) -> tuple[bool, date, str, UUID]:
    return _deadline_order_of((member.deadline, member.full_name, member.person_id))


def _deadline_order_of(key: _DeadlineKey) -> tuple[bool, date, str, UUID]:
    deadline, full_name, person_id = key
    return (deadline is None, deadline or date.min, full_name, person_id)


EXPORT_COLUMNS = (
    "full_name",
    "employee_number",
    "email",
    "department",
    "site",
    "active",
    "credentials",
    "body",
    "period",
    "deadline",
    "status",
    "shortfall",
)
_EXPORT_CHUNK = 200


async def staff_csv(tx: Tx, selected: StaffFilter, *, today: date) -> str:
    """Everyone ``staff_page`` lists for ``selected``, by name, as CSV (``EXPORT_COLUMNS``): one
    row per person and obligation (a person without any: one row), written by
    ``csv_export.csv_text``."""
    rows: list[dict[str, Cell]] = []
    cursor: str | None = None
    while True:
        found = await staff_page(
            tx, selected, today=today, limit=_EXPORT_CHUNK, cursor=cursor, sort="name"
        )
        for member in found.items:
            common: dict[str, Cell] = {
                "full_name": member.full_name,
                "employee_number": member.employee_number,
                "email": member.email,
                "department": member.department,
                "site": member.site,
                "active": "yes" if member.active else "no",
                "credentials": "; ".join(member.credentials),
            }
            rows += [
                {
                    **common,
                    "body": o.body,
                    "period": o.period,
                    "deadline": o.deadline,
                    "status": o.status,
                    "shortfall": o.shortfall,
                }
                for o in member.obligations
            ] or [common]
        if found.next_cursor is None:
            return csv_text(EXPORT_COLUMNS, rows)
        cursor = found.next_cursor


async def seats(tx: Tx) -> Seats:
    """How many staff records are active (billing's seats) and deactivated."""
    row = await tx.pg.fetchrow(
        "SELECT count(*) FILTER (WHERE active) AS active,"
        " count(*) FILTER (WHERE NOT active) AS deactivated FROM people WHERE tenant_id = $1",
        tx.require_tenant(),
    )
    assert row is not None  # an aggregate always returns one row
    return Seats(active=row["active"], deactivated=row["deactivated"])


class Placements(msgspec.Struct, frozen=True, kw_only=True):
    departments: list[str]
    sites: list[str]


async def placements(tx: Tx) -> Placements:
    """The departments and the sites staff are placed in, each by name (for filters)."""
    tenant = tx.require_tenant()
    departments = await tx.pg.fetch(
        "SELECT DISTINCT department FROM people WHERE tenant_id = $1 AND department IS NOT NULL"
        " ORDER BY department",
        tenant,
    )
    sites = await tx.pg.fetch(
        "SELECT DISTINCT site FROM people WHERE tenant_id = $1 AND site IS NOT NULL ORDER BY site",
        tenant,
    )
    return Placements(
        departments=[r["department"] for r in departments], sites=[r["site"] for r in sites]
    )


def _standings_match(selected: StaffFilter, standings: list[Standing], today: date) -> bool:
    if selected.status is None and selected.due_within_days is None:
        return True
    return bool(_selected_standings(selected, standings, today))


def _selected_standings(
    selected: StaffFilter, standings: list[Standing], today: date
) -> list[Standing]:
    """The standings the filter's status, body and deadline window select."""
    last_day = today + timedelta(days=selected.due_within_days or 0)
    return [
        s
        for s in standings
        if (selected.status is None or s.status == selected.status)
        and (
            selected.due_within_days is None
            or (s.deadline is not None and today <= s.deadline <= last_day)
        )
        and (selected.body is None or s.body == selected.body)
    ]


def _member(
    selected: StaffFilter, person: Person, standings: list[Standing], today: date
) -> StaffMember:
    deadlines = [s.deadline for s in _selected_standings(selected, standings, today) if s.deadline]
    return StaffMember(
        person_id=person.person_id,
        full_name=person.full_name,
        employee_number=person.employee_number,
        email=person.email,
        department=person.department,
        site=person.site,
        active=person.active,
        credentials=[f"{c.body} {c.code} ({c.status})" for c in person.credentials],
        obligations=[
            StaffObligation(
                body=s.body,
                period=s.obligation.period if s.obligation else None,
                deadline=s.deadline,
                status=s.status,
                shortfall=s.shortfall,
            )
            for s in standings
        ],
        deadline=min(deadlines, default=None),
    )
