"""The review use cases: the queue, one certificate's outcome, showing its file, and a
reviewer's decision.

Owners and admins work the queue and decide; auditors read the queue and any certificate; a
member reads the outcome of their own certificates. A certificate of another organisation does
not exist (``NotFound``).

A decision is the one action that needs two transactions: nobody decides a certificate of their
own record, and such an attempt is recorded although the refused transaction rolls back.
``review_certificate`` therefore takes the ``UseCases`` runner and runs ``decide_certificate``,
then, on ``OwnRecordReview``, ``record_refused_review``, each in its own unit of work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import msgspec

from domain.credits.certificate import OwnRecordReview, ReviewCertificate, ReviewDecision
from domain.credits.credit import VerificationStatus
from domain.credits.verification import ExtractedFields
from services.core.application import AccessDenied, NotFound, UnitOfWork, UseCases
from services.core.billing.standing import require_employer_features
from services.core.blobs import BlobStore, blob_key
from services.core.certificates import handlers as certificate_handlers
from services.core.certificates import verification as verification
from services.core.certificates.views import StoredCertificate
from services.core.policy import READERS, authorise_person, require_role
from services.core.projections.folded import copied
from services.core.reviews import queue as review_queries
from services.core.reviews.queue import ReviewItem, ReviewPage

REVIEWERS = ("owner", "admin")


class ReviewQueue(msgspec.Struct, frozen=True, kw_only=True):
    """A page of the certificates of one status (``cursor``: from the previous page)."""

    status: VerificationStatus = "needs_review"
    limit: int = 50
    cursor: str | None = None


class UnderReview(msgspec.Struct, frozen=True, kw_only=True):
    """A certificate as a reviewer sees it, and the next one waiting for review, if any."""

    item: ReviewItem
    following: ReviewItem | None


class DecideCertificate(msgspec.Struct, frozen=True, kw_only=True):
    """Approve or reject certificate ``certificate_id`` (see ``ReviewCertificate``).

    ``fields``: the fields as they should read, None to decide on those on record. With
    ``fields_as_edited`` they are the whole form as the reviewer left it, a correction only
    where they differ from those on record (the order of credit types is no correction)."""

    certificate_id: UUID
    decision: ReviewDecision
    reason: str = ""
    fields: ExtractedFields | None = None
    fields_as_edited: bool = False


@dataclass(frozen=True, slots=True)
class OpenCertificateFile:
    certificate_id: UUID
    blobs: BlobStore


@dataclass(frozen=True, slots=True)
class CertificateFile:
    certificate: StoredCertificate
    chunks: Iterator[bytes]


async def item_of(uow: UnitOfWork, certificate_id: UUID) -> ReviewItem:
    """The certificate with its person and declared credit (``NotFound`` when none)."""
    found = await review_queries.review_item(uow.tx, certificate_id)
    if found is None:
        raise NotFound("no such certificate in this organisation")
    return found


async def review_queue(uow: UnitOfWork, query: ReviewQueue) -> ReviewPage:
    """The certificates of one status, oldest upload first, each with its person, the credit
    declared, the fields read, the reasons and each body's acceptance. An unknown cursor is an
    ``InvalidCursor``."""
    require_role(uow.actor, *READERS)
    return await review_queries.review_page(
        uow.tx, status=query.status, limit=query.limit, cursor=query.cursor
    )


async def certificate_outcome(uow: UnitOfWork, certificate_id: UUID) -> ReviewItem:
    """Where a certificate's verification stands: status, reasons, what was read, who decided.
    The person themself, owners, admins and auditors."""
    found = await item_of(uow, certificate_id)
    authorise_person(uow.actor, found.person.person_id, write=False)
    return found


async def certificate_under_review(uow: UnitOfWork, certificate_id: UUID) -> UnderReview:
    """The certificate for the review page, and the next certificate needing review."""
    require_role(uow.actor, *READERS)
    item = await item_of(uow, certificate_id)
    waiting = await review_queries.review_page(uow.tx, status="needs_review", limit=2)
    following = next(
        (w for w in waiting.items if w.certificate.certificate_id != certificate_id), None
    )
    return UnderReview(item=item, following=following)


async def open_certificate_file(uow: UnitOfWork, command: OpenCertificateFile) -> CertificateFile:
    """The certificate's file to show a reader, recorded as a download
    (``audits.CertificateDownloaded``) before it is sent."""
    require_role(uow.actor, *READERS)
    found = (await item_of(uow, command.certificate_id)).certificate
    await certificate_handlers.record_download(
        uow,
        user_id=_member(uow),
        person_id=found.person_id,
        certificate_id=command.certificate_id,
        sha256=found.sha256,
    )
    key = blob_key(uow.actor.tenant_id, found.sha256)
    chunks = await asyncio.to_thread(command.blobs.open, key)
    return CertificateFile(certificate=found, chunks=chunks)


def _member(uow: UnitOfWork) -> UUID:
    """The acting member's user id (the system is no member)."""
    if uow.actor.user_id is None:
        raise AccessDenied("only a member may do this")
    return uow.actor.user_id


