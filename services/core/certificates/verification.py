"""Certificate verification (stream ``certificate-<id>``): the worker's reading of a certificate
and the reviewers' decisions.

Every outcome is recorded on the certificate and, when the certificate was uploaded for a
credit, as that credit's verification status (``credit-<id>``: verified, needs review with the
reasons as note, rejected), in the caller's transaction, so the two never disagree. A retracted
credit keeps its status.

The worker reads the file (PDF text layer, else OCR) and finds the fields in a child process
killed at ``Settings.verification_read_limit_s`` (``services.core.reading.process``), which
also inspects the file it has open for signs of alteration (``reading.tamper``), looks the
printed provider up (seed directory, the organisation's own entries, the configured HTTP
directory) and assesses the certificate against the person and the declared credit
(``domain.credits.verification.assess``). A certificate that is no longer pending (decided by
the worker before, or by a reviewer) is not read again.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date
from typing import NamedTuple
from uuid import UUID

import msgspec
import structlog

from domain.audits.operations import ReviewRefused
from domain.credits import certificate
from domain.credits.certificate import (
    Certificate,
    CertificateNotUploaded,
    OwnRecordReview,
    ReviewCertificate,
)
from domain.credits.credit import Credit, RecordVerification
from domain.credits.verification import (
    NO_SIGNALS,
    Assessment,
    CertificateNeedsReview,
    CertificateRejected,
    CertificateVerified,
    ExtractedFields,
    ReviewReason,
    Signals,
    TextReading,
    assess,
    colleague_words,
    open_windows,
)
from domain.people.person import Person, PersonNotRegistered
from domain.shared.event import Event, fold
from services.core.aggregates import CERTIFICATE, CREDIT, PERSON
from services.core.blobs import BlobStore, blob_key
from services.core.certificates.drafts import kept_reading
from services.core.credits.handlers import change_credit
from services.core.db import Tx
from services.core.directory.lookup import build_provider_lookup
from services.core.eventsourcing.commands import CommandContext, record_fact
from services.core.eventsourcing.store import EventStore, RecordedEvent
from services.core.people.queries import colleagues_names
from services.core.projections.providers import tenant_providers
from services.core.reading.process import read_in_child
from services.core.settings import Settings
from services.core.stream_ids import (
    access_stream,
    certificate_stream,
)

log = structlog.get_logger("cmeledger.verification")


async def verify_certificate(
    context: CommandContext[Tx], blobs: BlobStore, settings: Settings, certificate_id: UUID
) -> list[RecordedEvent]:
    """Read (or take the reading kept when the person chose the file, unless it met a problem),
    assess and record the worker's outcome for a pending certificate; return what was recorded
    (nothing for a certificate already decided).

    Refusals: ``CertificateNotUploaded``; ``PersonNotRegistered``; ``BlobNotFound`` when the
    file is missing from blob storage."""
    tx, store = context.tx, context.store
    found, uploaded_on = await _uploaded(tx, store, certificate_id)
    log.info("certificate verification started", certificate_id=str(certificate_id))
    if found.verification != "pending":
        log.info(
            "certificate verification finished",
            certificate_id=str(certificate_id),
            outcome="already_decided",
            status=found.verification,
        )
        return []
    holder, declared = await _subject(tx, store, found)
    key = blob_key(tx.require_tenant(), found.sha256)
    data = await asyncio.to_thread(lambda: b"".join(blobs.open(key)))
    kept = await kept_reading(tx, found.sha256)
    if kept is not None and kept.text.problem is not None:
        kept = None  # read with the verification's own limits, on a less busy moment
    read = kept or await read_in_child(
        data, found.media_type, limit_s=settings.verification_read_limit_s
    )
    subject = _Subject(holder, declared, uploaded_on)
    assessment = await _assess(tx, settings, subject, read.text, read.fields, read.signals)
    decide = certificate.decide_worker_outcome
    recorded = await CERTIFICATE.execute(context, certificate_id, decide, assessment)
    await _record_on_credit(context, recorded, declared)
    log.info(
        "certificate verification finished",
        certificate_id=str(certificate_id),
        outcome=assessment.outcome if recorded else "already_decided",
        reasons=[r.code for r in assessment.reasons],
        signals=[s.kind for s in read.signals.signals],
        text_source=read.text.source,
        read_again=kept is None,
        confidence=round(read.text.confidence, 3),
    )
    return recorded


async def record_refused_review(
    context: CommandContext[Tx], certificate_id: UUID, command: ReviewCertificate
) -> None:
    """Record that ``command`` was refused as a review of the reviewer's own record
    (``audits.ReviewRefused`` on the reviewer's access stream). Call it in a transaction after
    the refused one rolled back."""
    tx, store = context.tx, context.store
    found = await _certificate(tx, store, certificate_id)
    await record_fact(
        tx,
        store,
        access_stream(command.reviewer_id),
        ReviewRefused(
            user_id=command.reviewer_id,
            certificate_id=certificate_id,
            person_id=found.person_id,
            decision=command.decision,
            refusal=OwnRecordReview.code,
        ),
        event_id=context.derive("refusal").command_id,
        metadata=context.metadata,
    )


async def decide_review(
    context: CommandContext[Tx],
    settings: Settings,
    certificate_id: UUID,
    command: ReviewCertificate,
) -> list[RecordedEvent]:
    """Record a reviewer's decision (see ``ReviewCertificate``; its ``assessment`` is made here
    of the fields approved: the corrected ones, else those on record) and the credit's status.

    Refusals: those of ``decide_review_certificate``, ``CertificateNotUploaded``,
    ``PersonNotRegistered``, and ``OwnRecordReview``, which the caller records
    (``record_refused_review``) once this transaction rolled back."""
    tx, store = context.tx, context.store
    found, uploaded_on = await _uploaded(tx, store, certificate_id)
    fields = command.corrected_fields or found.fields
    holder, declared = await _subject(tx, store, found)
    if command.decision == "approve" and fields is not None:
        subject = _Subject(holder, declared, uploaded_on)
        assessment = await _assess(tx, settings, subject, None, fields, NO_SIGNALS)
        command = msgspec.structs.replace(command, assessment=assessment)
    decide = certificate.decide_review_certificate
    recorded = await CERTIFICATE.execute(context, certificate_id, decide, command)
    await _record_on_credit(context, recorded, declared)
    return recorded


async def _certificate(tx: Tx, store: EventStore, certificate_id: UUID) -> Certificate:
    found, _ = await _uploaded(tx, store, certificate_id)
    return found


async def _uploaded(tx: Tx, store: EventStore, certificate_id: UUID) -> tuple[Certificate, date]:
    """The certificate and the day it was uploaded (its first event's)."""
    history = await store.read_stream(tx, certificate_stream(certificate_id))
    found = fold(certificate.evolve, map(store.decode, history))
    if found is None:
        raise CertificateNotUploaded(f"no certificate {certificate_id} was uploaded")
    return found, history[0].recorded_at.astimezone(UTC).date()


class _Subject(NamedTuple):
    """Whom and what a certificate is assessed for: the person, the credit it was uploaded for
    (None: uploaded alone) and the day it was uploaded."""

    holder: Person
    declared: Credit | None
    uploaded_on: date


async def _subject(tx: Tx, store: EventStore, found: Certificate) -> tuple[Person, Credit | None]:
    """The certificate's person and the credit it was uploaded for (None: uploaded alone)."""
    holder = await PERSON.load(tx, store, found.person_id)
    if holder is None:
        raise PersonNotRegistered(f"no person {found.person_id} is registered")
    if found.credit_id is None:
        return holder, None
    return holder, await CREDIT.load(tx, store, found.credit_id)


async def _assess(
    tx: Tx,
    settings: Settings,
    subject: _Subject,
    reading: TextReading | None,
    fields: ExtractedFields,
    signals: Signals,
) -> Assessment:
    """``assess`` the fields for ``subject``: the CE windows are those open on the upload day,
    so a certificate is judged as of its upload however late it is read or reviewed; the
    printed name, when it names the holder, is weighed against the names of the organisation's
    other people that share a word with it."""
    provider = None
    if fields.provider is not None:
        lookup = build_provider_lookup(settings, await tenant_providers(tx))
        provider = await lookup.find(fields.provider)
    holder, declared = subject.holder, subject.declared
    thresholds = settings.verification_thresholds
    shared = colleague_words(reading, fields, holder.full_name, thresholds)
    return assess(
        reading,
        fields,
        declared=declared.details if declared is not None else None,
        person_name=holder.full_name,
        bodies=[held.body for held in holder.credentials],
        provider=provider,
        thresholds=thresholds,
        uploaded_on=subject.uploaded_on,
        windows=open_windows(holder, subject.uploaded_on),
        signals=signals,
        colleagues=await colleagues_names(tx, holder.person_id, shared),
    )


async def _record_on_credit(
    context: CommandContext[Tx], recorded: list[RecordedEvent], declared: Credit | None
) -> None:
    """Give the declared credit the status of the outcome in ``recorded``, if there is one."""
    outcomes = [v for v in map(_credit_verification, map(context.store.decode, recorded)) if v]
    if declared is None or declared.retracted or not outcomes:
        return
    await change_credit(context.derive("credit"), declared.credit_id, outcomes[-1])


def _credit_verification(event: Event) -> RecordVerification | None:
    """The status an outcome event gives the credit the certificate was declared for."""
    match event:
        case CertificateVerified(note=note):
            return RecordVerification(status="verified", note=note)
        case CertificateNeedsReview(reasons=reasons):
            return RecordVerification(status="needs_review", note=_sentences(reasons))
        case CertificateRejected(reasons=reasons):
            return RecordVerification(status="rejected", note=_sentences(reasons))
    return None


def _sentences(reasons: tuple[ReviewReason, ...]) -> str:
    return "; ".join(reason.message for reason in reasons)
