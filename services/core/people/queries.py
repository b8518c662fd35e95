"""Read-side queries over the compliance read models: plain functions over a tenant transaction.

Statuses are computed for the ``today`` passed in, never read from storage: stored obligations
get ``status_on(obligation, today)`` while ``today`` lies in the person's ``evaluated_on ..
valid_through``, and anyone outside it is re-evaluated from the stored inputs (see
``services.core.projections.obligations``). Either way the result equals evaluate() on ``today``
over the person's events, with the rule packs the read models were built with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Hashable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple, TypeVar
from uuid import UUID

import msgspec
from prometheus_client import REGISTRY

from domain.compliance.evaluation import Obligation, status_on, unsupported_credentials
from domain.compliance.packs import RULE_PACKS
from domain.compliance.rules import Basis, Pack, UnsupportedPack
from domain.compliance.standing import Standing, people_by_status, standings
from domain.compliance.status import Status
from domain.credits.credit import Credit
from domain.people.credentials import STATUSES_WITH_CE_OBLIGATION, Body
from domain.people.person import Credential, Person
from services.core.credits import views as credit_views
from services.core.db import Tx
from services.core.metrics import StandingsCacheMetrics
from services.core.offloop import off_loop
from services.core.people import views
from services.core.people.standings_cache import StandingsCache, StandingsKey
from services.core.projections.credits import CreditsProjection
from services.core.projections.folded import copied, restored
from services.core.projections.obligations import Inputs, load_inputs
from services.core.projections.standings import StandingHeads
from services.core.registry import STANDING_EVENT_TYPES
from services.core.stream_ids import aggregate_id

T = TypeVar("T")

_STORED = """
SELECT e.person_id, $3::date BETWEEN e.evaluated_on AND e.valid_through AS valid,
    (SELECT count_pending_credits FROM organisations WHERE tenant_id = $1) AS count_pending,
    o.{column}::text AS explanation
FROM obligation_evaluations e
LEFT JOIN obligations o ON o.tenant_id = e.tenant_id AND o.person_id = e.person_id
    AND $3::date BETWEEN e.evaluated_on AND e.valid_through
WHERE e.tenant_id = $1 AND ($2::uuid[] IS NULL OR e.person_id = ANY($2::uuid[]))
ORDER BY e.person_id, o.ordinal
"""
"""Each person's evaluation and, when it holds on the day $3, their stored obligations in
evaluate()'s order, with the organisation's ``counts_pending_credits``: one statement."""
_EXPLAINED = _STORED.format(column="explanation")
_UNEXPLAINED = _STORED.format(column="summary")
"""Without the credits used and not used (migration 0033): a cycle lists every credit of the
person, which is most of what is stored, and nothing a status or a standing is decided on."""


async def counts_pending_credits(tx: Tx) -> bool:
    """The organisation's choice: whether credits awaiting a certificate check count toward
    statuses (``organisations.PendingCreditsCountingChosen``; by default they do not)."""
    chosen = await tx.pg.fetchval(
        "SELECT count_pending_credits FROM organisations WHERE tenant_id = $1",
        tx.require_tenant(),
    )
    return bool(chosen)


class _Stored(NamedTuple):
    """What ``obligations_on`` reads: every row of ``_STORED`` as (person, valid, stored
    obligation text or None), the pending-credit choice, and the inputs of the people whose
    stored evaluation does not hold on the day (re-evaluated on read)."""

    rows: list[tuple[UUID, bool, str | None]]
    count_pending: bool
    stale: dict[UUID, Inputs]


async def _stored(
    tx: Tx, *, today: date, person_ids: Sequence[UUID] | None, explained: bool
) -> _Stored:
    ids = None if person_ids is None else list(person_ids)
    stored_rows = _EXPLAINED if explained else _UNEXPLAINED
    rows = await tx.pg.fetch(stored_rows, tx.require_tenant(), ids, today)
    stale = [row["person_id"] for row in rows if not row["valid"]]
    return _Stored(
        [(row["person_id"], row["valid"], row["explanation"]) for row in rows],
        bool(rows and rows[0]["count_pending"]),
        await load_inputs(tx, stale) if stale else {},
    )


def _obligations(
    stored: _Stored, *, today: date, rule_packs: Sequence[Pack], explained: bool
) -> dict[UUID, list[Obligation]]:
    """``obligations_on``'s result from what it read: pure CPU work (decoding, evaluating)."""
    count_pending = stored.count_pending
    found: dict[UUID, list[Obligation]] = {}
    for person_id, valid, explanation in stored.rows:
        held = found.setdefault(person_id, [])
        if valid and explanation is not None:
            obligation = restored(explanation, views.Obligation, Obligation)
            held.append(
                msgspec.structs.replace(
                    obligation, status=status_on(obligation, today, count_pending=count_pending)
                )
            )
    for person_id, inputs in stored.stale.items():
        evaluated = inputs.evaluate(today, rule_packs, count_pending=count_pending)
        found[person_id] = evaluated if explained else [_unexplained(o) for o in evaluated]
    return found


