"""Certificate files of a person ``{person_id}``: upload, list, download.

Who may: the same rules as the person's record (``policy.authorise_person``): the person
themself and owners and admins upload; they and auditors list and download; anyone else gets
403, and a person of another organisation does not exist (404, by RLS). Every download is
recorded in the organisation's history (``audits.CertificateDownloaded``) before the file is sent.

Uploads are multipart (field ``file``, optional ``credit_id``). The body is streamed by Litestar
into a temporary file under a per-route body limit of ``max_upload_bytes`` plus the multipart
envelope; the file itself is then hashed, counted (413 past ``max_upload_bytes``) and checked by
content (415 if not a PDF, PNG or JPEG; 422 if cut short or empty) before anything is stored.
"""

from __future__ import annotations

from typing import Annotated, Any, cast
from uuid import UUID

from litestar import Controller, Request, Router, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, FromPath
from litestar.response import Response, Stream

from services.api.application import settings_of
from services.api.files import certificate_stream
from services.api.schemas import from_view
from services.api.schemas.certificates import (
    CertificateReceipt,
    CertificateUpload,
    StoredCertificate,
)
from services.api.use_cases import member_actor
from services.core.application import UseCases
from services.core.blobs import BlobStore, build_blob_store
from services.core.certificates import handlers as certificate_handlers
from services.core.certificates import use_cases as certificate_use_cases
from services.core.certificates.files import CertificateFile
from services.core.certificates.use_cases import FetchCertificate, UploadCertificate
from services.core.policy import authorise_person
from services.core.settings import Settings

ENVELOPE_BYTES = 64 * 1024
"""Room in the request body limit for the multipart boundaries, part headers and ``credit_id``."""


def requires_record_writer(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Refuse before the body is read: only those who may change the person's record upload
    (the use case checks again)."""
    request = cast("Request[Any, Any, Any]", connection)  # HTTP routes guard their request
    authorise_person(member_actor(request), connection.path_params["person_id"], write=True)


class CertificateController(Controller):
    path = "/api/v1/people/{person_id:uuid}/certificates"
    tags = ("certificates",)

    @post(
        "",
        guards=[requires_record_writer],
        status_code=201,
        responses={200: ResponseSpec(CertificateReceipt, description="A duplicate upload")},
    )
    async def upload(
        self,
        state: State,
        use_cases: NamedDependency[UseCases],
        blobs: NamedDependency[BlobStore],
        person_id: FromPath[UUID],
        data: Annotated[CertificateUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[CertificateReceipt]:
        """Upload a certificate file (PDF, PNG or JPEG, checked by content; size limited).
        201 with the new certificate; 200 with ``duplicate_of`` if the person already has it."""
        settings: Settings = settings_of(state)
        try:
            inspected = await certificate_handlers.inspect_upload(
                data.file.file, max_bytes=settings.max_upload_bytes
            )
            uploaded = await use_cases.run(
                certificate_use_cases.upload_certificate,
                UploadCertificate(
                    person_id=person_id,
                    credit_id=data.credit_id,
                    file=CertificateFile(
                        filename=data.file.filename, source=data.file.file, inspected=inspected
                    ),
                    blobs=blobs,
                ),
            )
        finally:
            await data.file.close()
        stored = uploaded.certificate
        return Response(
            CertificateReceipt(
                certificate=from_view(stored, StoredCertificate),
                duplicate_of=stored.certificate_id if uploaded.duplicate else None,
            ),
            status_code=200 if uploaded.duplicate else 201,
        )

    @get("")
    async def list_certificates(
        self, use_cases: NamedDependency[UseCases], person_id: FromPath[UUID]
    ) -> list[StoredCertificate]:
        """The person's certificate files, newest first."""
        certificates = await use_cases.run(certificate_use_cases.list_certificates, person_id)
        return from_view(certificates, list[StoredCertificate])

    @get(
        "/{certificate_id:uuid}/file",
        responses={200: ResponseSpec(bytes, description="The file, as uploaded")},
    )
    async def download(
        self,
        use_cases: NamedDependency[UseCases],
        blobs: NamedDependency[BlobStore],
        person_id: FromPath[UUID],
        certificate_id: FromPath[UUID],
    ) -> Stream:
        """The certificate's file with its content type; the download is recorded."""
        fetched = await use_cases.run(
            certificate_use_cases.fetch_certificate,
            FetchCertificate(person_id=person_id, certificate_id=certificate_id, blobs=blobs),
        )
        return certificate_stream(fetched.certificate, fetched.chunks, "attachment")


def certificate_routes(settings: Settings, blobs: BlobStore | None = None) -> Router:
    """The certificate endpoints with their own body limit (``max_upload_bytes`` plus the
    multipart envelope) and the blob store (``settings.blob_backend`` unless given)."""
    store = blobs or build_blob_store(settings)
    return Router(
        path="/",
        route_handlers=[CertificateController],
        request_max_body_size=settings.max_upload_bytes + ENVELOPE_BYTES,
        dependencies={"blobs": Provide(lambda: store, sync_to_thread=False)},
    )
