"""The member's credits: the list with verification status and what counts where, recording a
credit together with its certificate in one form (a phone's camera works), the credit's page
with each body's acceptance and its certificates, amending or retracting it with a reason.

Recording is one use case, the same as the API's (``credits.use_cases.record_credit``): the
credit, its certificate files and the acceptance are stored or refused together. Files are
checked by content before it runs (``inspect_upload``), exactly as the certificate endpoints do.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template

from domain.credits.credit import (
    AcademicCredits,
    AmendCredit,
    CreditDetails,
    InvalidCreditAmount,
    InvalidCreditDetails,
    ReasonRequired,
    RetractCredit,
    check_quarter_credits,
)
from domain.shared.errors import DomainError
from services.api import application as clock
from services.api.portal import vocabulary
from services.api.portal.forms import Form, read_form
from services.api.portal.pages import page, principal, see_other
from services.api.use_cases import USE_CASES
from services.core.application import AccessDenied, NotFound, UseCases
from services.core.blobs import BlobStore
from services.core.certificates import handlers as certificate_handlers
from services.core.certificates import use_cases as certificate_use_cases
from services.core.certificates.files import CertificateFile, CertificateFiles
from services.core.certificates.use_cases import AttachCertificates
from services.core.credits import use_cases as credit_use_cases
from services.core.credits.use_cases import ChangeCredit, CreditQuery, RecordNewCredit
from services.core.people import use_cases as people_use_cases
from services.core.people.use_cases import FindPerson

CERTIFICATE_FIELDS = ("certificate_photo", "certificate_file")
"""The two ways to give a certificate: a photo taken now (camera) or a file chosen."""


def credit_details(form: Form) -> CreditDetails | None:
    """The credit as typed, or None with each problem recorded on the form."""
    title = form.text("title", "title, as printed on the certificate")
    provider = form.text("provider", "provider")
    accrediting = form.text("accrediting_organisation", "organisation that approved it")
    credit_types = form.choices(
        "credit_types", "credit type", vocabulary.CREDIT_TYPES, at_least_one=True
    )
    completed_on = form.day("completed_on", "day you completed it")
    credits = form.amount("credits", "credits")
    if credits is not None:
        try:
            check_quarter_credits(credits)
        except InvalidCreditAmount as exc:
            form.refuse(exc, "credits")
    topics = form.choices("topics", "topic", vocabulary.TOPICS)
    kind = form.choice("activity_kind", "kind of activity", vocabulary.ACTIVITY_KINDS)
    academic = None
    if kind == "academic_course":
        units = form.amount("academic_units", "academic credit units")
        term = form.choice("academic_term", "academic credit system", vocabulary.ACADEMIC_TERMS)
        if units is not None and term is not None:
            academic = AcademicCredits(units=units, term=term)
    if not form.ok or completed_on is None or credits is None or kind is None:
        return None
    return CreditDetails(
        title=title,
        provider=provider,
        accrediting_organisation=accrediting,
        credit_types=tuple(credit_types),
        completed_on=completed_on,
        credits=credits,
        topics=tuple(topics),
        activity_kind=kind,
        academic=academic,
        partial_attendance=form.value("partial_attendance") == "yes",
    )


def details_form(prefix: str, details: CreditDetails) -> Form:
    """A form filled with ``details`` (to amend them)."""
    values: dict[str, str | list[str]] = {
        "title": details.title,
        "provider": details.provider,
        "accrediting_organisation": details.accrediting_organisation,
        "credit_types": list(details.credit_types),
        "completed_on": details.completed_on.isoformat(),
        "credits": f"{details.credits.normalize():f}",
        "topics": list(details.topics),
        "activity_kind": details.activity_kind,
    }
    if details.academic is not None:
        values["academic_units"] = f"{details.academic.units.normalize():f}"
        values["academic_term"] = details.academic.term
    if details.partial_attendance:
        values["partial_attendance"] = "yes"
    return Form(prefix, values)


def credit_field(exc: DomainError) -> str | None:
    """The field of the credit form a refusal is about, where that is clear."""
    message = str(exc)
    if isinstance(exc, InvalidCreditAmount):
        return "academic_units" if "academic" in message else "credits"
    if isinstance(exc, ReasonRequired):
        return "reason"
    if isinstance(exc, InvalidCreditDetails):
        for word, field in (
            ("future", "completed_on"),
            ("academic", "academic_units"),
            ("credit type", "credit_types"),
            ("title", "title"),
            ("accrediting", "accrediting_organisation"),
            ("provider", "provider"),
        ):
            if word in message:
                return field
    return None


def _chosen_files(form: Form) -> list[UploadFile]:
    return [
        upload
        for field in CERTIFICATE_FIELDS
        for upload in form.files.get(field, [])
        if upload.filename
    ]


async def _inspect(
    form: Form, files: list[UploadFile], blobs: BlobStore, max_bytes: int
) -> CertificateFiles:
    """Each file checked by content; a refusal is recorded at the file field."""
    inspected = []
    for upload in files:
        try:
            checked = await certificate_handlers.inspect_upload(upload.file, max_bytes=max_bytes)
        except DomainError as exc:
            form.refuse(exc, "certificate_file")
        else:
            inspected.append(
                CertificateFile(filename=upload.filename, source=upload.file, inspected=checked)
            )
    return CertificateFiles(blobs=blobs, files=tuple(inspected))


async def _close(files: list[UploadFile]) -> None:
    for upload in files:
        with suppress(OSError):
            await upload.close()


class CreditPages(Controller):
    path = "/credits"
    include_in_schema = False
    dependencies = USE_CASES

    @get("")
    async def list_credits(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        """Every credit, latest first, with its verification and where it counts this cycle."""
        overview = await use_cases.run(
            credit_use_cases.credits_overview, principal(request).person_id
        )
        return await page(
            request,
            "credits/list.html",
            person=overview.person,
            credits=overview.credits,
            acceptance=overview.acceptance,
            certified=overview.certified,
        )

    @get("/new")
    async def new_credit(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        person = await use_cases.run(
            people_use_cases.find_person,
            FindPerson(person_id=principal(request).person_id, to_change=True),
        )
        form = Form("credit", {"activity_kind": "standard"})
        return await self._form(request, form, person is not None)

    async def _form(
        self, request: Request[Any, Any, Any], form: Form, registered: bool, status: int = 200
    ) -> Template:
        return await page(
            request,
            "credits/new.html",
            form=form,
            registered=registered,
            today=clock.today(request),
            max_upload_mb=f"{request.app.state.settings.max_upload_bytes / 2**20:.3g}",
            status=status,
        )

    @post("/new")
    async def record_credit(
        self,
        request: Request[Any, Any, Any],
        state: State,
        use_cases: NamedDependency[UseCases],
        blobs: NamedDependency[BlobStore],
    ) -> Response[Any]:
        """Record the credit and its certificate files together; then show who counts it."""
        form = await read_form(request, "credit")
        files = _chosen_files(form)
        try:
            details = credit_details(form)
            certificates = await _inspect(form, files, blobs, state.settings.max_upload_bytes)
            if details is None or not form.ok:
                return await self._form(request, form, True, status=422)
            try:
                recorded = await use_cases.run(
                    credit_use_cases.record_credit,
                    RecordNewCredit(
                        person_id=principal(request).person_id,
                        details=details,
                        certificates=certificates,
                    ),
                )
            except (AccessDenied, NotFound):
                raise
            except DomainError as exc:
                form.refuse(exc, credit_field(exc))
                return await self._form(request, form, True, status=422)
        finally:
            await _close(files)
        return see_other(request, f"/credits/{recorded.credit.credit_id}?recorded=1")

    @get("/{credit_id:uuid}")
    async def credit_page(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        credit_id: FromPath[UUID],
    ) -> Template:
        """One credit: details, verification, each body's acceptance, certificates, and the
        forms to amend or retract it."""
        return await self._credit_page(request, use_cases, credit_id)

    async def _credit_page(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        credit_id: UUID,
        *,
        amend: Form | None = None,
        retract: Form | None = None,
        attach: Form | None = None,
        status: int = 200,
    ) -> Template:
        view = await use_cases.run(
            credit_use_cases.view_credit,
            CreditQuery(person_id=principal(request).person_id, credit_id=credit_id),
        )
        return await page(
            request,
            "credits/credit.html",
            partial="credits/changes.html",
            credit=view.credit,
            acceptance=view.acceptance,
            certificates=view.certificates,
            recorded=request.query_params.get("recorded") == "1",
            amend=amend or details_form("amend", view.credit.details),
            retract=retract or Form("retract"),
            attach=attach or Form("attach"),
            today=clock.today(request),
            status=status,
        )

    @post("/{credit_id:uuid}/amend")
    async def amend_credit(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        credit_id: FromPath[UUID],
    ) -> Response[Any]:
        """Replace the credit's details, with a reason; it is checked again."""
        form = await read_form(request, "amend")
        details = credit_details(form)
        reason = form.text("reason", "reason for the change", max_length=500)
        if details is not None and form.ok:
            refused = await self._change(
                request, use_cases, credit_id, AmendCredit(details=details, reason=reason), form
            )
            if not refused:
                return see_other(request, f"/credits/{credit_id}", notice="amended")
        return await self._credit_page(request, use_cases, credit_id, amend=form, status=422)

    @post("/{credit_id:uuid}/retract")
    async def retract_credit(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        credit_id: FromPath[UUID],
    ) -> Response[Any]:
        """Withdraw the credit, with a reason; it stops counting everywhere."""
        form = await read_form(request, "retract")
        reason = form.text("reason", "reason for retracting it", max_length=500)
        if form.ok:
            refused = await self._change(
                request, use_cases, credit_id, RetractCredit(reason=reason), form
            )
            if not refused:
                return see_other(request, f"/credits/{credit_id}", notice="retracted")
        return await self._credit_page(request, use_cases, credit_id, retract=form, status=422)

    async def _change(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        credit_id: UUID,
        change: AmendCredit | RetractCredit,
        form: Form,
    ) -> bool:
        """Run the change; True when it was refused (the refusal is on the form)."""
        try:
            await use_cases.run(
                credit_use_cases.change_credit,
                ChangeCredit(
                    person_id=principal(request).person_id, credit_id=credit_id, change=change
                ),
            )
        except (AccessDenied, NotFound):
            raise
        except DomainError as exc:
            form.refuse(exc, credit_field(exc))
            return True
        return False

    @post("/{credit_id:uuid}/certificates")
    async def attach_certificate(
        self,
        request: Request[Any, Any, Any],
        state: State,
        use_cases: NamedDependency[UseCases],
        blobs: NamedDependency[BlobStore],
        credit_id: FromPath[UUID],
    ) -> Response[Any]:
        """Add certificate files to a recorded credit."""
        form = await read_form(request, "attach")
        files = _chosen_files(form)
        try:
            if not files:
                form.fail("certificate_file", "Choose a file or take a photo of the certificate")
            certificates = await _inspect(form, files, blobs, state.settings.max_upload_bytes)
            if form.ok:
                try:
                    await use_cases.run(
                        certificate_use_cases.attach_certificates,
                        AttachCertificates(
                            person_id=principal(request).person_id,
                            credit_id=credit_id,
                            certificates=certificates,
                        ),
                    )
                except (AccessDenied, NotFound):
                    raise
                except DomainError as exc:
                    form.refuse(exc, "certificate_file")
        finally:
            await _close(files)
        if form.ok:
            return see_other(request, f"/credits/{credit_id}", notice="certificate-added")
        return await self._credit_page(request, use_cases, credit_id, attach=form, status=422)