async def obligations_on(
    tx: Tx,
    *,
    today: date,
    person_ids: Sequence[UUID] | None = None,
    rule_packs: Sequence[Pack] = RULE_PACKS,
    explained: bool = True,
) -> dict[UUID, list[Obligation]]:
    """Every registered person's obligations (or those of ``person_ids``) as on ``today``, in
    evaluate()'s order, each status as the organisation counts pending credits
    (``counts_pending_credits``). ``rule_packs`` is used only for people re-evaluated on read.
    The domain's ``Obligation``: ``status_on`` and ``standings`` decide on it. Not
    ``explained``: ``used`` and ``not_used`` are empty (what lists of many people read; the
    statuses, numbers and standings are the same). Decoded and evaluated off the event loop
    (``off_loop``)."""
    stored = await _stored(tx, today=today, person_ids=person_ids, explained=explained)
    return await off_loop(
        _obligations, stored, today=today, rule_packs=rule_packs, explained=explained
    )


def _unexplained(obligation: Obligation) -> Obligation:
    """``obligation`` without the credits used and not used, as ``_UNEXPLAINED`` reads it."""
    return msgspec.structs.replace(obligation, used=(), not_used=())


class PersonStanding(NamedTuple):
    person: views.Person
    """The stored view, as it is shown; ``standings`` and ``unsupported`` were decided on the
    domain's ``Person`` copied from it."""
    obligations: list[Obligation]
    standings: list[Standing]
    count_pending: bool
    unsupported: list[tuple[Credential, Basis]]
    """Credentials held whose body's CE rules are not modelled (no obligation), each with why."""


async def standings_on(
    tx: Tx,
    *,
    today: date,
    person_ids: Sequence[UUID] | None = None,
    rule_packs: Sequence[Pack] = RULE_PACKS,
    explained: bool = True,
) -> dict[UUID, PersonStanding]:
    """Every registered person's (or those of ``person_ids``) obligations and standing per
    body on ``today`` (``domain.compliance.standing``): what every view shows as a status.
    ``explained``: as ``obligations_on`` says. The rows are read on the event loop; decoding
    and deciding run off it (``off_loop``), so a whole tenant's does not hold other requests."""
    stored = await _stored(tx, today=today, person_ids=person_ids, explained=explained)
    count_pending = await counts_pending_credits(tx)
    people = await tx.pg.fetch(
        "SELECT state::text AS state FROM people WHERE tenant_id = $1 AND person_id = ANY($2)",
        tx.require_tenant(),
        list(dict.fromkeys(person_id for person_id, _, _ in stored.rows)),
    )
    return await off_loop(
        _standings,
        stored,
        [row["state"] for row in people],
        today=today,
        rule_packs=rule_packs,
        explained=explained,
        count_pending=count_pending,
    )


