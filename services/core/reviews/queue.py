"""The review queue: the organisation's certificates of one verification status (needs review by
default), oldest upload first, each with its person and the credit it was declared for.

Pages are keyset-paginated on (upload time, certificate id), which never change: a reviewer
who decides certificates while paging neither repeats nor skips one that is still queued.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from domain.credits.credit import VerificationStatus
from domain.credits.verification import ExtractedFields, ReviewReason, explained
from services.core.certificates import views as certificate_views
from services.core.certificates.views import StoredCertificate
from services.core.credits import views as credit_views
from services.core.db import Tx
from services.core.projections.certificates import ROW_JSON
from services.core.projections.folded import copied
from services.core.staff.listing import InvalidCursor, decode_cursor, encode_cursor


class ReviewPerson(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    full_name: str
    department: str | None
    site: str | None


class ReviewItem(msgspec.Struct, frozen=True, kw_only=True):
    """A certificate with where its verification stands, whose it is and what it should prove."""

    certificate: StoredCertificate
    person: ReviewPerson
    declared: credit_views.Credit | None
    """The credit the certificate was uploaded for (None: uploaded on its own)."""


class ReviewPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ReviewItem]
    next_cursor: str | None
    """Pass as ``cursor`` for the next page; None on the last page."""


_ITEMS = f"""
SELECT {ROW_JSON} AS certificate, p.full_name, p.department, p.site, cr.state::text AS credit
FROM certificates c
JOIN people p ON p.tenant_id = c.tenant_id AND p.person_id = c.person_id
LEFT JOIN credits cr ON cr.tenant_id = c.tenant_id AND cr.credit_id = c.credit_id
WHERE c.tenant_id = $1
"""  # noqa: S608 (ROW_JSON is a constant)
_PAGE = (
    _ITEMS
    + """  AND c.status = $2
  AND ($3::timestamptz IS NULL OR (c.uploaded_at, c.certificate_id) > ($3, $4::uuid))
ORDER BY c.uploaded_at, c.certificate_id
LIMIT $5
"""
)


async def review_page(
    tx: Tx, *, status: VerificationStatus, limit: int, cursor: str | None = None
) -> ReviewPage:
    """Up to ``limit`` certificates with ``status`` uploaded after ``cursor``, oldest first.
    Raises ``InvalidCursor`` for a cursor this list did not return."""
    after: tuple[datetime | None, UUID | None] = (None, None)
    if cursor:
        uploaded_at, certificate_id = decode_cursor(cursor)
        try:
            after = (datetime.fromisoformat(uploaded_at), certificate_id)
        except ValueError as exc:
            raise InvalidCursor("the cursor is not one this list returned") from exc
    rows = await tx.pg.fetch(_PAGE, tx.require_tenant(), status, *after, limit + 1)
    items = [_item(row) for row in rows[:limit]]
    last = items[-1].certificate if items and len(rows) > limit else None
    return ReviewPage(
        items=items,
        next_cursor=None
        if last is None
        else encode_cursor(last.uploaded_at.isoformat(), last.certificate_id),
    )


async def review_item(tx: Tx, certificate_id: UUID) -> ReviewItem | None:
    """One certificate of the organisation with its person and declared credit, or None."""
    row = await tx.pg.fetchrow(
        _ITEMS + " AND c.certificate_id = $2", tx.require_tenant(), certificate_id
    )
    return None if row is None else _item(row)


def _item(row: asyncpg.Record) -> ReviewItem:
    """The row as an item whose every reason shows the words on the certificate behind it
    (reasons recorded before reasons carried them get them from the fields read)."""
    certificate = msgspec.json.decode(row["certificate"], type=StoredCertificate)
    reasons = explained(
        copied(certificate.reasons, tuple[ReviewReason, ...]),
        copied(certificate.fields, ExtractedFields | None),
    )
    certificate = msgspec.structs.replace(
        certificate, reasons=copied(reasons, tuple[certificate_views.ReviewReason, ...])
    )
    credit = row["credit"]
    return ReviewItem(
        certificate=certificate,
        person=ReviewPerson(
            person_id=certificate.person_id,
            full_name=row["full_name"],
            department=row["department"],
            site=row["site"],
        ),
        declared=None if credit is None else msgspec.json.decode(credit, type=credit_views.Credit),
    )
