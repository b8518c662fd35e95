"""Transcript exports (CSV and PDF) of one person's record, for an auditor to take away.

The same people may export as may read the record (``people.authorise_person``); each export is
recorded in the tenant's chain (``audits.TranscriptExported``) before the file is sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from litestar.response import Response

from domain.audits.exports import ExportFormat, Period, TranscriptExported
from domain.people.credentials import Body
from services.api.auth import Principal
from services.api.controllers.invitations import actor
from services.api.controllers.people import authorise_person, person_or_404
from services.core import csv_export, queries, transcripts
from services.core.handlers.exports import record_export

BodyFilter = Annotated[
    Body | None, QueryParameter(name="body", description="Only this body's obligations")
]
PeriodFilter = Annotated[
    Period | None, QueryParameter(description="Only the current or the previous period")
]


class TranscriptController(Controller):
    path = "/api/v1/people"
    tags = ("people",)

    async def _export(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        person_id: UUID,
        *,
        fmt: ExportFormat,
        body: Body | None,
        period: Period | None,
    ) -> Response[bytes]:
        authorise_person(request.user, person_id, write=False)
        now = datetime.now(UTC)
        async with state.database.transaction(request.user.tenant_id) as tx:
            person = await person_or_404(tx, person_id)
            credits = await queries.my_credits(tx, person_id)
            obligations = [
                o
                for o in await queries.my_obligations(tx, person_id, today=now.date())
                if body in (None, o.body) and period in (None, o.period)
            ]
            organisation = await tx.pg.fetchval(
                "SELECT name FROM organisations WHERE tenant_id = $1", tx.require_tenant()
            )
            await record_export(
                tx,
                state.store,
                TranscriptExported(
                    user_id=request.user.user_id,
                    person_id=person_id,
                    format=fmt,
                    body=body,
                    period=period,
                ),
                metadata=actor(request),
            )
        if fmt == "csv":
            content = transcripts.to_csv(person, credits, obligations).encode()
        else:
            content = transcripts.to_pdf(
                person, credits, obligations, organisation=organisation or "", generated_at=now
            )
        filename = f"transcript-{person_id}-{now.date()}.{fmt}"
        return Response(
            content, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
        )

    @get("/{person_id:uuid}/transcript.csv", media_type=csv_export.MEDIA_TYPE)
    async def transcript_csv(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        person_id: FromPath[UUID],
        only_body: BodyFilter = None,
        period: PeriodFilter = None,
    ) -> Response[bytes]:
        """The transcript as CSV: one ``requirement`` row per requirement line and one ``credit``
        row per credit and obligation, with ``accepted``, ``counted`` and the ``reason``."""
        return await self._export(
            request, state, person_id, fmt="csv", body=only_body, period=period
        )

    @get("/{person_id:uuid}/transcript.pdf", media_type="application/pdf")
    async def transcript_pdf(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        person_id: FromPath[UUID],
        only_body: BodyFilter = None,
        period: PeriodFilter = None,
    ) -> Response[bytes]:
        """The transcript as PDF, per obligation: requirement lines, status, and each credit
        counted (by which rule) or not (and why)."""
        return await self._export(
            request, state, person_id, fmt="pdf", body=only_body, period=period
        )