def _standings(
    stored: _Stored,
    people: list[str],
    *,
    today: date,
    rule_packs: Sequence[Pack],
    explained: bool,
    count_pending: bool,
) -> dict[UUID, PersonStanding]:
    """``standings_on``'s result from what it read (``people``: the stored views as JSON)."""
    found = _obligations(stored, today=today, rule_packs=rule_packs, explained=explained)
    result: dict[UUID, PersonStanding] = {}
    for state in people:
        shown = msgspec.json.decode(state, type=views.Person)
        person: Person = copied(shown, Person)  # standings and unsupported decide on it
        obligations = found[person.person_id]
        result[person.person_id] = PersonStanding(
            shown,
            obligations,
            standings(person, obligations, today=today, count_pending=count_pending),
            count_pending,
            unsupported_credentials(person, rule_packs, today=today),
        )
    return result


STANDINGS = StandingsCache(capacity=32, max_people=20_000)
"""This process's cache of what is computed from every person's standing, per tenant: at about
10 KB a person, 20,000 people bound it near 200 MB (two 10,000-staff tenants). Its counts are
on the metrics port."""
REGISTRY.register(StandingsCacheMetrics(STANDINGS))

_KEY = """
SELECT
    CASE WHEN behind THEN e.last_seq ELSE coalesce(h.last_seq, 0) END AS last_seq,
    CASE WHEN behind THEN e.last_hash ELSE coalesce(h.last_hash, '') END AS last_hash,
    coalesce((SELECT epoch FROM read_model_epochs WHERE tenant_id = $1), 0) AS epoch,
    coalesce((SELECT count_pending_credits FROM organisations WHERE tenant_id = $1), false)
        AS count_pending
FROM (SELECT $1::uuid AS tenant_id) t
LEFT JOIN standing_heads h ON h.tenant_id = t.tenant_id
LEFT JOIN event_heads e ON e.tenant_id = t.tenant_id
LEFT JOIN checkpoints c ON c.tenant_id = t.tenant_id AND c.name = $2,
LATERAL (SELECT coalesce(c.position, 0) < coalesce(e.last_seq, 0) AS behind) b
"""
"""The tenant's standing head (``projections.standings``; none before its first such event),
read-model epoch and pending-credit choice: five primary-key lookups in one statement. While
the standing head's projection is behind the events (appended by the release before, which
runs beside this one for a few minutes of a release), the event head stands for it."""

REFRESH_BOUND = 500
"""At most this many events that can change a standing are refreshed person by person; past
it, the whole tenant is computed again."""

_CHANGED = """
WITH since AS (
    SELECT named_person, stream_id FROM events
    WHERE tenant_id = $1 AND seq > $2 AND seq <= $4 AND event_type = ANY($5::text[])
    ORDER BY seq LIMIT $6
)
SELECT named_person::uuid AS person_id, stream_id,
    (SELECT hash FROM events WHERE tenant_id = $1 AND seq = $2) = $3::bpchar AS kept
FROM since
"""
"""The events that can change a standing after $2 (whose hash must still be $3) up to $4, at
most $6 of them: the person each names, its stream, and whether $2 is still the event cached."""

_OWNERS = """
SELECT person_id FROM credits WHERE tenant_id = $1 AND credit_id = ANY($2::uuid[])
UNION ALL
SELECT person_id FROM waivers WHERE tenant_id = $1 AND waiver_id = ANY($2::uuid[])
"""


async def _standings_key(tx: Tx, today: date) -> StandingsKey:
    tenant = tx.require_tenant()
    head = await tx.pg.fetchrow(_KEY, tenant, StandingHeads.name)
    assert head is not None  # one row whatever the tenant holds
    return StandingsKey(
        tenant, head["last_seq"], head["last_hash"], head["epoch"], today, head["count_pending"]
    )


async def for_every_standing(
    tx: Tx,
    *,
    today: date,
    label: Hashable,
    compute: Callable[[], Awaitable[T]],
    refresh: Callable[[StandingsKey, StandingsKey, T], Awaitable[T]] | None = None,
) -> T:
    """``compute()``, a function of every person's standing on ``today`` (and of nothing else
    the tenant's events do not decide), from this process's cache under ``label`` when the
    tenant's standing head (``projections.standings``), read-model epoch
    (``projections.epochs``), the day and the pending-credit choice are those it was computed
    for (``standings_cache``); else ``refresh(earlier key, key, earlier value)`` when given and
    the tenant holds a value of an earlier key, else ``compute()``. The key is read before
    anything else is, so what is stored under it is never older than it. Read only."""
    key = await _standings_key(tx, today)
    return await STANDINGS.value(key, label, compute, refresh)


