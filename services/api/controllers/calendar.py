"""Calendar feeds: a person's deadlines as an .ics feed behind a secret link, which the person
(or an owner or admin) makes and revokes; the feed itself is read without a session, by the
secret alone (calendar apps fetch it on their own), and a revoked or unknown secret is 404."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from services.core.accounts.work import AccountUseCases
from services.core.application import UseCases
from services.core.people import calendar
from services.core.people.calendar import CalendarLink

ICS = "text/calendar"
TOKEN_LENGTH = 100


class CalendarController(Controller):
    tags = ("calendar",)

    @post("/api/v1/people/{person_id:uuid}/calendar", status_code=201)
    async def open_feed(
        self, use_cases: NamedDependency[UseCases], person_id: FromPath[UUID]
    ) -> CalendarLink:
        """A new secret link to the person's deadlines (``/calendar/<token>.ics``), shown once;
        an earlier link of the person stops working."""
        return await use_cases.run(calendar.open_calendar_feed, person_id)

    @delete("/api/v1/people/{person_id:uuid}/calendar", status_code=204)
    async def revoke_feed(
        self, use_cases: NamedDependency[UseCases], person_id: FromPath[UUID]
    ) -> None:
        """The person's calendar link stops working: its feed answers 404."""
        await use_cases.run(calendar.revoke_calendar_feed, person_id)

    @get("/calendar/{token:str}", exclude_from_auth=True, include_in_schema=False)
    async def feed(
        self,
        account_use_cases: NamedDependency[AccountUseCases],
        token: FromPath[str],
    ) -> Response[bytes]:
        secret = token.removesuffix(".ics")
        found = None
        if len(secret) <= TOKEN_LENGTH and token.endswith(".ics"):
            found = await account_use_cases.run(calendar.calendar_feed, secret)
        if found is None:
            raise NotFoundException("no such calendar")
        return Response(found, media_type=ICS, headers={"Cache-Control": "no-store"})
