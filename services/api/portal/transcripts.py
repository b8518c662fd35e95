"""Transcript exports: the member picks a body and a cycle and takes the PDF or CSV away.

The files come from the transcript endpoints (``controllers/transcripts.py``), which record
each export in the organisation's history; this page offers what there is to export and sends
the browser there with the choices made.
"""

from __future__ import annotations

from typing import Annotated, Any, get_args
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from domain.audits.exports import ExportFormat, Period
from domain.people.credentials import Body
from services.api.portal.pages import page, principal
from services.core.application import UseCases
from services.core.people import use_cases as people_use_cases

FormatChoice = Annotated[str, QueryParameter(name="format")]
BodyChoice = Annotated[str, QueryParameter(name="body")]
PeriodChoice = Annotated[str, QueryParameter(name="period")]


def export_url(person_id: object, fmt: str, body: str, period: str) -> str:
    """The transcript endpoint for the choices (empty: all bodies, both cycles)."""
    if fmt not in get_args(ExportFormat) or body not in ("", *get_args(Body)):
        raise ValidationException("choose a format (PDF or CSV) and a body from the list")
    if period not in ("", *get_args(Period)):
        raise ValidationException("choose the current or the previous cycle")
    query = urlencode({k: v for k, v in (("body", body), ("period", period)) if v})
    return f"/api/v1/people/{person_id}/transcript.{fmt}" + (f"?{query}" if query else "")


class TranscriptPage(Controller):
    path = "/transcripts"

    @get("")
    async def transcripts(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        standing = await use_cases.run(people_use_cases.standing_of, principal(request).person_id)
        return await page(
            request,
            "transcripts.html",
            person=standing.person,
            bodies=list(dict.fromkeys(o.body for o in standing.obligations)),
            obligations=standing.obligations,
        )

    @get("/download")
    async def download(
        self,
        request: Request[Any, Any, Any],
        fmt: FormatChoice = "",
        only_body: BodyChoice = "",
        period: PeriodChoice = "",
    ) -> Redirect:
        """On to the transcript endpoint, with only the choices made."""
        me = principal(request)
        return Redirect(export_url(me.person_id, fmt, only_body, period), status_code=303)
