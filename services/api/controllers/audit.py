"""The auditor's view of the history: the filtered timeline, the state of the hash chain, and
the audit bundle to take away (``services.core.audit_bundle``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Stream

from domain.shared.limits import CODE_LENGTH
from services.api.auth import Principal, requires_role
from services.api.controllers.invitations import actor
from services.api.params import check_days, day_parameter
from services.core.audit_bundle import build_bundle
from services.core.audit_queries import timeline
from services.core.blobs import build_blob_store, read_chunks
from services.core.chain_check import ChainBreak, verify_chain
from services.core.eventstore import RecordedEvent


class TimelinePage(msgspec.Struct, frozen=True, kw_only=True):
    events: list[RecordedEvent]
    next_after_seq: int | None
    """Pass as ``after_seq`` for the next page; null at the end."""


class ChainStatus(msgspec.Struct, frozen=True, kw_only=True):
    """ "Verified up to event ``verified_through_seq`` at ``checked_at``", or the first break."""

    intact: bool
    verified_through_seq: int
    head_seq: int
    head_hash: str
    checked_at: datetime
    first_break: ChainBreak | None


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ("audit",)
    guards = [requires_role("owner", "admin", "auditor")]  # noqa: RUF012 (Litestar layer)

    @get("/events")
    async def events(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        after_seq: Annotated[int, QueryParameter(ge=0, le=2**63 - 1)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        event_type: Annotated[str | None, QueryParameter(max_length=CODE_LENGTH)] = None,
        stream_id: Annotated[str | None, QueryParameter(max_length=CODE_LENGTH)] = None,
        since: Annotated[datetime | None, day_parameter("Recorded at or after")] = None,
        until: Annotated[datetime | None, day_parameter("Recorded before")] = None,
    ) -> TimelinePage:
        """The organisation's history in order, filtered by event type, stream and time."""
        check_days(since=since, until=until)
        async with state.database.transaction(request.user.tenant_id) as tx:
            page = await timeline(
                tx,
                after_seq=after_seq,
                limit=limit,
                event_type=event_type,
                stream_id=stream_id,
                since=since,
                until=until,
            )
        return TimelinePage(
            events=page, next_after_seq=page[-1].seq if len(page) == limit else None
        )

    @get("/chain")
    async def chain(self, request: Request[Principal, Any, Any], state: State) -> ChainStatus:
        """Recompute the organisation's hash chain now."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            report = await verify_chain(tx, state.store)
        return ChainStatus(
            intact=report.ok,
            verified_through_seq=report.checked,
            head_seq=report.head_seq,
            head_hash=report.head_hash,
            checked_at=datetime.now(UTC),
            first_break=report.first_break,
        )

    @get(
        "/bundle",
        media_type="application/zip",
        responses={200: ResponseSpec(bytes, description="The audit bundle (ZIP)")},
    )
    async def bundle(self, request: Request[Principal, Any, Any], state: State) -> Stream:
        """The organisation's audit bundle (ZIP): the whole history as JSON lines, every
        certificate file, a summary PDF and a manifest with each file's SHA-256 and the chain
        head. The export is recorded first, and the bundle's history ends with that record;
        docs/audit-verification.md shows how to verify a bundle offline."""
        built = await build_bundle(
            state.database,
            state.store,
            build_blob_store(state.settings),
            tenant_id=request.user.tenant_id,
            user_id=request.user.user_id,
            now=datetime.now(UTC),
            metadata=actor(request),
        )
        return Stream(
            read_chunks(built.file),
            media_type="application/zip",
            headers={
                "content-disposition": f'attachment; filename="{built.filename}"',
                "content-length": str(built.size),
            },
        )
