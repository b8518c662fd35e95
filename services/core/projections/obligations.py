"""Read models ``obligations`` and ``obligation_evaluations``: evaluate() per person, inline.

How time is handled: ``obligations`` holds ``evaluate(person, credits, waivers,
today=evaluated_on)``, one row per person x body x cycle with the full explanation;
``obligation_evaluations`` holds, per person, ``evaluated_on`` and ``valid_through`` from
``domain.compliance.evaluation.unchanged_through``: up to that day (normally the end of the
current cycle) evaluate() on any later day returns the same rows except for the status, which
``status_on`` computes from the stored numbers. So the status is never stored as current; the
queries compute it for the day asked (``services.core.people.queries``), and re-run
evaluate() from the stored inputs for anyone read outside ``evaluated_on .. valid_through``.

``evaluated_on`` is the UTC date of the person's latest event in the batch, so inline updates,
catch-up and ``rebuild-projections`` store the same rows (a rebuild evaluates each person once,
on the day of the last event that touched them: the events of one append share their time);
``cmeledger reevaluate`` stores rows for today (after a rule pack changes, or to move people into
their new cycle). This projection reads the people, credits and waivers tables, so it must run
after (and be rebuilt with) them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date
from typing import NamedTuple
from uuid import UUID

import msgspec

from domain.compliance.evaluation import Alike, Obligation, alike, evaluate, unchanged_through
from domain.compliance.packs import RULE_PACKS
from domain.compliance.rules import Pack
from domain.credits.credit import CREDIT_EVENTS, Credit
from domain.credits.waiver import WAIVER_EVENTS, Waiver
from domain.people.person import PERSON_EVENTS, Person
from services.core.credits import views as credit_views
from services.core.db import Tx
from services.core.eventsourcing.store import RecordedEvent
from services.core.people import views as people_views
from services.core.projections.epochs import read_models_rewritten
from services.core.projections.folded import copied, restored, tags
from services.core.projections.people import PeopleProjection
from services.core.stream_ids import aggregate_id

_PERSON_TAGS = tags(PERSON_EVENTS)
REBUILD_PEOPLE = 1_000
"""People a rebuild evaluates per load and write."""

_KINDS = ("person", "credit", "waiver")
_OWNERS = """
SELECT credit_id AS id, person_id FROM credits WHERE tenant_id = $1
UNION ALL
SELECT waiver_id, person_id FROM waivers WHERE tenant_id = $1
"""
_INPUTS = """
WITH owners AS (
    SELECT credit_id AS id, person_id FROM credits
    WHERE tenant_id = $1 AND credit_id = ANY($3::uuid[])
    UNION ALL
    SELECT waiver_id, person_id FROM waivers WHERE tenant_id = $1 AND waiver_id = ANY($3::uuid[])
), wanted AS (
    SELECT unnest($2::uuid[]) AS person_id UNION SELECT person_id FROM owners
)
SELECT 'owner' AS kind, NULL AS state, id, person_id FROM owners
UNION ALL
SELECT 'person', CASE WHEN person_id = ANY($4::uuid[]) THEN NULL ELSE state::text END,
       NULL, person_id
FROM people WHERE tenant_id = $1 AND person_id IN (SELECT person_id FROM wanted)
UNION ALL
SELECT 'credit', state::text, NULL, NULL FROM credits
WHERE tenant_id = $1 AND person_id IN (SELECT person_id FROM wanted)
UNION ALL
SELECT 'waiver', jsonb_build_object(
    'waiver_id', waiver_id, 'person_id', person_id, 'body', body, 'kind', kind,
    'granted_on', granted_on, 'reference', reference)::text, NULL, NULL
