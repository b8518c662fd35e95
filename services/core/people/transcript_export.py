"""The transcript export use case: one person's credits and obligations as CSV or PDF, for an
auditor to take away. Those who may read the record may export it; each export is recorded in
the organisation's chain (``audits.TranscriptExported``) before the file is made."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.audits.exports import ExportFormat, Period, TranscriptExported
from domain.people.credentials import Body
from services.core.application import AccessDenied, UnitOfWork
from services.core.documents import Verification, file_name
from services.core.organisation.queries import organisation_name
from services.core.people import queries, transcripts
from services.core.people.use_cases import person_of
from services.core.policy import authorise_person
from services.core.projections.certificates import certificates_of


class ExportTranscript(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    format: ExportFormat
    body: Body | None = None
    """Only this body's obligations (None: every body)."""
    period: Period | None = None
    """Only the current or the previous period (None: both)."""


class Transcript(msgspec.Struct, frozen=True, kw_only=True):
    filename: str
    content: bytes


async def export_transcript(uow: UnitOfWork, command: ExportTranscript) -> Transcript:
    """The person's transcript in ``command.format``, filtered by body and period; the export
    is on record before the file is made."""
    authorise_person(uow.actor, command.person_id, write=False)
    user_id = uow.actor.user_id
    if user_id is None:
        raise AccessDenied("only members export transcripts")
    now = uow.now()
    person = await person_of(uow, command.person_id)
    credits = await queries.my_credits(uow.tx, command.person_id)
    obligations = [
        o
        for o in await queries.my_obligations(uow.tx, command.person_id, today=now.date())
        if command.body in (None, o.body) and command.period in (None, o.period)
    ]
    organisation = await organisation_name(uow.tx)
    await uow.record_access(
        user_id,
        TranscriptExported(
            user_id=user_id,
            person_id=command.person_id,
            format=command.format,
            body=command.body,
            period=command.period,
        ),
    )
    certified = frozenset(
        c.credit_id
        for c in await certificates_of(uow.tx, command.person_id)
        if c.credit_id is not None
    )
    if command.format == "csv":
        content = transcripts.to_csv(person, credits, obligations, certified=certified).encode()
    else:
        seq, head = await uow.store.head(uow.tx)
        content = transcripts.to_pdf(
            person,
            credits,
            obligations,
            organisation=organisation,
            generated_at=now,
            verification=Verification(seq, head),
            certified=certified,
        )
    return Transcript(
        filename=file_name("transcript", person.full_name, now.date(), command.format),
        content=content,
    )
