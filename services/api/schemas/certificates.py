"""Certificate files and their verification as answered: an upload's receipt, a person's
certificates (``StoredCertificate``, the read model's view) and the review queue (the queue's
own views: they hold no domain struct)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from services.core.certificates.views import StoredCertificate
from services.core.reviews.queue import ReviewItem, ReviewPage


class CertificateReceipt(msgspec.Struct, frozen=True, kw_only=True):
    certificate: StoredCertificate
    duplicate_of: UUID | None = None
    """Set when the person already had this very file: the existing certificate, reported
    instead of storing it twice."""


__all__ = ["CertificateReceipt", "ReviewItem", "ReviewPage", "StoredCertificate"]