FROM waivers WHERE tenant_id = $1 AND person_id IN (SELECT person_id FROM wanted)
"""
"""The inputs of people $2 and of the owners of the credits and waivers $3 (and which person
owns each of those): one statement. The state of the people $4 (saved by this transaction) is
left out."""
_OBLIGATION_COLUMNS = (
    ("ordinal", "smallint"),
    ("body", "text"),
    ("window_start", "date"),
    ("window_end", "date"),
    ("period", "text"),
    ("deadline", "date"),
    ("required", "numeric"),
    ("counted", "numeric"),
    ("waived", "numeric"),
    ("shortfall", "numeric"),
    ("late_credits_until", "date"),
    ("flagged", "boolean"),
)
"""The stored columns of an obligation row besides its tenant, person and explanation, with their
types, in the order ``_evaluated`` gives them: the key's ``ordinal`` first."""
_NAMES = ", ".join(name for name, _ in _OBLIGATION_COLUMNS)
_UPDATED = [name for name, _ in _OBLIGATION_COLUMNS[1:]] + ["explanation"]
"""What a row written over another of its key changes: all but the key."""
_ARRAYS = ", ".join(f"${n}::{kind}[]" for n, (_, kind) in enumerate(_OBLIGATION_COLUMNS, 7))
_EXPLAINED, _EXPLANATIONS = len(_OBLIGATION_COLUMNS) + 7, len(_OBLIGATION_COLUMNS) + 8
_REPLACE = f"""
WITH evaluated AS (
    SELECT * FROM unnest($3::uuid[], $4::date[], $5::date[])
        AS r(person_id, evaluated_on, valid_through)
), dropped AS (
    DELETE FROM obligations o WHERE o.tenant_id = $1 AND o.person_id = ANY($2::uuid[])
    AND NOT EXISTS (
        SELECT FROM unnest($6::uuid[], $7::smallint[]) AS f(person_id, ordinal)
        WHERE f.person_id = o.person_id AND f.ordinal = o.ordinal
    )
), dropped_evaluations AS (
    DELETE FROM obligation_evaluations e WHERE e.tenant_id = $1 AND e.person_id = ANY($2::uuid[])
    AND NOT EXISTS (SELECT FROM evaluated v WHERE v.person_id = e.person_id)
), stored_evaluations AS (
    INSERT INTO obligation_evaluations (tenant_id, person_id, evaluated_on, valid_through)
    SELECT $1, person_id, evaluated_on, valid_through FROM evaluated
    ON CONFLICT (tenant_id, person_id) DO UPDATE
    SET evaluated_on = excluded.evaluated_on, valid_through = excluded.valid_through
)
INSERT INTO obligations (tenant_id, person_id, {_NAMES}, explanation)
SELECT $1, r.person_id, {", ".join(f"r.{name}" for name, _ in _OBLIGATION_COLUMNS)},
       x.explanation || jsonb_build_object('person_id', r.person_id)
FROM unnest($6::uuid[], {_ARRAYS}, ${_EXPLAINED}::bigint[])
    AS r(person_id, {_NAMES}, explained)
LEFT JOIN unnest(${_EXPLANATIONS}::jsonb[]) WITH ORDINALITY AS x(explanation, at)
    ON x.at = r.explained
ON CONFLICT (tenant_id, person_id, ordinal) DO UPDATE
SET {", ".join(f"{c} = excluded.{c}" for c in _UPDATED)}
"""  # noqa: S608 (the column names and types are the constants above)
"""Replaces the obligations of people $2 in one statement: each row is written over the row of
the same key and the rows no longer found are deleted (no key is both deleted and written).
Every row comes as one array per column (``unnest``: no JSON to parse, and the keys the delete
compares are read apart from the explanations): $3-$5 the evaluations, $6 the rows' people, then
``_OBLIGATION_COLUMNS`` and each row's explanation's place. A row's explanation is the
``explained``-th (from 1) of the distinct explanations, with the row's ``person_id``: each
distinct explanation is sent and parsed once (a row naming none fails the insert on
``explanation``'s NOT NULL rather than vanish)."""