def _review_command(
    uow: UnitOfWork, command: DecideCertificate, on_record: StoredCertificate
) -> ReviewCertificate:
    """The domain command of ``command`` by the acting member, its fields a correction of
    the fields ``on_record``."""
    person_id = uow.actor.person_id
    if person_id is None:
        raise AccessDenied("only a member with a staff record may review")
    fields = command.fields
    if command.fields_as_edited and fields is not None:
        fields = corrected(fields, copied(on_record.fields, ExtractedFields | None))
    return ReviewCertificate(
        reviewer_id=_member(uow),
        reviewer_person_id=person_id,
        decision=command.decision,
        reason=command.reason,
        corrected_fields=fields,
    )


def corrected(edited: ExtractedFields, recorded: ExtractedFields | None) -> ExtractedFields | None:
    """``edited`` when it corrects ``recorded``, else None (neither the order in which credit
    types are listed nor the words each field was read from, which a form does not show, is a
    correction). A correction keeps the words of the fields it leaves as they were read."""
    before = recorded or ExtractedFields()

    def plain(fields: ExtractedFields) -> ExtractedFields:
        return msgspec.structs.replace(
            fields, credit_types=tuple(sorted(fields.credit_types)), evidence={}
        )

    if plain(edited) == plain(before):
        return None
    kept = {
        name: words
        for name, words in before.evidence.items()
        if getattr(edited, name, None) == getattr(before, name, None)
    }
    return msgspec.structs.replace(edited, evidence=kept)


async def decide_certificate(uow: UnitOfWork, command: DecideCertificate) -> ReviewItem:
    """Record an owner's or admin's decision on the certificate and on the credit it was
    declared for (correcting the fields first, if given); the certificate as it now stands.
    Refusals: those of ``handlers.verification.decide_review``, among them ``OwnRecordReview``
    (which ``review_certificate`` records)."""
    require_role(uow.actor, *REVIEWERS)
    await require_employer_features(uow)
    item = await item_of(uow, command.certificate_id)
    await verification.decide_review(
        uow.command(),
        uow.settings,
        command.certificate_id,
        _review_command(uow, command, item.certificate),
    )
    return await item_of(uow, command.certificate_id)


async def record_refused_review(uow: UnitOfWork, command: DecideCertificate) -> None:
    """Record that the acting member tried to decide a certificate of their own record."""
    item = await item_of(uow, command.certificate_id)
    await verification.record_refused_review(
        uow.command(), command.certificate_id, _review_command(uow, command, item.certificate)
    )


async def review_certificate(use_cases: UseCases, command: DecideCertificate) -> ReviewItem:
    """``decide_certificate`` in a unit of work of its own; an ``OwnRecordReview`` refusal is
    recorded (``record_refused_review``) in a second one, after the first rolled back, and
    raised."""
    try:
        return await use_cases.run(decide_certificate, command)
    except OwnRecordReview:
        await use_cases.run(record_refused_review, command)
        raise
