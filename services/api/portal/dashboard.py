"""The member's dashboard: one card per obligation (cycle, progress, requirement lines, deadline
and days left, status in plain words, the chart against the pace), what is not evaluated and
why, and what the profile still lacks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.response import Template

from domain.compliance.evaluation import unsupported_credentials
from domain.compliance.packs import RULE_PACKS
from services.api.controllers.people import authorise_person
from services.api.portal.forms import Form
from services.api.portal.pages import page, principal
from services.api.portal.profile import BIRTH_MONTH_BODIES
from services.api.portal.standing import cards
from services.core import queries


class DashboardPage(Controller):
    path = "/dashboard"
    include_in_schema = False

    @get("")
    async def dashboard(self, request: Request[Any, Any, Any], state: State) -> Template:
        me = principal(request)
        authorise_person(me, me.person_id, write=False)
        today = datetime.now(UTC).date()
        async with state.database.transaction(me.tenant_id) as tx:
            person = await queries.get_person(tx, me.person_id)
            credits = await queries.my_credits(tx, me.person_id) if person else []
            obligations = (
                await queries.my_obligations(tx, me.person_id, today=today) if person else []
            )
        current, previous = cards(obligations, credits, today)
        return await page(
            request,
            "dashboard.html",
            person=person,
            current=current,
            previous=previous,
            unsupported=unsupported_credentials(person, RULE_PACKS, today=today) if person else [],
            birth_month_missing=bool(
                person
                and person.birth_month is None
                and {c.body for c in person.credentials} & BIRTH_MONTH_BODIES
            ),
            record_form=Form("record"),
            credit_count=len([c for c in credits if not c.retracted]),
            today=today,
        )
