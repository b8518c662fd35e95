"""How files are sent: a stored certificate file streamed from the blob store with its content
type, length and a name made of its id (never the uploader's file name); an export as a
download."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from litestar.response import Response, Stream

from domain.credits.certificate import EXTENSIONS
from services.core.certificates.views import StoredCertificate


def download(content: bytes, filename: str, media_type: str | None = None) -> Response[bytes]:
    """``content`` as a file to save under ``filename``, of ``media_type`` (default: the
    route's)."""
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def certificate_stream(
    certificate: StoredCertificate,
    chunks: Iterator[bytes],
    disposition: Literal["inline", "attachment"],
) -> Stream:
    """``chunks`` of ``certificate`` as a response: ``inline`` to show in a page, ``attachment``
    to download. The browser does not guess another type from the content."""
    name = f"certificate-{certificate.certificate_id}{EXTENSIONS[certificate.media_type]}"
    return Stream(
        chunks,
        media_type=certificate.media_type,
        headers={
            "content-disposition": f'{disposition}; filename="{name}"',
            "content-length": str(certificate.size_bytes),
            "x-content-type-options": "nosniff",
        },
    )