async def every_standing(tx: Tx, *, today: date) -> Mapping[UUID, PersonStanding]:
    """Every registered person's ``standings_on(explained=False)`` on ``today``, cached
    (``for_every_standing``) and, when stale, refreshed for the people named by the events
    since (``_changed_people``). Read only."""

    async def everyone() -> Mapping[UUID, PersonStanding]:
        return await standings_on(tx, today=today, explained=False)

    async def refreshed(
        earlier_key: StandingsKey, key: StandingsKey, earlier: Mapping[UUID, PersonStanding]
    ) -> Mapping[UUID, PersonStanding]:
        changed = await _changed_people(tx, earlier_key, key)
        if changed is None:
            return await everyone()
        fresh = await standings_on(tx, today=today, person_ids=list(changed), explained=False)
        return {**{p: s for p, s in earlier.items() if p not in changed}, **fresh}

    return await for_every_standing(
        tx, today=today, label="standings", compute=everyone, refresh=refreshed
    )


async def _changed_people(tx: Tx, earlier: StandingsKey, key: StandingsKey) -> set[UUID] | None:
    """The people whose standing the events between ``earlier`` and ``key`` can have changed:
    each event's named person (``events.named_person``) or the owner of its credit or waiver.
    None (compute the whole tenant) when the day, epoch or pending-credit choice differ, when
    ``earlier``'s last event is not the committed one (its transaction rolled back), when more
    than ``REFRESH_BOUND`` events lie between, or when one of them names no one and is of no
    credit or waiver on record."""
    if (earlier.epoch, earlier.today, earlier.count_pending) != (
        key.epoch,
        key.today,
        key.count_pending,
    ) or not 0 < earlier.last_seq < key.last_seq:
        return None
    rows = await tx.pg.fetch(
        _CHANGED,
        key.tenant_id,
        earlier.last_seq,
        earlier.last_hash,
        key.last_seq,
        sorted(STANDING_EVENT_TYPES or ()),
        REFRESH_BOUND + 1,
    )
    if not rows or not rows[0]["kept"] or len(rows) > REFRESH_BOUND:
        return None
    named = {row["person_id"] for row in rows if row["person_id"] is not None}
    owned = {aggregate_id(row["stream_id"]) for row in rows if row["person_id"] is None}
    if owned:
        owners = await tx.pg.fetch(_OWNERS, key.tenant_id, list(owned))
        if len(owners) < len(owned):
            return None
        named |= {row["person_id"] for row in owners}
    return named


async def my_standing(tx: Tx, person_id: UUID, *, today: date) -> PersonStanding | None:
    """The person's obligations and standing per body on ``today`` (None: not registered)."""
    return (await standings_on(tx, today=today, person_ids=[person_id])).get(person_id)


async def my_obligations(tx: Tx, person_id: UUID, *, today: date) -> list[Obligation]:
    """The person's previous and current obligation per body, each with its full explanation
    (requirement lines, credits used and why, credits not used and why, waivers, flags)."""
    return (await obligations_on(tx, today=today, person_ids=[person_id])).get(person_id, [])


async def my_credits(tx: Tx, person_id: UUID) -> list[credit_views.Credit]:
    """The person's credits, latest completed first, with verification status and retraction:
    the stored views as they are (shown or answered, never decided on)."""
    rows = await tx.pg.fetch(
        "SELECT state::text AS state FROM credits WHERE tenant_id = $1 AND person_id = $2"
        " ORDER BY completed_on DESC, credit_id",
        tx.require_tenant(),
        person_id,
    )
    return [msgspec.json.decode(row["state"], type=credit_views.Credit) for row in rows]


