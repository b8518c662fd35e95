"""The member's profile: their staff record (created here when it does not exist yet), registry
ids, the birth month where a body's cycles start from it, credentials held with their dates, and
whether their email address is confirmed.

Each section posts on its own. With HTMX only that section is sent back (updated, or with the
refusal); without, the page reloads (303 after a change).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, get_args

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Response, Template

from domain import vocabulary
from domain.compliance.packs import RULE_PACKS
from domain.compliance.rules import BirthMonthCycles, CertifiedMonthToBirthMonthCycles, RulePack
from domain.people.credentials import CREDENTIAL_SPECIALTIES, Body, Specialty
from domain.people.person import (
    AddCredential,
    InvalidCredential,
    RecordBirthMonth,
    RecordRegistryId,
)
from services.api import application as clock
from services.api.portal.forms import Form, read_form, submit
from services.api.portal.pages import is_htmx, page, principal, see_other
from services.core.application import UseCases
from services.core.people import use_cases as people_use_cases
from services.core.people.handlers import PersonCommand
from services.core.people.use_cases import ChangePerson, RegisterNewPerson

BIRTH_MONTH_BODIES: frozenset[Body] = frozenset(
    pack.body
    for pack in RULE_PACKS
    if isinstance(pack, RulePack)
    and isinstance(pack.cycle, BirthMonthCycles | CertifiedMonthToBirthMonthCycles)
)
"""Bodies whose cycles start from the birth month (ARRT, NMTCB)."""

CREDENTIALS: dict[str, tuple[Body, str]] = {
    f"{body}:{code}": (body, code)
    for body, codes in CREDENTIAL_SPECIALTIES.items()
    for code in codes
}
"""Every credential a body issues, by the form's value for it (``BODY:CODE``)."""
SPECIALTIES: dict[Specialty, Specialty] = {s: s for s in get_args(Specialty)}
MONTHS = {str(number): name for number, name in enumerate(vocabulary.MONTHS, start=1)}

SECTIONS = {
    "record": "profile/record.html",
    "registry": "profile/registry.html",
    "birth": "profile/birth.html",
    "credential": "profile/credentials.html",
}
"""Each form of the page and the template that shows its section."""


def _registry_id(form: Form) -> RecordRegistryId | None:
    body = form.choice("body", "body", vocabulary.BODIES)
    registry_id = form.text("registry_id", "registry id", max_length=40)
    return RecordRegistryId(body=body, registry_id=registry_id) if body and form.ok else None


def _birth_month(form: Form) -> RecordBirthMonth | None:
    month = form.choice("birth_month", "birth month", MONTHS)
    return RecordBirthMonth(birth_month=int(month)) if month else None


def _credential(form: Form) -> AddCredential | None:
    chosen = form.choice("credential", "credential", CREDENTIALS)
    earned_on = form.day("earned_on", "day you earned it")
    specialties = form.choices("specialties", "specialty", SPECIALTIES)
    if chosen is None or earned_on is None or not form.ok:
        return None
    body, code = CREDENTIALS[chosen]
    return AddCredential(
        body=body,
        code=code,
        earned_on=earned_on,
        specialties=tuple(specialties),
    )


class ProfilePages(Controller):
    path = "/profile"

    @get("")
    async def profile(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        return await self._render(request, use_cases)

    async def _render(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        *,
        section: str | None = None,
        form: Form | None = None,
        saved: bool = False,
        status: int = 200,
    ) -> Template:
        found = await use_cases.run(people_use_cases.profile_of, principal(request).person_id)
        person = found.person
        forms = {name: Form(name) for name in SECTIONS}
        if person is not None and person.birth_month is not None:
            forms["birth"] = Form("birth", {"birth_month": str(person.birth_month)})
        if section is not None and form is not None:
            forms[section] = form
        held = {c.body for c in person.credentials} if person else set()
        return await page(
            request,
            "profile/page.html",
            partial=SECTIONS[section] if section else None,
            person=person,
            email_verified=found.email_verified,
            forms=forms,
            saved=section if saved else None,
            credentials=CREDENTIALS,
            specialties=SPECIALTIES,
            months=MONTHS,
            birth_month_bodies=sorted(BIRTH_MONTH_BODIES),
            birth_month_needed=sorted(held & BIRTH_MONTH_BODIES),
            today=clock.today(request),
            status=status,
        )

    @post("")
    async def create_record(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Create the member's own staff record (their name, as the bodies know it)."""
        form = await read_form(request, "record")
        name = form.text("full_name", "full name")
        command = (
            RegisterNewPerson(person_id=principal(request).person_id, full_name=name)
            if form.ok
            else None
        )
        return await self._change(request, use_cases, "record", form, command)

    @post("/registry-id")
    async def record_registry_id(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        return await self._change_own(request, use_cases, "registry", _registry_id)

    @post("/birth-month")
    async def record_birth_month(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        return await self._change_own(request, use_cases, "birth", _birth_month)

    @post("/credentials")
    async def add_credential(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        return await self._change_own(request, use_cases, "credential", _credential)

    async def _change_own(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        section: str,
        change_of: Callable[[Form], PersonCommand | None],
    ) -> Response[Any]:
        """The section's form (its fields named after the section) read by ``change_of`` into
        a change of the member's own record, and run."""
        form = await read_form(request, section)
        return await self._change(
            request, use_cases, section, form, _of_member(request, change_of(form))
        )

    async def _change(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        section: str,
        form: Form,
        command: RegisterNewPerson | ChangePerson | None,
    ) -> Response[Any]:
        """Run the section's command (None: the form was refused already) and answer with the
        section saved, or with the refusal on its form."""
        field = partial(_field_of, section)
        if isinstance(command, RegisterNewPerson):
            await submit(form, use_cases, people_use_cases.register_person, command, field=field)
        elif command is not None:
            await submit(form, use_cases, people_use_cases.change_person, command, field=field)
        if command is not None and form.ok:
            if is_htmx(request) and section != "record":
                return await self._render(request, use_cases, section=section, saved=True)
            return see_other(request, f"/profile#{section}", notice="saved")
        return await self._render(request, use_cases, section=section, form=form, status=422)


def _of_member(
    request: Request[Any, Any, Any], change: PersonCommand | None
) -> ChangePerson | None:
    """The change of the signed-in member's own record (None when the form was refused)."""
    return (
        None
        if change is None
        else ChangePerson(person_id=principal(request).person_id, change=change)
    )


def _field_of(section: str, exc: Exception) -> str | None:
    if section == "credential" and isinstance(exc, InvalidCredential):
        message = str(exc)
        if "specialt" in message:
            return "specialties"
        if "future" in message or "date" in message:
            return "earned_on"
        return "credential"
    return {"record": "full_name", "registry": "registry_id", "birth": "birth_month"}.get(section)
