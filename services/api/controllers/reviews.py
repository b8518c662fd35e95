"""Certificate verification over HTTP: the review queue, one certificate's outcome, and the
reviewers' decisions.

Who may: owners and admins work the queue and decide; auditors read the queue and any
certificate; an employee reads the outcome of their own certificates (status, reasons, what was
read). A certificate of another organisation does not exist (404, by RLS). Every decision is an
event on the certificate, and on the credit it was declared for.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter

from domain.credits.certificate import ReviewCertificate, ReviewDecision
from domain.credits.credit import CreditType, VerificationStatus
from domain.credits.verification import ExtractedFields
from domain.shared.limits import Code, DecimalText, Name, ReasonText, Statement, Title
from services.api.auth import Principal, requires_role
from services.api.controllers.invitations import actor
from services.api.controllers.people import authorise_person
from services.api.idempotency import request_command_id
from services.core import review_queries
from services.core.db import Tx
from services.core.handlers import verification
from services.core.review_queries import ReviewItem, ReviewPage
from services.core.staff_queries import InvalidCursor

READERS = requires_role("owner", "admin", "auditor")
REVIEWERS = requires_role("owner", "admin")
MAX_CREDITS = 1000
"""More credits than any certificate awards (a bound for corrected fields)."""


class FieldCorrections(msgspec.Struct, frozen=True, kw_only=True):
    """``ExtractedFields`` as a reviewer sends them: every text capped, credits as strict
    decimal text; dates between 1950-01-01 and 2200-12-31."""

    participant_name: Name | None = None
    title: Title | None = None
    provider: Name | None = None
    accreditation_statement: Statement | None = None
    credit_types: Annotated[tuple[CreditType, ...], msgspec.Meta(max_length=20)] = ()
    activity_date: date | None = None
    completed_on: date | None = None
    credits: DecimalText | None = None
    certificate_number: Code | None = None
    approval_number: Code | None = None

    def extracted(self) -> ExtractedFields:
        return ExtractedFields(
            **{
                **msgspec.structs.asdict(self),
                "credits": None if self.credits is None else Decimal(self.credits),
            }
        )


class ReviewRequest(msgspec.Struct, frozen=True, kw_only=True):
    """``approve``: the certificate supports the credit; ``reject``: it does not. ``reason`` is
    shown to the person: required to reject, to correct the fields, to approve despite open
    reasons and to overturn an earlier outcome. ``fields`` corrects what was read off the
    certificate (all of them, as they should read) before the decision."""

    decision: ReviewDecision
    reason: ReasonText = ""
    fields: FieldCorrections | None = None

    def __post_init__(self) -> None:
        credits = self.fields.credits if self.fields else None
        if credits is not None and not 0 < Decimal(credits) <= MAX_CREDITS:
            raise ValueError(f"fields.credits must be above 0 and at most {MAX_CREDITS}")


async def _item(tx: Tx, certificate_id: UUID) -> ReviewItem:
    found = await review_queries.review_item(tx, certificate_id)
    if found is None:
        raise NotFoundException("no such certificate in this organisation")
    return found


class ReviewController(Controller):
    path = "/api/v1"
    tags = ("reviews",)

    @get("/reviews", guards=[READERS])
    async def queue(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        status: Annotated[
            VerificationStatus,
            QueryParameter(description="needs_review (default), pending, verified or rejected"),
        ] = "needs_review",
        cursor: Annotated[str | None, QueryParameter(max_length=1000)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> ReviewPage:
        """The certificates of one status, oldest upload first, each with its person, the
        credit declared, the fields read, the reasons and each body's acceptance."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            try:
                return await review_queries.review_page(
                    tx, status=status, limit=limit, cursor=cursor
                )
            except InvalidCursor as exc:
                raise ValidationException(str(exc)) from exc

    @get("/certificates/{certificate_id:uuid}")
    async def certificate(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        certificate_id: FromPath[UUID],
    ) -> ReviewItem:
        """Where a certificate's verification stands: status, reasons, what was read, who
        decided. The person themself, owners, admins and auditors."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            found = await _item(tx, certificate_id)
        authorise_person(request.user, found.person.person_id, write=False)
        return found

    @post("/certificates/{certificate_id:uuid}/review", guards=[REVIEWERS], status_code=200)
    async def review(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        certificate_id: FromPath[UUID],
        data: JSONBody[ReviewRequest],
    ) -> ReviewItem:
        """Approve or reject a certificate (correcting its fields first, if given); the
        decision is recorded on the certificate and on the credit it was declared for. Nobody
        decides a certificate of their own record: 403 ``own_record_review``, and the attempt
        is recorded in the organisation's history."""
        command = ReviewCertificate(
            reviewer_id=request.user.user_id,
            reviewer_person_id=request.user.person_id,
            decision=data.decision,
            reason=data.reason,
            corrected_fields=None if data.fields is None else data.fields.extracted(),
        )
        async with state.database.transaction(request.user.tenant_id) as tx:
            await _item(tx, certificate_id)
        await verification.review_certificate(
            state.database,
            state.store,
            state.settings,
            request.user.tenant_id,
            certificate_id,
            command,
            command_id=request_command_id(request),
            metadata=actor(request),
        )
        async with state.database.transaction(request.user.tenant_id) as tx:
            return await _item(tx, certificate_id)
