"""Certificate verification over HTTP: the review queue, one certificate's outcome, and the
reviewers' decisions.

Who may: owners and admins work the queue and decide; auditors read the queue and any
certificate; an employee reads the outcome of their own certificates (status, reasons, what was
read). A certificate of another organisation does not exist (404, by RLS). Every decision is an
event on the certificate, and on the credit it was declared for.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter

from domain.credits.credit import VerificationStatus
from services.api.auth import requires_role
from services.api.schemas import from_view
from services.api.schemas.certificates import (
    ReviewItem,
    ReviewPage,
    ReviewRequest,
)
from services.core.application import UseCases
from services.core.reviews import use_cases as review_use_cases
from services.core.reviews.use_cases import DecideCertificate, ReviewQueue
from services.core.staff.listing import InvalidCursor

READERS = requires_role("owner", "admin", "auditor")
REVIEWERS = requires_role("owner", "admin")


class ReviewController(Controller):
    path = "/api/v1"
    tags = ("reviews",)

    @get("/reviews", guards=[READERS])
    async def queue(
        self,
        use_cases: NamedDependency[UseCases],
        status: Annotated[
            VerificationStatus,
            QueryParameter(description="needs_review (default), pending, verified or rejected"),
        ] = "needs_review",
        cursor: Annotated[str | None, QueryParameter(max_length=1000)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> ReviewPage:
        """The certificates of one status, oldest upload first, each with its person, the
        credit declared, the fields read, the reasons and each body's acceptance."""
        query = ReviewQueue(status=status, limit=limit, cursor=cursor)
        try:
            page = await use_cases.run(review_use_cases.review_queue, query)
        except InvalidCursor as exc:
            raise ValidationException(str(exc)) from exc
        return from_view(page, ReviewPage)

    @get("/certificates/{certificate_id:uuid}")
    async def certificate(
        self, use_cases: NamedDependency[UseCases], certificate_id: FromPath[UUID]
    ) -> ReviewItem:
        """Where a certificate's verification stands: status, reasons, what was read, who
        decided. The person themself, owners, admins and auditors."""
        item = await use_cases.run(review_use_cases.certificate_outcome, certificate_id)
        return from_view(item, ReviewItem)

    @post("/certificates/{certificate_id:uuid}/review", guards=[REVIEWERS], status_code=200)
    async def review(
        self,
        use_cases: NamedDependency[UseCases],
        certificate_id: FromPath[UUID],
        data: JSONBody[ReviewRequest],
    ) -> ReviewItem:
        """Approve or reject a certificate (correcting its fields first, if given); the
        decision is recorded on the certificate and on the credit it was declared for. Nobody
        decides a certificate of their own record: 403 ``own_record_review``, and the attempt
        is recorded in the organisation's history."""
        command = DecideCertificate(
            certificate_id=certificate_id,
            decision=data.decision,
            reason=data.reason,
            fields=None if data.fields is None else data.fields.extracted(),
        )
        item = await review_use_cases.review_certificate(use_cases, command)
        return from_view(item, ReviewItem)