class Inputs(NamedTuple):
    """What evaluate() needs for one person, as the read models hold it."""

    person: Person
    credits: list[Credit]
    waivers: list[Waiver]

    def evaluate(
        self, today: date, rule_packs: Sequence[Pack], *, count_pending: bool = True
    ) -> list[Obligation]:
        return evaluate(
            self.person,
            self.credits,
            self.waivers,
            today=today,
            rule_packs=rule_packs,
            count_pending=count_pending,
        )


class Owned(NamedTuple):
    """The inputs of the people asked for, and the owner of each credit or waiver asked for."""

    owners: dict[UUID, UUID]
    inputs: dict[UUID, Inputs]


async def load_owned(tx: Tx, person_ids: Sequence[UUID], owned: Sequence[UUID]) -> Owned:
    """The registered people among ``person_ids`` and the owners of the credits and waivers
    ``owned``, with their credits and waivers; and the owner of each of ``owned``. A person
    this transaction saved is taken as saved, not read back."""
    saved = {
        person_id: state
        for person_id in person_ids
        if isinstance(state := tx.written(PeopleProjection.name, person_id), Person)
    }
    rows = await tx.pg.fetch(
        _INPUTS, tx.require_tenant(), list(person_ids), list(owned), list(saved)
    )
    states = {kind: [row["state"] for row in rows if row["kind"] == kind] for kind in _KINDS}
    people = (
        saved.get(row["person_id"]) or restored(row["state"], people_views.Person, Person)
        for row in rows
        if row["kind"] == "person"
    )
    found = {p.person_id: Inputs(p, [], []) for p in people}
    for state in states["credit"]:
        held = restored(state, credit_views.Credit, Credit)
        if held.person_id in found:
            found[held.person_id].credits.append(held)
    for state in states["waiver"]:
        granted = msgspec.json.decode(state, type=Waiver)  # the columns, named in _INPUTS
        if granted.person_id in found:
            found[granted.person_id].waivers.append(granted)
    owners = {row["id"]: row["person_id"] for row in rows if row["kind"] == "owner"}
    return Owned(owners, found)


async def load_inputs(tx: Tx, person_ids: Sequence[UUID]) -> dict[UUID, Inputs]:
    """The registered people among ``person_ids``, with their credits and waivers."""
    return (await load_owned(tx, person_ids, [])).inputs


async def evaluate_people(
    tx: Tx, evaluated_on: Mapping[UUID, date], rule_packs: Sequence[Pack] = RULE_PACKS
) -> int:
    """Replace the obligations of each person in ``evaluated_on`` by evaluate() on their date,
    moving the tenant's read-model epoch (no event is appended); return how many registered
    people were evaluated (unregistered ones just lose their rows)."""
    await read_models_rewritten(tx)
    return await _replace(tx, evaluated_on, await load_inputs(tx, list(evaluated_on)), rule_packs)


class _Evaluated(NamedTuple):
    """One evaluate() result as rows without their person (``_OBLIGATION_COLUMNS`` and the place
    of the row's explanation), and its ``unchanged_through``."""

    rows: list[tuple[object, ...]]
    valid_through: date


async def _replace(
    tx: Tx,
    evaluated_on: Mapping[UUID, date],
    inputs: Mapping[UUID, Inputs],
    rule_packs: Sequence[Pack],
) -> int:
    """``evaluate_people`` with the inputs loaded (they may hold more people than asked).

    People ``alike`` (no credits or waivers, the same credentials, birth month and cycle
    starts, evaluated on the same day) share one evaluate() result and its explanations."""
    tenant, ids = tx.require_tenant(), list(evaluated_on)
    rows: list[tuple[object, ...]] = []
    evaluations: list[tuple[UUID, date, date]] = []
    explanations: list[str] = []
    shared: dict[Alike, _Evaluated] = {}
    for person_id in ids:
        if (found := inputs.get(person_id)) is None:
            continue
        day = evaluated_on[person_id]
        key = alike(found.person, found.credits, found.waivers, today=day)
        result = shared.get(key) if key is not None else None
        if result is None:
            result = _evaluated(found, day, rule_packs, explanations)
            if key is not None:
                shared[key] = result
        evaluations.append((person_id, day, result.valid_through))
        rows += [(person_id, *row) for row in result.rows]
    await tx.pg.execute(
        _REPLACE,
        tenant,
        ids,
        *_columns(evaluations, 3),
        *_columns(rows, len(_OBLIGATION_COLUMNS) + 2),
        explanations,
    )
    return len(evaluations)


