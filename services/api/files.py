"""How a stored certificate file is sent: streamed from the blob store with its content type,
length and a name made of its id (never the uploader's file name)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from litestar.response import Stream

from domain.credits.certificate import EXTENSIONS
from services.core.certificates.views import StoredCertificate


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