async def one_credit(tx: Tx, person_id: UUID, credit_id: UUID) -> credit_views.Credit | None:
    """The person's credit ``credit_id`` as ``my_credits`` gives it (None: the person has no
    such credit); the state this transaction saved, when it saved one."""
    written = tx.written(CreditsProjection.name, credit_id)
    if isinstance(written, Credit):
        return copied(written, credit_views.Credit) if written.person_id == person_id else None
    state = await tx.pg.fetchval(
        "SELECT state::text FROM credits"
        " WHERE tenant_id = $1 AND person_id = $2 AND credit_id = $3",
        tx.require_tenant(),
        person_id,
        credit_id,
    )
    return None if state is None else msgspec.json.decode(state, type=credit_views.Credit)


async def colleagues_names(tx: Tx, person_id: UUID, shared: Collection[str]) -> list[str]:
    """The full names of the organisation's people, active or not, other than ``person_id``
    with a word in ``shared`` (casefolded words without diacritics, as ``names.words``); none
    when ``shared`` is empty."""
    if not shared:
        return []
    rows = await tx.pg.fetch(
        """
        SELECT full_name FROM people
        WHERE tenant_id = $1 AND person_id <> $2
          AND regexp_split_to_array(
                replace(replace(translate(lower(
                    regexp_replace(normalize(full_name, NFKD), '[\u0300-\u036f]', '', 'g')),
                    'øłđı''’`', 'oldi'), 'ß', 'ss'), 'æ', 'ae'),
                '[^[:alnum:]]+') && $3::text[]
        """,
        tx.require_tenant(),
        person_id,
        sorted(shared),
    )
    return [row["full_name"] for row in rows]


async def get_person(tx: Tx, person_id: UUID) -> views.Person | None:
    """The person's profile, registry ids and credentials, or None if not registered: the
    stored view as it is (shown or answered; ``standings_on`` gives the domain's ``Person``
    to the code that decides)."""
    state = await tx.pg.fetchval(
        "SELECT state::text FROM people WHERE tenant_id = $1 AND person_id = $2",
        tx.require_tenant(),
        person_id,
    )
    return None if state is None else msgspec.json.decode(state, type=views.Person)