def _columns(rows: Sequence[tuple[object, ...]], width: int) -> list[list[object]]:
    """``rows`` as one list per column, for ``unnest``."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def _evaluated(
    found: Inputs, day: date, rule_packs: Sequence[Pack], explanations: list[str]
) -> _Evaluated:
    """evaluate() of ``found`` on ``day`` as rows, each explanation appended to
    ``explanations`` (JSON text) and named by its place there (from 1)."""
    obligations = found.evaluate(day, rule_packs)
    valid = unchanged_through(
        found.person,
        found.credits,
        found.waivers,
        obligations,
        evaluated_on=day,
        rule_packs=rule_packs,
    )
    rows: list[tuple[object, ...]] = []
    for ordinal, o in enumerate(obligations):
        explanations.append(msgspec.json.encode(copied(o, people_views.Obligation)).decode())
        line = o.lines[0]
        rows.append(
            (
                ordinal,
                o.body,
                o.window.start,
                o.window.end,
                o.period,
                o.deadline,
                line.required,
                line.counted,
                line.waived,
                line.shortfall,
                o.late_credits_until,
                bool(o.flags),
                len(explanations),
            )
        )
    return _Evaluated(rows, valid)


class ObligationsProjection:
    """Re-evaluates the people whose person, credit or waiver streams the batch touched."""

    name = "obligations"
    tables: tuple[str, ...] = ("obligations", "obligation_evaluations")
    event_types: frozenset[str] | None = tags([*PERSON_EVENTS, *CREDIT_EVENTS, *WAIVER_EVENTS])

    async def apply(self, tx: Tx, events: Sequence[RecordedEvent]) -> None:
        people = [aggregate_id(e.stream_id) for e in events if e.event_type in _PERSON_TAGS]
        owned = [aggregate_id(e.stream_id) for e in events if e.event_type not in _PERSON_TAGS]
        owners, inputs = await load_owned(tx, people, owned)
        days: dict[UUID, date] = {}
        for event in events:
            key = aggregate_id(event.stream_id)
            person_id = key if event.event_type in _PERSON_TAGS else owners[key]
            day = event.recorded_at.astimezone(UTC).date()
            days[person_id] = max(day, days.get(person_id, day))
        await _replace(tx, days, inputs, RULE_PACKS)

    def rebuilding(self) -> ObligationsRebuild:
        return ObligationsRebuild()


class ObligationsRebuild:
    """Notes each stream's last event; once the people, credits and waivers tables are rebuilt,
    evaluates every person once, ``REBUILD_PEOPLE`` at a time."""

    def __init__(self) -> None:
        self._people: set[UUID] = set()
        self._last: dict[UUID, tuple[int, date]] = {}

    def add(self, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            key = aggregate_id(event.stream_id)
            if event.event_type in _PERSON_TAGS:
                self._people.add(key)
            self._last[key] = (event.seq, event.recorded_at.astimezone(UTC).date())

    async def write(self, tx: Tx) -> None:
        owned = await tx.pg.fetch(_OWNERS, tx.require_tenant())
        owner_of = {row["id"]: row["person_id"] for row in owned}
        latest: dict[UUID, tuple[int, date]] = {}
        for key, last in self._last.items():
            person_id = key if key in self._people else owner_of[key]
            latest[person_id] = max(last, latest.get(person_id, last))
        people = list(latest)
        for start in range(0, len(people), REBUILD_PEOPLE):
            chunk = people[start : start + REBUILD_PEOPLE]
            days = {person_id: latest[person_id][1] for person_id in chunk}
            await _replace(tx, days, await load_inputs(tx, chunk), RULE_PACKS)
