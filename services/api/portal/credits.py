"""The member's credits: the list with verification status and what counts where, recording a
credit together with its certificate in one form (a phone's camera works), the credit's page
with each body's acceptance and its certificates, amending or retracting it with a reason.

Recording is one use case, the same as the API's (``credits.use_cases.record_credit``): the
credit, its certificate files and the acceptance are stored or refused together. Files are
checked by content before it runs (``inspect_upload``), exactly as the certificate endpoints do.
"""

from __future__ import annotations

import asyncio
import re
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
import structlog
from dramatiq.errors import BrokerError
from litestar import Controller, Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template

from domain import vocabulary
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
from domain.credits.verification import Thresholds
from domain.shared.errors import DomainError
from services.api import application as clock
from services.api.application import reading_jobs_of, settings_of
from services.api.portal.forms import Form, read_form, submit
from services.api.portal.pages import page, principal, see_other
from services.core.application import NotFound, UseCases
from services.core.blobs import BlobStore, blob_key
from services.core.certificates import drafts
from services.core.certificates import handlers as certificate_handlers
from services.core.certificates import use_cases as certificate_use_cases
from services.core.certificates.drafts import (
    KeepCertificate,
    KeptCertificate,
    ReadingProgress,
    ReadingQuery,
    RememberReading,
    RequestReading,
)
from services.core.certificates.files import CertificateFile, CertificateFiles
from services.core.certificates.use_cases import AttachCertificates
from services.core.credits import use_cases as credit_use_cases
from services.core.credits import views as credit_views
from services.core.credits.use_cases import ChangeCredit, CreditQuery, CreditView, RecordNewCredit
from services.core.people import use_cases as people_use_cases
from services.core.people.use_cases import FindPerson
from services.core.reading.process import Reading, read_in_child, too_slow

CERTIFICATE_FIELDS = ("certificate_photo", "certificate_file")
"""The two ways to give a certificate: a photo taken now (camera) or a file chosen."""


def credit_details(form: Form, today: date) -> CreditDetails | None:
    """The credit as typed, or None with every problem recorded on the form at once (the
    domain's checks of a credit are made here too, so none comes after the others)."""
    title = form.text("title", "title, as printed on the certificate")
    provider = form.text("provider", "provider")
    accrediting = form.text("accrediting_organisation", "organisation that approved it")
    credit_types = form.choices(
        "credit_types", "credit type", vocabulary.CREDIT_TYPES, at_least_one=True
    )
    completed_on = form.day("completed_on", "day you completed it")
    if completed_on is not None and completed_on > today:
        form.fail("completed_on", "The day you completed it cannot be in the future")
    credits = form.amount("credits", "credits")
    if credits is not None:
        try:
            check_quarter_credits(credits)
        except InvalidCreditAmount as exc:
            form.refuse(exc, "credits")
    topics = form.choices("topics", "topic", vocabulary.TOPICS)
    approval_number = form.text(
        "approval_number", "approval or file number", required=False, max_length=200
    )
    kind = form.choice("activity_kind", "kind of activity", vocabulary.ACTIVITY_KINDS)
    academic = None
    if kind == "academic_course":
        units = form.amount("academic_units", "academic credit units")
        if units is not None and not _quarter_step(units):
            form.fail("academic_units", "Enter the academic credit units in quarter steps")
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
        approval_number=approval_number or None,
    )


def _quarter_step(amount: Decimal) -> bool:
    try:
        check_quarter_credits(amount)
    except InvalidCreditAmount:
        return False
    return True


def details_form(prefix: str, details: credit_views.CreditDetails) -> Form:
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
    if details.approval_number:
        values["approval_number"] = details.approval_number
    return Form(prefix, values)


READ_WITHIN_REQUEST_S = 3.0
"""How long choosing a text PDF waits for its reading (a text layer is read well within it; a
scanned PDF taking longer goes to the worker, as photos do)."""
log = structlog.get_logger("cmeledger.portal")
SHA256 = re.compile(r"[0-9a-f]{64}")