class UpcomingDeadline(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    full_name: str
    department: str | None
    site: str | None
    body: Body
    deadline: date
    shortfall: Decimal
    status: Status


class GroupCounts(msgspec.Struct, frozen=True, kw_only=True):
    """One department or site (``name`` ``None``: people not assigned to one): its registered
    people and how many of them have a standing of each status."""

    name: str | None
    people: int
    by_status: dict[Status, int]


class OrganisationSummary(msgspec.Struct, frozen=True, kw_only=True):
    """Counts are of people by their standing (``domain.compliance.standing``): ``by_status``
    counts the people with a standing of that status with some body (someone at risk with one
    body and overdue with another counts under both), exactly the people
    ``/staff?status=...`` lists; ``by_body`` counts standings with that body."""

    today: date
    people: int
    by_status: dict[Status, int]
    by_body: dict[Body, dict[Status, int]]
    by_department: list[GroupCounts]
    """By name, unassigned people last."""
    by_site: list[GroupCounts]
    flagged: int
    """Standings resting on an unconfirmed or conflicting rule."""
    unsupported: dict[Body, int]
    """People holding a credential (e.g. an Oregon licence) whose CE rules are unconfirmed, so
    no obligation is computed for it, by body."""
    next_deadlines: list[UpcomingDeadline]
    """Standings that need action (every status but compliant and lapsed), soonest deadline
    first (``shortfall``: the total line's, as the organisation counts pending credits)."""


class _Member(NamedTuple):
    full_name: str
    department: str | None
    site: str | None


_UNSUPPORTED = """
SELECT body, count(DISTINCT person_id) AS people FROM person_credentials
WHERE tenant_id = $1 AND body = ANY($2::text[]) AND status = ANY($3::text[]) AND earned_on <= $4
  AND person_id IN (SELECT person_id FROM people WHERE tenant_id = $1 AND active)
GROUP BY body
"""


async def organisation_summary(
    tx: Tx, *, today: date, upcoming: int = 10, rule_packs: Sequence[Pack] = RULE_PACKS
) -> OrganisationSummary:
    """Of the active staff only (deactivated people are left out of every count); cached
    (``for_every_standing``) with the rule packs in force."""
    if rule_packs is not RULE_PACKS:
        return await _organisation_summary(
            tx, today=today, upcoming=upcoming, rule_packs=rule_packs
        )
    return await for_every_standing(
        tx,
        today=today,
        label=("organisation_summary", upcoming),
        compute=lambda: _organisation_summary(tx, today=today, upcoming=upcoming),
    )


async def _organisation_summary(
    tx: Tx, *, today: date, upcoming: int, rule_packs: Sequence[Pack] = RULE_PACKS
) -> OrganisationSummary:
    tenant = tx.require_tenant()
    members = {
        row["person_id"]: _Member(row["full_name"], row["department"], row["site"])
        for row in await tx.pg.fetch(
            "SELECT person_id, full_name, department, site FROM people"
            " WHERE tenant_id = $1 AND active",
            tenant,
        )
    }
    found: Mapping[UUID, PersonStanding]
    if rule_packs is RULE_PACKS:
        cached = await every_standing(tx, today=today)
        found = {person_id: cached[person_id] for person_id in members if person_id in cached}
    else:
        found = await standings_on(
            tx, today=today, person_ids=list(members), rule_packs=rule_packs, explained=False
        )
    unsupported = await tx.pg.fetch(
        _UNSUPPORTED,
        tenant,
        [p.body for p in rule_packs if isinstance(p, UnsupportedPack)],
        sorted(STATUSES_WITH_CE_OBLIGATION),
        today,
    )
    return await off_loop(
        _summary,
        members,
        {person_id: found[person_id].standings for person_id in found},
        {row["body"]: row["people"] for row in unsupported},
        today=today,
        upcoming=upcoming,
    )


def _summary(
    members: dict[UUID, _Member],
    every: dict[UUID, list[Standing]],
    unsupported: dict[Body, int],
    *,
    today: date,
    upcoming: int,
) -> OrganisationSummary:
    """The overview of the active ``members`` from their standings: counting, grouping and
    sorting (pure CPU work, run off the event loop)."""
    by_body: dict[Body, Counter[Status]] = {}
    for each in every.values():
        for s in each:
            by_body.setdefault(s.body, Counter())[s.status] += 1
    acting = sorted(
        (
            (s, s.obligation)
            for each in every.values()
            for s in each
            if s.status not in ("compliant", "lapsed") and s.obligation is not None
        ),
        key=lambda r: (r[1].deadline, members[r[0].person_id].full_name, r[0].body),
    )
    return OrganisationSummary(
        today=today,
        people=len(every),
        by_status=people_by_status([s.status for s in each] for each in every.values()),
        by_body={body: dict(counts) for body, counts in by_body.items()},
        by_department=_groups(members, every, lambda m: m.department),
        by_site=_groups(members, every, lambda m: m.site),
        flagged=sum(
            1 for each in every.values() for s in each if s.obligation and s.obligation.flags
        ),
        unsupported=unsupported,
        next_deadlines=[
            UpcomingDeadline(
                person_id=s.person_id,
                full_name=members[s.person_id].full_name,
                department=members[s.person_id].department,
                site=members[s.person_id].site,
                body=s.body,
                deadline=o.deadline,
                shortfall=s.shortfall,
                status=s.status,
            )
            for s, o in acting[:upcoming]
        ],
    )


def _groups(
    members: dict[UUID, _Member],
    every: dict[UUID, list[Standing]],
    group_of: Callable[[_Member], str | None],
) -> list[GroupCounts]:
    people: Counter[str | None] = Counter(group_of(m) for m in members.values())
    statuses: dict[str | None, list[list[Status]]] = {name: [] for name in people}
    for person_id, each in every.items():  # one pass: a tenant has thousands of people
        statuses[group_of(members[person_id])].append([s.status for s in each])
    return [
        GroupCounts(name=name, people=people[name], by_status=people_by_status(statuses[name]))
        for name in sorted(people, key=lambda name: (name is None, name or ""))
    ]
