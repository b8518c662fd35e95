"""Reminders and calendar links from the staff pages (owners and admins): a reminder now to one
person (from their page) or to everyone a filtered staff list shows (from the list), and a
person's calendar (.ics) link made or revoked. Each runs after a confirmation step (a new link
stops any earlier one) and through the same use cases as the JSON API
(``services.core.notifications.manual``, ``services.core.people.calendar``); the limits (one
reminder a person a day, ``PER_HOUR`` an organisation) come back as readable pages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template

from services.api.application import public_link
from services.api.portal.forms import Form, read_form
from services.api.portal.pages import Question, confirm_first, page, see_other
from services.api.portal.staff import MANAGERS, staff_filter, staff_filters_url
from services.core.application import UseCases
from services.core.notifications.manual import (
    PER_HOUR,
    SendReminders,
    TooManyReminders,
    send_reminders,
)
from services.core.people import calendar
from services.core.people import use_cases as people
from services.core.staff.listing import StaffFilter

LIMITS = (
    f"A person gets at most one reminder a day; the organisation sends at most {PER_HOUR} an"
    " hour. Only people with a sign-in, deadline reminders on and a cycle still short are"
    " mailed."
)


REMIND = Question(
    "Send {} a reminder now?",
    "{} is mailed the cycles they still have to complete. " + LIMITS,
    "Yes, send the reminder",
)
NEW_LINK = Question(
    "Make a new calendar link for {}?",
    "The new link is shown once. Any calendar link made for {} before stops working: calendars"
    " that read it stop getting the deadlines until they are given the new one.",
    "Yes, make a new link",
)
REMIND_LIST = Question(
    "Send a reminder to everyone in this list?",
    "Each person the staff list shows for these filters is mailed the cycles they still have to"
    " complete. " + LIMITS,
    "Yes, send the reminders",
)
REVOKE = Question(
    "Revoke {}'s calendar link?",
    "Calendars that read the link stop getting the deadlines. A new link can be made later; it"
    " will be a different one.",
    "Yes, revoke the link",
)


class ReminderPages(Controller):
    path = "/staff"

    @post("/{person_id:uuid}/reminder", guards=[MANAGERS], status_code=200)
    async def remind_one(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
    ) -> Response[Any]:
        """Mail the person a reminder of their cycles still short, once confirmed."""
        back = f"/staff/{person_id}"
        asked = await _confirm_for(request, use_cases, person_id, REMIND, back)
        return asked or await _send(request, use_cases, SendReminders(person_id=person_id), back)

    @post("/reminders", guards=[MANAGERS], status_code=200)
    async def remind_list(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Mail a reminder to everyone the staff list shows for the same filters, once
        confirmed."""
        form = await read_form(request, "staff")
        selected: StaffFilter = staff_filter(form)
        back = staff_filters_url(form)
        if not form.ok:
            return await _outcome(request, back, form=form, status=400)
        asked = await confirm_first(request, form, REMIND_LIST, back)
        return asked or await _send(request, use_cases, SendReminders(selected=selected), back)

    @post("/{person_id:uuid}/calendar", guards=[MANAGERS], status_code=201)
    async def open_calendar(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
    ) -> Template:
        """A new secret calendar link to the person's deadlines, shown once, once confirmed: an
        earlier link stops working."""
        back = f"/staff/{person_id}#calendar"
        asked = await _confirm_for(request, use_cases, person_id, NEW_LINK, back)
        if asked is not None:
            return asked
        link = await use_cases.run(calendar.open_calendar_feed, person_id)
        name = (await use_cases.run(people.view_person, person_id)).full_name
        return await page(
            request,
            "staff/calendar_link.html",
            name=name,
            person_id=person_id,
            link=public_link(request, f"/calendar/{link.token}.ics"),
            status=201,
        )

    @post("/{person_id:uuid}/calendar/revocation", guards=[MANAGERS])
    async def revoke_calendar(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
    ) -> Response[Any]:
        """The person's calendar link stops working, once confirmed."""
        back = f"/staff/{person_id}#calendar"
        asked = await _confirm_for(request, use_cases, person_id, REVOKE, back)
        if asked is not None:
            return asked
        await use_cases.run(calendar.revoke_calendar_feed, person_id)
        return see_other(request, back, notice="saved")


async def _confirm_for(
    request: Request[Any, Any, Any],
    use_cases: UseCases,
    person_id: UUID,
    question: Question,
    back: str,
) -> Template | None:
    """``confirm_first``'s page asking ``question`` about the person, None once confirmed."""
    form = await read_form(request, "person")
    name = (await use_cases.run(people.view_person, person_id)).full_name
    return await confirm_first(request, form, question, back, name)


async def _send(
    request: Request[Any, Any, Any], use_cases: UseCases, command: SendReminders, back: str
) -> Template:
    try:
        sent = await use_cases.run(send_reminders, command)
    except TooManyReminders as exc:
        return await _outcome(request, back, refusal=str(exc), status=429)
    return await _outcome(request, back, sent=sent)


async def _outcome(
    request: Request[Any, Any, Any], back: str, *, status: int = 200, **context: Any
) -> Template:
    return await page(
        request,
        "staff/reminders_sent.html",
        back=back,
        form=context.pop("form", Form("staff")),
        status=status,
        **context,
    )
