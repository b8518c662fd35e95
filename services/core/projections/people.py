"""Read models ``people`` and ``person_credentials``: each person's profile (with department,
site, employee number, email and whether they are active) and credentials."""

from __future__ import annotations

from domain.people import person
from domain.people.person import PERSON_EVENTS, Person
from domain.shared.event import EventRegistry
from services.core.db import Tx
from services.core.people import views
from services.core.projections.folded import (
    FoldedStates,
    as_json,
    insert_json_rows,
    stored,
    tags,
)

_LOAD = (
    "SELECT person_id AS id, state::text AS state FROM people"
    " WHERE tenant_id = $1 AND person_id = ANY($2::uuid[])"
)
_UPSERT_PEOPLE = insert_json_rows(
    "people",
    "person_id uuid",
    updated="full_name text, registry_ids jsonb, birth_month smallint, department text,"
    " site text, employee_number text, email text, active boolean, state jsonb",
)
_INSERT_CREDENTIALS = insert_json_rows(
    "person_credentials",
    "person_id uuid, credential_id uuid, body text, code text, earned_on date, status text,"
    " specialties jsonb",
)


class PeopleProjection(FoldedStates[Person, views.Person]):
    name = "people"
    tables: tuple[str, ...] = ("person_credentials", "people")
    event_types: frozenset[str] | None = tags(PERSON_EVENTS)
    view_type = views.Person

    def __init__(self, registry: EventRegistry) -> None:
        super().__init__(registry, evolve=person.evolve, state_type=Person, load_sql=_LOAD)

    async def save(self, tx: Tx, states: list[Person]) -> None:
        tenant = tx.require_tenant()
        await tx.pg.execute(
            _UPSERT_PEOPLE,
            tenant,
            as_json(
                [
                    {
                        "person_id": p.person_id,
                        "full_name": p.full_name,
                        "registry_ids": p.registry_ids,
                        "birth_month": p.birth_month,
                        "department": p.department,
                        "site": p.site,
                        "employee_number": p.employee_number,
                        "email": p.email,
                        "active": p.active,
                        "state": stored(p, views.Person),
                    }
                    for p in states
                ]
            ),
        )
        await tx.pg.execute(
            "DELETE FROM person_credentials WHERE tenant_id = $1 AND person_id = ANY($2::uuid[])",
            tenant,
            [p.person_id for p in states],
        )
        await tx.pg.execute(
            _INSERT_CREDENTIALS,
            tenant,
            as_json(
                [
                    {
                        "person_id": p.person_id,
                        **stored(c, views.Credential),
                    }
                    for p in states
                    for c in p.credentials
                ]
            ),
        )
