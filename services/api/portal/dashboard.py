"""The member's dashboard: one card per obligation (cycle, progress, requirement lines, deadline
and days left, status in plain words, the chart against the pace), what is not evaluated and
why, and what the profile still lacks."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from services.api.portal.forms import Form
from services.api.portal.pages import page, principal
from services.api.portal.profile import BIRTH_MONTH_BODIES
from services.api.portal.standing import standing_shown
from services.core.application import UseCases
from services.core.people import use_cases as people_use_cases


class DashboardPage(Controller):
    path = "/dashboard"

    @get("")
    async def dashboard(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        standing = await use_cases.run(people_use_cases.standing_of, principal(request).person_id)
        person, credits = standing.person, standing.credits
        return await page(
            request,
            "dashboard.html",
            person=person,
            **standing_shown(standing),
            birth_month_missing=bool(
                person
                and person.birth_month is None
                and {c.body for c in person.credentials} & BIRTH_MONTH_BODIES
            ),
            record_form=Form("record"),
            credit_count=len([c for c in credits if not c.retracted]),
        )
