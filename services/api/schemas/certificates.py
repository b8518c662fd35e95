"""Certificate files and their verification as answered: an upload's receipt, a person's
certificates (``StoredCertificate``, the read model's view) and the review queue (its
``ReviewPerson`` is the queue's own view: it holds no domain struct)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from services.api.schemas.credits import Credit
from services.core.certificates.views import StoredCertificate
from services.core.reviews.queue import ReviewPerson


class CertificateReceipt(msgspec.Struct, frozen=True, kw_only=True):
    certificate: StoredCertificate
    duplicate_of: UUID | None = None
    """Set when the person already had this very file: the existing certificate, reported
    instead of storing it twice."""


class ReviewItem(msgspec.Struct, frozen=True, kw_only=True):
    """A certificate with where its verification stands, whose it is and what it should prove."""

    certificate: StoredCertificate
    person: ReviewPerson
    declared: Credit | None
    """The credit the certificate was uploaded for (None: uploaded on its own)."""


class ReviewPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ReviewItem]
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; None on the last page."""


__all__ = ["CertificateReceipt", "ReviewItem", "ReviewPage", "StoredCertificate"]