def _megabytes(request: Request[Any, Any, Any]) -> str:
    return f"{settings_of(request.app.state).max_upload_bytes / 2**20:.3g}"


def _filename(name: str) -> str:
    """The name a browser gave the file, without any folder, at most 200 characters."""
    return name.replace("\\", "/").rsplit("/", 1)[-1][:200] or "certificate"


def _reference_of(file: CertificateFile) -> dict[str, str]:
    return {"upload": file.inspected.sha256, "upload_name": file.filename}


def _kept_reference(sha256: str, name: str) -> dict[str, str] | None:
    """The reference to a kept file a form or link carries, if it is one."""
    if not SHA256.fullmatch(sha256):
        return None
    return {"upload": sha256, "upload_name": _filename(name)}


async def _progress(request: Request[Any, Any, Any], upload: dict[str, str]) -> Template:
    """The reading's progress: the page, or (polled by htmx) its status block."""
    return await page(
        request,
        "credits/reading.html",
        partial="credits/reading_status.html",
        upload=upload["upload"],
        upload_name=upload["upload_name"],
        reading_wait_s=settings_of(request.app.state).reading_wait_s,
    )


def _form_path(upload: dict[str, str]) -> str:
    return "/credits/new?" + urlencode({"upload": upload["upload"], "name": upload["upload_name"]})


def prefilled(
    reading: Reading, upload: dict[str, str]
) -> tuple[dict[str, str | list[str]], dict[str, str]]:
    """The form's values from what the reader found, and each read field's mark: ``read``
    (found, and the text was read surely) or ``check`` (unsure, or not found)."""
    found = reading.fields
    sure = reading.text.problem is None and reading.text.confidence >= Thresholds().min_confidence
    read: dict[str, str | list[str] | None] = {
        "title": found.title,
        "provider": found.provider,
        "credit_types": list(found.credit_types) or None,
        "completed_on": found.completion_date.isoformat() if found.completion_date else None,
        "credits": f"{found.credits.normalize():f}" if found.credits is not None else None,
        "approval_number": found.approval_number,
    }
    values: dict[str, str | list[str]] = {k: v for k, v in read.items() if v}
    marks = {name: "read" if sure and name in values else "check" for name in read}
    values.update(upload, activity_kind="standard")
    if found.provider:
        values["accrediting_organisation"] = found.provider
    marks["accrediting_organisation"] = "check"
    return values, marks


def credit_field(exc: Exception) -> str | None:
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
    checked = [await _checked(form, upload, max_bytes, "certificate_file") for upload in files]
    return CertificateFiles(blobs=blobs, files=tuple(file for file in checked if file))


async def _checked(
    form: Form, upload: UploadFile, max_bytes: int, field: str
) -> CertificateFile | None:
    """The upload checked by content, or None with the refusal at ``field``."""
    try:
        inspected = await certificate_handlers.inspect_upload(upload.file, max_bytes=max_bytes)
    except DomainError as exc:
        form.refuse(exc, field)
        return None
    return CertificateFile(
        filename=_filename(upload.filename), source=upload.file, inspected=inspected
    )


async def _close(files: list[UploadFile]) -> None:
    for upload in files:
        with suppress(OSError):
            await upload.close()


