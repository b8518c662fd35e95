"""Transcript exports (CSV and PDF) of one person's record, for an auditor to take away.

The same people may export as may read the record (``policy.authorise_person``); each export is
recorded in the tenant's chain (``audits.TranscriptExported``) before the file is sent.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Response

from domain.audits.exports import ExportFormat, Period
from domain.people.credentials import Body
from services.api.files import download
from services.core import csv_export
from services.core.application import UseCases
from services.core.people.transcript_export import ExportTranscript, export_transcript

BodyFilter = Annotated[
    Body | None, QueryParameter(name="body", description="Only this body's obligations")
]
PeriodFilter = Annotated[
    Period | None, QueryParameter(description="Only the current or the previous period")
]


class TranscriptController(Controller):
    path = "/api/v1/people"
    tags = ("people",)

    @get("/{person_id:uuid}/transcript.csv", media_type=csv_export.MEDIA_TYPE)
    async def transcript_csv(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        only_body: BodyFilter = None,
        period: PeriodFilter = None,
    ) -> Response[bytes]:
        """The transcript as CSV: one ``requirement`` row per requirement line and one ``credit``
        row per credit and obligation, with ``accepted``, ``counted`` and the ``reason``."""
        return await _export(use_cases, person_id, fmt="csv", body=only_body, period=period)

    @get("/{person_id:uuid}/transcript.pdf", media_type="application/pdf")
    async def transcript_pdf(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        only_body: BodyFilter = None,
        period: PeriodFilter = None,
    ) -> Response[bytes]:
        """The transcript as PDF, per obligation: requirement lines, status, and each credit
        counted (by which rule) or not (and why)."""
        return await _export(use_cases, person_id, fmt="pdf", body=only_body, period=period)


async def _export(
    use_cases: UseCases,
    person_id: UUID,
    *,
    fmt: ExportFormat,
    body: Body | None,
    period: Period | None,
) -> Response[bytes]:
    transcript = await use_cases.run(
        export_transcript,
        ExportTranscript(person_id=person_id, format=fmt, body=body, period=period),
    )
    return download(transcript.content, transcript.filename)
