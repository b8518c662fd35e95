"""The certificate review queue: certificates by verification status (needs review first), and
one certificate beside what was read off it and what the person declared, with the decision
form for owners and admins (auditors read).

A decision goes through ``services.core.reviews.use_cases.review_certificate``, exactly as the
review endpoint: approve (optionally correcting the fields read, with a reason), or reject with a
reason. The file is shown inline from ``/reviews/<id>/file``; every showing is recorded as a
download (``audits.CertificateDownloaded``), as the API's download is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Stream, Template

from domain import vocabulary
from domain.credits.certificate import ReviewDecision, ReviewReasonRequired
from domain.credits.credit import VerificationStatus
from domain.credits.verification import ExtractedFields
from domain.shared.errors import DomainError
from domain.shared.limits import STATEMENT_LENGTH
from services.api.files import certificate_stream
from services.api.portal.forms import Form, read_form
from services.api.portal.pages import (
    Question,
    confirm_first,
    keyset_page,
    page,
    principal,
    see_other,
)
from services.api.portal.staff import MANAGERS, READERS, optional_choice
from services.api.schemas import from_view
from services.core.application import UseCases
from services.core.blobs import BlobStore
from services.core.certificates.views import ExtractedFields as FieldsOnRecord
from services.core.credits.views import CreditDetails
from services.core.reviews import use_cases as review_use_cases
from services.core.reviews.queue import ReviewItem
from services.core.reviews.use_cases import DecideCertificate, OpenCertificateFile, ReviewQueue

PAGE_SIZE = 25
_TAB_ORDER: tuple[VerificationStatus, ...] = ("needs_review", "pending", "verified", "rejected")
TABS: Mapping[VerificationStatus, str] = {
    status: vocabulary.VERIFICATION[status] for status in _TAB_ORDER
}
"""The queue's tabs, in the one verification wording (``domain.vocabulary``)."""
DECISIONS: Mapping[ReviewDecision, str] = {"approve": "Approve", "reject": "Reject"}
TEXT_FIELDS = (
    ("participant_name", "Participant"),
    ("title", "Title"),
    ("provider", "Provider"),
    ("accreditation_statement", "Accreditation statement"),
    ("certificate_number", "Certificate number"),
    ("approval_number", "Approval or file number"),
)
"""The free-text fields read off a certificate, with their labels."""
REJECTING = Question(
    "Reject this certificate?",
    "The credit it proves stops counting toward the person's standing, and the person sees"
    " your reason. You can change the decision later, with a reason.",
    "Yes, reject",
)
FILE_HEADERS = [ResponseHeader(name="Content-Security-Policy", value="frame-ancestors 'self'")]
"""The file (a PDF or an image, checked by content at upload) may be shown in a frame of the
review page, which the pages' own policy forbids; the browser's PDF viewer needs no more."""


def fields_form(fields: FieldsOnRecord | None) -> Form:
    """The decision form, filled with the fields on record."""
    found = fields or FieldsOnRecord()
    values: dict[str, str | list[str]] = {
        name: getattr(found, name) or "" for name, _ in TEXT_FIELDS
    }
    values["credit_types"] = list(found.credit_types)
    values["activity_date"] = found.activity_date.isoformat() if found.activity_date else ""
    values["completed_on"] = found.completed_on.isoformat() if found.completed_on else ""
    values["credits"] = f"{found.credits.normalize():f}" if found.credits is not None else ""
    return Form("review", values)


def _optional_day(form: Form, name: str, label: str) -> date | None:
    return form.day(name, label) if form.value(name).strip() else None


def typed_fields(form: Form) -> ExtractedFields:
    """The fields as the reviewer left them (blank: not on the certificate)."""
    texts: dict[str, Any] = {
        name: form.text(name, label.lower(), required=False, max_length=STATEMENT_LENGTH) or None
        for name, label in TEXT_FIELDS
    }
    return ExtractedFields(
        **texts,
        credit_types=tuple(form.choices("credit_types", "credit type", vocabulary.CREDIT_TYPES)),
        activity_date=_optional_day(form, "activity_date", "activity date"),
        completed_on=_optional_day(form, "completed_on", "completion date"),
        credits=form.amount("credits", "credits", required=False),
    )


