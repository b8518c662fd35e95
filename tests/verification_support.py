"""Certificates to verify in tests: a generated certificate file (genuine or forged) and the
person and credit it should prove, recorded through the handlers as the API records them."""

from __future__ import annotations

import functools
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID, uuid4

import msgspec

from domain.compliance.cycles import Window
from domain.credits.credit import CreditDetails, RecordCredit
from domain.credits.providers import ProviderDirectory
from domain.credits.verification import (
    NO_SIGNALS,
    Assessment,
    ExtractedFields,
    Signals,
    TextReading,
    Thresholds,
    assess,
)
from domain.people.credentials import Body
from domain.people.person import AddCredential, RecordBirthMonth, RegisterPerson
from services.core.blobs import BlobStore
from services.core.certificates.handlers import inspect_upload, upload_certificate
from services.core.credits.handlers import record_credit
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore
from services.core.people.handlers import change_person, register_person
from tests.builders import credit_details
from tests.fixtures.certificates.generate import Forgery, Kind, Sample, build_corpus
from tests.fixtures.certificates.layouts import LAYOUTS

CORPUS_SEED = 11
SDMS_CERTIFICATE = (
    "Society of Diagnostic Medical Sonography",
    "Certificate of Completion",
    "This certifies that",
    "Dana K. Whitfield",
    "has completed",
    "Carotid duplex protocols",
    "Date of completion: April 14, 2026",
    "SDMS file number: 5012345",
)
"""The lines of an SDMS certificate made out to Dana K. Whitfield, without its credits and
statement."""


def judged_for_dana_whitfield(
    reading: TextReading, fields: ExtractedFields, credits: str, signals: Signals = NO_SIGNALS
) -> Assessment:
    """What the worker concludes for Dana K. Whitfield (ARDMS, in a CE window over 2025 and
    2026) declaring ``credits`` for a certificate completed on 14 April 2026 and uploaded on 26
    November 2026."""
    return assess(
        reading,
        fields,
        declared=credit_details(credits=Decimal(credits), completed_on=date(2026, 4, 14)),
        person_name="Dana K. Whitfield",
        bodies=("ARDMS",),
        provider=ProviderDirectory.with_tenant().find(fields.provider or ""),
        thresholds=Thresholds(),
        uploaded_on=date(2026, 11, 26),
        windows={"ARDMS": (Window(start=date(2025, 1, 1), end=date(2026, 12, 31)),)},
        signals=signals,
    )


def recent_days() -> tuple[date, date]:
    """Days of activities that count toward the current CE period of a person whose ARRT cycles
    run from ``cycle_birth_month()``: certificates are judged as of their upload, today."""
    today = datetime.now(UTC).date()
    return today - timedelta(days=200), today - timedelta(days=20)


def cycle_birth_month() -> int:
    """A birth month whose ARRT biennium in force today began before ``recent_days()``."""
    return (datetime.now(UTC).date() - timedelta(days=210)).month


def certificate_sample(
    layout: str = "asrt", forgery: Forgery | None = None, kind: Kind = "text_pdf"
) -> Sample:
    """A certificate of ``layout`` (a text-layer PDF, or as ``kind`` says), of an activity in
    ``recent_days()``: genuine, or forged as ``forgery`` says. Made once per process for the
    same choice however it is named, so two calls agree even across midnight."""
    return _certificate_sample(layout, forgery, kind)


@functools.cache
def _certificate_sample(layout: str, forgery: Forgery | None, kind: Kind) -> Sample:
    [chosen] = [candidate for candidate in LAYOUTS if candidate.name == layout]
    corpus = build_corpus(
        CORPUS_SEED,
        1,
        (kind,),
        forged_per_layout=5,
        layouts=[chosen],
        days=recent_days(),
    )
    return next(sample for sample in corpus if sample.forgery == forgery)


def declared_credit(sample: Sample) -> CreditDetails:
    """The credit the sample's owner declares for it."""
    declared = sample.declared
    return msgspec.convert(
        {
            "title": declared.title,
            "provider": declared.provider,
            "accrediting_organisation": declared.provider,
            "credit_types": declared.credit_types,
            "completed_on": declared.completion_date,
            "credits": declared.credits,
        },
        CreditDetails,
    )


class Uploaded(NamedTuple):
    person_id: UUID
    credit_id: UUID
    certificate_id: UUID


async def upload_sample(
    database: Database,
    store: EventStore,
    blobs: BlobStore,
    tenant: UUID,
    sample: Sample,
    *,
    body: Body = "ARRT",
    code: str = "R",
    full_name: str | None = None,
) -> Uploaded:
    """Register the sample's owner (holding ``body`` ``code``; named ``full_name``, else as the
    sample declares), record the credit they declare and upload the certificate for it."""
    person_id, credit_id = uuid4(), uuid4()
    name = full_name or sample.declared.participant_name
    assert name is not None
    async with database.transaction(tenant) as tx:
        await register_person(
            CommandContext(tx, store, uuid4()), RegisterPerson(person_id=person_id, full_name=name)
        )
        for command in (
            RecordBirthMonth(birth_month=cycle_birth_month()),  # ARRT cycles run from it
            AddCredential(body=body, code=code, earned_on=date(2019, 6, 1)),
        ):
            await change_person(CommandContext(tx, store, uuid4()), person_id, command)
        credit = RecordCredit(
            credit_id=credit_id, person_id=person_id, details=declared_credit(sample)
        )
        await record_credit(CommandContext(tx, store, uuid4()), credit)
    source = io.BytesIO(sample.data)
    inspected = await inspect_upload(source, max_bytes=10 * 1024 * 1024)
    async with database.transaction(tenant) as tx:
        uploaded = await upload_certificate(
            CommandContext(tx, store, uuid4()),
            blobs,
            person_id=person_id,
            credit_id=credit_id,
            filename=f"{sample.sample_id}.pdf",
            source=source,
            inspected=inspected,
        )
    return Uploaded(person_id, credit_id, uploaded.certificate.certificate_id)