class CreditPages(Controller):
    path = "/credits"

    @get("")
    async def list_credits(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Template:
        """Every credit, grouped by the cycles it falls in (with each cycle's totals), latest
        first, with its verification and where it counts; then those outside every cycle."""
        overview = await use_cases.run(
            credit_use_cases.credits_overview, principal(request).person_id
        )
        return await page(request, "credits/list.html", **msgspec.structs.asdict(overview))

    @get("/new")
    async def new_credit(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        blobs: NamedDependency[BlobStore],
    ) -> Template:
        """Start with the certificate (``?upload=`` names a kept one: the form prefilled with
        what was read, the reading's progress, or the form to fill in by hand when the reader
        did not answer), or enter the credit by hand. Reads only."""
        person = await use_cases.run(
            people_use_cases.find_person,
            FindPerson(person_id=principal(request).person_id, to_change=True),
        )
        if person is None:
            return await self._start(request, Form("certificate"), registered=False)
        params = request.query_params
        upload = _kept_reference(params.get("upload", ""), params.get("name", ""))
        if upload is None:
            if params.get("by_hand") == "1":
                return await self._form(request, Form("credit", {"activity_kind": "standard"}))
            return await self._start(request, Form("certificate"))
        key = blob_key(principal(request).tenant_id, upload["upload"])
        if not await asyncio.to_thread(blobs.exists, key):
            form = Form("certificate")
            form.fail("certificate", "The certificate is no longer kept: choose it again")
            return await self._start(request, form, status=404)
        progress = await self._progress(request, use_cases, upload)
        by_hand = Form("credit", {**upload, "activity_kind": "standard"})
        if progress.reading is not None:
            values, marks = prefilled(progress.reading, upload)
            return await self._form(
                request, Form("credit", values), marks=marks, reading=progress.reading
            )
        if params.get("by_hand") == "1":
            return await self._form(request, by_hand)
        if progress.requested_at is None:
            return await self._form(request, by_hand, reader="unavailable")
        if self._waited_out(request, progress.requested_at):
            return await self._form(request, by_hand, reader="silent")
        return await _progress(request, upload)

    @get("/new/reading")
    async def reading_status(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
    ) -> Response[Any]:
        """The reading's progress (polled by the page); when it is done, or waited for long
        enough, on to the form."""
        params = request.query_params
        upload = _kept_reference(params.get("upload", ""), params.get("name", ""))
        if upload is None:
            raise NotFound("no such certificate")
        progress = await self._progress(request, use_cases, upload)
        if progress.requested_at is None or self._waited_out(request, progress.requested_at):
            return see_other(request, _form_path(upload))
        return await _progress(request, upload)

    async def _progress(
        self, request: Request[Any, Any, Any], use_cases: UseCases, upload: dict[str, str]
    ) -> ReadingProgress:
        query = ReadingQuery(person_id=principal(request).person_id, sha256=upload["upload"])
        return await use_cases.run(drafts.reading_progress, query)

    @staticmethod
    def _waited_out(request: Request[Any, Any, Any], requested_at: datetime) -> bool:
        """True when the worker was asked for the reading longer ago than the portal waits."""
        waited = (clock.now(request) - requested_at).total_seconds()
        return waited >= settings_of(request.app.state).reading_wait_s

    @post("/new/read")
    async def read_certificate(
        self,
        request: Request[Any, Any, Any],
        state: State,
        use_cases: NamedDependency[UseCases],
        blobs: NamedDependency[BlobStore],
    ) -> Response[Any]:
        """Keep the chosen certificate and read it: a text PDF within this request, a scan or
        photo by the worker (the next page shows the progress). A file chosen again is not
        read or sent again."""
        form = await read_form(request, "certificate")
        files = form.files.get("certificate", [])
        try:
            chosen = [upload for upload in files if upload.filename]
            if not chosen:
                form.fail("certificate", "Choose a file or take a photo of the certificate")
                return await self._start(request, form, status=422)
            kept = await self._keep(request, use_cases, blobs, form, chosen[0], "certificate")
            if kept is None:
                return await self._start(request, form, status=422)
            await self._read(request, state, use_cases, kept)
        finally:
            await _close(files)
        return see_other(request, _form_path(_reference_of(kept)))

    async def _read(
        self,
        request: Request[Any, Any, Any],
        state: State,
        use_cases: UseCases,
        file: CertificateFile,
    ) -> None:
        """Read a text PDF now and keep the reading; send anything else (and a PDF that takes
        longer, a scan) to the worker, unless the file was read, or sent within the reading wait
        (a job unanswered for longer is asked again)."""
        person_id = principal(request).person_id
        sha256 = file.inspected.sha256
        progress = await self._progress(request, use_cases, _reference_of(file))
        if progress.reading is not None:
            return
        if progress.requested_at is not None and not self._waited_out(
            request, progress.requested_at
        ):
            return
        media_type = file.inspected.media_type
        if media_type == "application/pdf":
            file.source.seek(0)
            data = file.source.read()
            file.source.seek(0)
            reading = await read_in_child(data, media_type, limit_s=READ_WITHIN_REQUEST_S)
            if reading.text.problem != too_slow(READ_WITHIN_REQUEST_S):
                await use_cases.run(
                    drafts.remember_reading,
                    RememberReading(person_id=person_id, sha256=sha256, reading=reading),
                )
                return
        ask = RequestReading(
            person_id=person_id,
            sha256=sha256,
            media_type=media_type,
            send=reading_jobs_of(state).send,
            wait_s=settings_of(state).reading_wait_s,
        )
        try:
            await use_cases.run(drafts.request_reading, ask)
        except BrokerError:
            log.warning("reading not sent: the broker is unavailable", exc_info=True)

    async def _keep(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        blobs: BlobStore,
        form: Form,
        upload: UploadFile,
        field: str,
    ) -> CertificateFile | None:
        """The upload checked by content and kept, or None with the refusal at ``field``."""
        max_bytes = settings_of(request.app.state).max_upload_bytes
        file = await _checked(form, upload, max_bytes, field)
        if file is None:
            return None
        await use_cases.run(
            drafts.keep_certificate,
            KeepCertificate(person_id=principal(request).person_id, file=file, blobs=blobs),
        )
        return file

    def _query(
        self, request: Request[Any, Any, Any], blobs: BlobStore, upload: dict[str, str]
    ) -> KeptCertificate:
        return KeptCertificate(
            person_id=principal(request).person_id,
            sha256=upload["upload"],
            filename=upload["upload_name"],
            blobs=blobs,
            max_bytes=settings_of(request.app.state).max_upload_bytes,
        )

    async def _start(
        self,
        request: Request[Any, Any, Any],
        form: Form,
        *,
        registered: bool = True,
        status: int = 200,
    ) -> Template:
        return await page(
            request,
            "credits/start.html",
            form=form,
            registered=registered,
            max_upload_mb=_megabytes(request),
            status=status,
        )

    async def _form(
        self,
        request: Request[Any, Any, Any],
        form: Form,
        *,
        marks: dict[str, str] | None = None,
        reading: Reading | None = None,
        reader: str | None = None,
        status: int = 200,
    ) -> Template:
        """The credit form; ``reader`` says why nothing was read: ``silent`` (the worker did
        not answer within the wait) or ``unavailable`` (it could not be asked)."""
        return await page(
            request,
            "credits/new.html",
            form=form,
            marks=marks or {},
            reading=reading,
            reader=reader,
            reading_wait_s=settings_of(request.app.state).reading_wait_s,
            today=clock.today(request),
            max_upload_mb=_megabytes(request),
            status=status,
        )

    @post("/new")
    async def record_credit(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        blobs: NamedDependency[BlobStore],
    ) -> Response[Any]:
        """Record the credit with its certificate (the kept one, or a file chosen now, which
        is kept too so that a refused form keeps it); then show who counts it."""
        form = await read_form(request, "credit")
        files = [upload for upload in form.files.get("certificate_file", []) if upload.filename]
        try:
            details = credit_details(form, clock.today(request))
            certificate = await self._certificate(request, use_cases, blobs, form, files)
            if details is None or not form.ok:
                return await self._form(request, form, status=422)
            recorded = await submit(
                form,
                use_cases,
                credit_use_cases.record_credit,
                RecordNewCredit(
                    person_id=principal(request).person_id,
                    details=details,
                    certificates=CertificateFiles(
                        blobs=blobs, files=(certificate,) if certificate else ()
                    ),
                ),
                field=credit_field,
            )
            if recorded is None:
                return await self._form(request, form, status=422)
        finally:
            await _close(files)
        return see_other(request, f"/credits/{recorded.credit.credit_id}?recorded=1")

    async def _certificate(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        blobs: BlobStore,
        form: Form,
        files: list[UploadFile],
    ) -> CertificateFile | None:
        """The file chosen now (kept, and named on the form from now on), else the kept file
        the form names, else None."""
        if files:
            kept = await self._keep(request, use_cases, blobs, form, files[0], "certificate_file")
            if kept is not None:
                form.values.update(_reference_of(kept))
            return kept
        upload = _kept_reference(form.value("upload"), form.value("upload_name"))
        if upload is None:
            return None
        try:
            return await use_cases.run(drafts.kept_certificate, self._query(request, blobs, upload))
        except NotFound:
            form.values.pop("upload", None)
            form.fail("certificate_file", "The certificate is no longer kept: choose it again")
            return None

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

    @get("/{credit_id:uuid}/verification")
    async def verification_status(
        self,
        request: Request[Any, Any, Any],
        use_cases: NamedDependency[UseCases],
        credit_id: FromPath[UUID],
    ) -> Template:
        """The credit's verification alone (the credit page polls it while it is pending)."""
        view = await _my_credit(request, use_cases, credit_id)
        return Template(
            template_name="credits/verification.html",
            context={"credit": view.credit, "has_certificate": bool(view.certificates)},
        )

    async def _credit_page(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        credit_id: UUID,
        *,
        status: int = 200,
        **forms: Form,
    ) -> Template:
        """The credit's page; ``forms`` (by prefix: amend, retract, attach) come back refused."""
        view = await _my_credit(request, use_cases, credit_id)
        return await page(
            request,
            "credits/credit.html",
            partial="credits/changes.html",
            credit=view.credit,
            acceptance=view.acceptance,
            certificates=view.certificates,
            has_certificate=bool(view.certificates),
            recorded=request.query_params.get("recorded") == "1",
            amend=forms.get("amend") or details_form("amend", view.credit.details),
            retract=forms.get("retract") or Form("retract"),
            attach=forms.get("attach") or Form("attach"),
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
        details = credit_details(form, clock.today(request))
        reason = form.text("reason", "reason for the change", max_length=500)
        if details is not None:
            change = AmendCredit(details=details, reason=reason)
            await self._change(request, use_cases, credit_id, change, form)
        return await self._after(request, use_cases, credit_id, form, "amended")

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
        await self._change(request, use_cases, credit_id, RetractCredit(reason=reason), form)
        return await self._after(request, use_cases, credit_id, form, "retracted")

    async def _change(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        credit_id: UUID,
        change: AmendCredit | RetractCredit,
        form: Form,
    ) -> None:
        """Run the change if the form has no problems (a refusal is put on the form)."""
        command = ChangeCredit(
            person_id=principal(request).person_id, credit_id=credit_id, change=change
        )
        await submit(form, use_cases, credit_use_cases.change_credit, command, field=credit_field)

    async def _after(
        self,
        request: Request[Any, Any, Any],
        use_cases: UseCases,
        credit_id: UUID,
        form: Form,
        notice: str,
    ) -> Response[Any]:
        """On to the credit's page with ``notice`` when ``form``'s change was made, else its
        page again with the refused form."""
        if form.ok:
            return see_other(request, f"/credits/{credit_id}", notice=notice)
        return await self._credit_page(
            request, use_cases, credit_id, status=422, **{form.prefix: form}
        )

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
            certificates = await _inspect(form, files, blobs, settings_of(state).max_upload_bytes)
            await submit(
                form,
                use_cases,
                certificate_use_cases.attach_certificates,
                AttachCertificates(
                    person_id=principal(request).person_id,
                    credit_id=credit_id,
                    certificates=certificates,
                ),
                field="certificate_file",
            )
        finally:
            await _close(files)
        return await self._after(request, use_cases, credit_id, form, "certificate-added")


async def _my_credit(
    request: Request[Any, Any, Any], use_cases: UseCases, credit_id: UUID
) -> CreditView:
    """The signed-in member's own credit ``credit_id``, as its page shows it."""
    return await use_cases.run(
        credit_use_cases.view_credit,
        CreditQuery(person_id=principal(request).person_id, credit_id=credit_id),
    )
