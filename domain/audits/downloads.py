"""Downloads recorded in each tenant's chain: who fetched which certificate file.

Recorded on the downloading member's access stream (``access-<user id>``), next to their
sign-ins, before the file is sent.
"""

from __future__ import annotations

from uuid import UUID

from domain.shared.event import Event


class CertificateDownloaded(Event, frozen=True, kw_only=True, tag="audits.CertificateDownloaded"):
    user_id: UUID
    certificate_id: UUID
    person_id: UUID
    sha256: str


DOWNLOAD_EVENTS: list[type[Event]] = [CertificateDownloaded]