def comparison(item: ReviewItem) -> list[tuple[str, str, str, bool]]:
    """(what, declared, on the certificate, whether they differ) for the declared credit."""
    on_record = item.certificate.fields
    fields = ExtractedFields() if on_record is None else from_view(on_record, ExtractedFields)
    declared: CreditDetails | None = item.declared.details if item.declared else None

    def row(label: str, mine: object, printed: object) -> tuple[str, str, str, bool]:
        a, b = _shown(mine), _shown(printed)
        return label, a, b, bool(a and b and a.casefold() != b.casefold())

    return [
        row("Participant", item.person.full_name, fields.participant_name),
        row("Title", declared and declared.title, fields.title),
        row("Provider", declared and declared.provider, fields.provider),
        row(
            "Completed on",
            declared and declared.completed_on,
            fields.completion_date,
        ),
        row("Credits", declared and declared.credits, fields.credits),
        row(
            "Credit types",
            declared
            and ", ".join(vocabulary.CREDIT_TYPES[t] for t in sorted(declared.credit_types)),
            ", ".join(vocabulary.CREDIT_TYPES[t] for t in sorted(fields.credit_types)),
        ),
    ]


def _shown(value: object) -> str:
    if value is None or value is False:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


class ReviewPages(Controller):
    path = "/reviews"

    @get("", guards=[READERS])
    async def queue(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        """The certificates of one status, oldest upload first, a page at a time."""
        form = Form("queue", dict(request.query_params))
        status = optional_choice(form, "status", "status", TABS) or "needs_review"
        listed = await keyset_page(
            form,
            use_cases,
            review_use_cases.review_queue,
            lambda cursor: ReviewQueue(status=status, limit=PAGE_SIZE, cursor=cursor),
            lambda cursor: f"/reviews?status={status}" + (f"&cursor={cursor}" if cursor else ""),
        )
        return await page(
            request,
            "reviews/queue.html",
            form=form,
            tabs=TABS,
            chosen=status,
            found=listed.found,
            next_url=listed.next_url,
            first_url=listed.first_url,
            status=200 if form.ok else 400,
        )

    @get("/{certificate_id:uuid}", guards=[READERS])
    async def certificate(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        certificate_id: FromPath[UUID],
    ) -> Template:
        return await self._certificate(request, use_cases, certificate_id)

    async def _certificate(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        certificate_id: UUID,
        *,
        form: Form | None = None,
        status: int = 200,
    ) -> Template:
        shown = await use_cases.run(review_use_cases.certificate_under_review, certificate_id)
        item = shown.item
        me = principal(request)
        reviewer = me.role in ("owner", "admin")
        own_record = reviewer and item.person.person_id == me.person_id
        return await page(
            request,
            "reviews/certificate.html",
            item=item,
            c=item.certificate,
            comparison=comparison(item),
            form=form or fields_form(item.certificate.fields),
            text_fields=TEXT_FIELDS,
            may_decide=reviewer and not own_record,
            own_record=own_record,
            decided=request.query_params.get("decided") in DECISIONS,
            following=shown.following,
            status=status,
        )

    @post("/{certificate_id:uuid}", guards=[MANAGERS])
    async def decide(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        certificate_id: FromPath[UUID],
    ) -> Response[Any]:
        """Approve or reject, correcting the fields first when they were changed."""
        form = await read_form(request, "review")
        decision = form.choice("decision", "decision", DECISIONS)
        reason = form.text("reason", "reason", required=False, max_length=1000)
        fields = typed_fields(form)
        if form.ok and decision == "reject" and reason:
            back = f"/reviews/{certificate_id}"
            asked = await confirm_first(request, form, REJECTING, back)
            if asked is not None:
                return asked
        if form.ok and decision is not None:
            command = DecideCertificate(
                certificate_id=certificate_id,
                decision=decision,
                reason=reason,
                fields=fields,
                fields_as_edited=True,
            )
            try:
                await review_use_cases.review_certificate(use_cases, command)
            except DomainError as exc:
                form.refuse(exc, "reason" if isinstance(exc, ReviewReasonRequired) else None)
            else:
                return see_other(request, f"/reviews/{certificate_id}?decided={decision}")
        return await self._certificate(request, use_cases, certificate_id, form=form, status=422)

    @get(
        "/{certificate_id:uuid}/file",
        guards=[READERS],
        response_headers=FILE_HEADERS,
    )
    async def file(
        self,
        use_cases: NamedDependency[UseCases],
        blobs: NamedDependency[BlobStore],
        certificate_id: FromPath[UUID],
    ) -> Stream:
        """The certificate's file to show in the page; recorded as a download."""
        opened = await use_cases.run(
            review_use_cases.open_certificate_file, OpenCertificateFile(certificate_id, blobs)
        )
        return certificate_stream(opened.certificate, opened.chunks, "inline")
