"""The auditor's view of the history: the filtered timeline, the state of the hash chain, and
the audit bundle to take away (``services.core.audit.bundle``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Stream

from domain.shared.limits import CODE_LENGTH
from services.api.auth import requires_role
from services.api.params import check_days, day_parameter
from services.core.application import UseCases
from services.core.audit import use_cases as audit_use_cases
from services.core.audit.use_cases import ChainStatus, TimelinePage, TimelineQuery
from services.core.blobs import read_chunks


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ("audit",)
    guards = [requires_role("owner", "admin", "auditor")]  # noqa: RUF012 (Litestar layer)

    @get("/events")
    async def events(
        self,
        use_cases: NamedDependency[UseCases],
        after_seq: Annotated[int, QueryParameter(ge=0, le=2**63 - 1)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        event_type: Annotated[str | None, QueryParameter(max_length=CODE_LENGTH)] = None,
        stream_id: Annotated[str | None, QueryParameter(max_length=CODE_LENGTH)] = None,
        since: Annotated[datetime | None, day_parameter("Recorded at or after")] = None,
        until: Annotated[datetime | None, day_parameter("Recorded before")] = None,
    ) -> TimelinePage:
        """The organisation's history in order, filtered by event type, stream and time."""
        check_days(since=since, until=until)
        query = TimelineQuery(
            after_seq=after_seq,
            limit=limit,
            event_type=event_type,
            stream_id=stream_id,
            since=since,
            until=until,
        )
        return await use_cases.run(audit_use_cases.audit_timeline, query)

    @get("/chain")
    async def chain(self, use_cases: NamedDependency[UseCases]) -> ChainStatus:
        """Recompute the organisation's hash chain now."""
        return (await use_cases.run(audit_use_cases.check_chain, None)).status()

    @get(
        "/bundle",
        media_type="application/zip",
        responses={200: ResponseSpec(bytes, description="The audit bundle (ZIP)")},
    )
    async def bundle(self, use_cases: NamedDependency[UseCases]) -> Stream:
        """The organisation's audit bundle (ZIP): the whole history as JSON lines, every
        certificate file, a summary PDF and a manifest with each file's SHA-256 and the chain
        head. The export is recorded first, and the bundle's history ends with that record;
        docs/audit-verification.md shows how to verify a bundle offline."""
        built = await audit_use_cases.export_audit_bundle(use_cases)
        return Stream(
            read_chunks(built.file),
            media_type="application/zip",
            headers={
                "content-disposition": f'attachment; filename="{built.filename}"',
                "content-length": str(built.size),
            },
        )
