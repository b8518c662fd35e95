"""Certificate verification end to end on real PostgreSQL and RabbitMQ: upload -> relay -> the
``verify_certificate`` actor -> one outcome on the certificate and on its credit; duplicate
deliveries; permanent failures; the read models and their rebuild."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from dramatiq.brokers.rabbitmq import RabbitmqBroker

from domain.billing.account import Invoice, InvoiceObserved, SeatsPushed, TrialStarted
from domain.credits.certificate import ReviewCertificate
from domain.credits.providers import AddProvider
from domain.credits.waiver import RecordWaiver
from domain.people.person import DeactivatePerson, RegisterPerson
from services.core.application import Application
from services.core.blobs import FilesystemBlobStore
from services.core.certificates.verification import decide_review, verify_certificate
from services.core.credits.handlers import record_waiver
from services.core.db import Database
from services.core.directory.handlers import change_directory
from services.core.eventsourcing.commands import CommandContext, record_fact
from services.core.eventsourcing.store import EventStore, RecordedEvent
from services.core.people import queries
from services.core.people.handlers import deactivate_person, register_person
from services.core.projections import ProjectionRunner
from services.core.projections.certificates import StoredCertificate, certificate_by_id
from services.core.projections.providers import tenant_providers
from services.core.settings import Settings
from services.core.stream_ids import billing_stream, certificate_stream, credit_stream
from services.worker.broker import PermanentFailure
from services.worker.certificates import certificate_subscribers
from services.worker.relay import Relay
from services.worker.runtime import Job, Subscriptions, command_ids_from, message_id_for
from tests.billing_support import new_organisation
from tests.builders import new_credential_waiver
from tests.conftest import new_tenant
from tests.fixtures.certificates.generate import Forgery
from tests.integration.test_relay import drain
from tests.support import register
from tests.verification_support import Uploaded, certificate_sample, upload_sample

pytestmark = pytest.mark.integration
SUBSCRIPTIONS = Subscriptions({"credits.CertificateUploaded": ("verify_certificate",)})


@pytest.fixture(scope="module")
def blob_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("blobs")


@pytest.fixture(scope="module")
def worker_settings(migrated: Settings, blob_dir: Path) -> Settings:
    return msgspec.structs.replace(migrated, blob_dir=str(blob_dir))


@pytest.fixture(scope="module")
def broker_settings(worker_settings: Settings) -> Settings:
    return worker_settings


async def uploaded_in_new_tenant(
    database: Database, store: EventStore, blob_dir: Path, forgery: Forgery | None = None
) -> tuple[UUID, Uploaded]:
    tenant = new_tenant()
    await register(database, store, tenant)
    sample = certificate_sample(forgery=forgery)
    return tenant, await upload_sample(
        database, store, FilesystemBlobStore(blob_dir), tenant, sample
    )


async def certificate_events(
    database: Database, store: EventStore, tenant: UUID, certificate_id: UUID
) -> list[RecordedEvent]:
    async with database.transaction(tenant) as tx:
        return await store.read_stream(tx, certificate_stream(certificate_id))


async def stored(database: Database, tenant: UUID, certificate_id: UUID) -> StoredCertificate:
    async with database.transaction(tenant) as tx:
        found = await certificate_by_id(tx, certificate_id)
    assert found is not None
    return found


async def credit_verification(database: Database, tenant: UUID, uploaded: Uploaded) -> str:
    async with database.transaction(tenant) as tx:
        [credit] = await queries.my_credits(tx, uploaded.person_id)
    return credit.verification


async def test_a_genuine_certificate_is_verified_and_its_credit_with_it(
    database: Database, store: EventStore, blob_dir: Path, purged: RabbitmqBroker, queue: str
) -> None:
    tenant, uploaded = await uploaded_in_new_tenant(database, store, blob_dir)
    assert (await stored(database, tenant, uploaded.certificate_id)).status == "pending"

    assert await Relay(database, purged, SUBSCRIPTIONS).relay_tenant(tenant) > 0
    await drain(purged, queue)

    events = await certificate_events(database, store, tenant, uploaded.certificate_id)
    assert [e.event_type for e in events] == [
        "credits.CertificateUploaded",
        "credits.CertificateVerified",
    ]
    assert events[1].metadata["causation_id"] == str(events[0].event_id)
    certificate = await stored(database, tenant, uploaded.certificate_id)
    assert (certificate.status, certificate.decided_by, certificate.reasons) == (
        "verified",
        "worker",
        (),
    )
    assert certificate.fields is not None
    assert certificate.fields.title == certificate_sample().truth.title
    assert certificate.provider is not None
    assert any(a.body == "ARRT" and a.accepted for a in certificate.acceptance)
    assert await credit_verification(database, tenant, uploaded) == "verified"


async def test_a_certificate_made_out_to_someone_else_is_rejected_with_the_reason(
    database: Database, store: EventStore, blob_dir: Path, purged: RabbitmqBroker, queue: str
) -> None:
    tenant, uploaded = await uploaded_in_new_tenant(database, store, blob_dir, forgery="wrong_name")
    await Relay(database, purged, SUBSCRIPTIONS).relay_tenant(tenant)
    await drain(purged, queue)

    certificate = await stored(database, tenant, uploaded.certificate_id)
    assert certificate.status == "rejected"
    [mismatch] = [r for r in certificate.reasons if r.code == "made_out_to_another"]
    # The words on the certificate: the printed name's line (post-nominals included).
    assert certificate_sample(forgery="wrong_name").truth.participant_name in mismatch.evidence
    assert await credit_verification(database, tenant, uploaded) == "rejected"
    async with database.transaction(tenant) as tx:
        history = await store.read_stream(tx, credit_stream(uploaded.credit_id))
    assert mismatch.message in history[-1].data["note"]


async def test_a_scan_naming_a_colleague_one_letter_off_the_uploader_goes_to_review(
    database: Database, store: EventStore, blob_dir: Path, purged: RabbitmqBroker, queue: str
) -> None:
    """Two colleagues whose names are one letter apart: a scan made out to one, uploaded by the
    other, is not taken as the uploader's name misread by OCR."""
    tenant = new_tenant()
    await register(database, store, tenant)
    sample = certificate_sample(kind="scanned_pdf")
    printed = sample.truth.participant_name
    assert printed is not None
    first = printed.split()[0]
    assert len(first) >= 5  # a name OCR may misread a letter of
    uploader = printed.replace(first, f"{first[:2]}{'ae'[first[2] != 'a']}{first[3:]}", 1)
    blobs = FilesystemBlobStore(blob_dir)
    uploaded = await upload_sample(database, store, blobs, tenant, sample, full_name=uploader)
    await upload_sample(database, store, blobs, tenant, sample, full_name=printed)
    await Relay(database, purged, SUBSCRIPTIONS).relay_tenant(tenant)
    await drain(purged, queue)

    certificate = await stored(database, tenant, uploaded.certificate_id)
    assert certificate.status == "needs_review"
    assert [r.code for r in certificate.reasons] == ["name_mismatch"]
    assert "as close to another person's name" in certificate.reasons[0].message
    assert printed not in certificate.reasons[0].message
    async with database.transaction(tenant) as tx:
        history = await store.read_stream(tx, certificate_stream(uploaded.certificate_id))
    assert [r["message"] for r in history[-1].data["reasons"]] == [certificate.reasons[0].message]


async def test_the_names_weighed_against_the_holder_s_share_a_word_active_or_not(
    database: Database, store: EventStore
) -> None:
    """``colleagues_names`` reads the people, deactivated ones too, whose names share a word
    with the printed name (case and diacritics aside), and nothing for no words."""
    tenant = new_tenant()
    await register(database, store, tenant)
    people = {
        name: uuid4()
        for name in ("Dana Whitfield", "José Pérez", "Karen Whitfeld", "Robert Haynes")
    }
    async with database.transaction(tenant) as tx:
        for name, person_id in people.items():
            command = RegisterPerson(person_id=person_id, full_name=name)
            await register_person(CommandContext(tx, store, uuid4()), command)
        deactivate = DeactivatePerson(reason="left")
        await deactivate_person(
            CommandContext(tx, store, uuid4()),
            people["Karen Whitfeld"],
            deactivate,
            by_role="owner",
            now=datetime.now(UTC),
        )
    holder = people["Dana Whitfield"]
    async with database.transaction(tenant) as tx:
        assert await queries.colleagues_names(tx, holder, {"karen", "whitfield"}) == [
            "Karen Whitfeld"
        ]
        assert await queries.colleagues_names(tx, holder, {"jose", "smith"}) == ["José Pérez"]
        assert await queries.colleagues_names(tx, holder, {"dana", "whitfield"}) == []
        assert await queries.colleagues_names(tx, holder, set()) == []


async def test_a_message_delivered_twice_gives_one_outcome(
    database: Database, store: EventStore, blob_dir: Path, purged: RabbitmqBroker, queue: str
) -> None:
    tenant, uploaded = await uploaded_in_new_tenant(database, store, blob_dir)

    def crash(_tenant: UUID, _seq: int) -> None:
        raise RuntimeError("relay died before acknowledging")

    with pytest.raises(RuntimeError):
        await Relay(database, purged, SUBSCRIPTIONS, after_publish=crash).relay_tenant(tenant)
    await Relay(database, purged, SUBSCRIPTIONS).relay_tenant(tenant)  # the same message again
    await drain(purged, queue)

    events = await certificate_events(database, store, tenant, uploaded.certificate_id)
    assert [e.event_type for e in events][1:] == ["credits.CertificateVerified"]
    async with database.transaction(tenant) as tx:
        claimed = await tx.pg.fetch("SELECT message_id FROM actor_effects")
    assert [row["message_id"] for row in claimed] == [
        UUID(message_id_for(events[0].event_id, "verify_certificate"))
    ]
    async with database.transaction(tenant) as tx:
        credit_events = await store.read_stream(tx, credit_stream(uploaded.credit_id))
    assert [e.event_type for e in credit_events] == [
        "credits.CreditRecorded",
        "credits.CreditVerificationRecorded",
    ]


async def rejected_by_a_reviewer(
    database: Database,
    store: EventStore,
    settings: Settings,
    tenant: UUID,
    certificate_id: UUID,
    **rejection: Any,
) -> UUID:
    """A reviewer (someone new) rejects the certificate (``rejection``: its reason and any
    corrected fields); their id."""
    reviewer = uuid4()
    decision = ReviewCertificate(
        reviewer_id=reviewer, reviewer_person_id=reviewer, decision="reject", **rejection
    )
    async with database.transaction(tenant) as tx:
        await decide_review(CommandContext(tx, store, uuid4()), settings, certificate_id, decision)
    return reviewer


async def test_the_worker_leaves_a_reviewers_decision_alone(
    database: Database, store: EventStore, blob_dir: Path, worker_settings: Settings
) -> None:
    tenant, uploaded = await uploaded_in_new_tenant(database, store, blob_dir)
    reviewer = await rejected_by_a_reviewer(
        database, store, worker_settings, tenant, uploaded.certificate_id, reason="a photocopy"
    )
    async with database.transaction(tenant) as tx:
        recorded = await verify_certificate(
            CommandContext(tx, store, uuid4()),
            FilesystemBlobStore(blob_dir),
            worker_settings,
            uploaded.certificate_id,
        )
    assert recorded == []
    certificate = await stored(database, tenant, uploaded.certificate_id)
    assert (certificate.status, certificate.decided_by, certificate.reviewer_id) == (
        "rejected",
        "reviewer",
        reviewer,
    )
    assert [r.message for r in certificate.reasons] == ["a photocopy"]
    assert await credit_verification(database, tenant, uploaded) == "rejected"


async def test_a_job_whose_person_or_file_is_missing_fails_permanently(
    database: Database, store: EventStore, blob_dir: Path, worker_settings: Settings, tmp_path: Path
) -> None:
    tenant, uploaded = await uploaded_in_new_tenant(database, store, blob_dir)
    async with database.transaction(tenant) as tx:
        [event] = (await store.read_stream(tx, certificate_stream(uploaded.certificate_id)))[:1]
    job = Job(
        actor_name="verify_certificate", tenant_id=tenant, event_id=event.event_id, seq=event.seq
    )
    empty_store = FilesystemBlobStore(tmp_path)
    [subscriber] = certificate_subscribers(empty_store)
    application = Application(database, store, worker_settings)

    async def run(job: Job) -> None:
        ids = command_ids_from(UUID(job.message_id))
        await application.use_cases(job.actor, ids).run(subscriber.handler, job)

    with pytest.raises(PermanentFailure, match="BlobNotFound"):
        await run(job)
    with pytest.raises(PermanentFailure, match="no event"):
        await run(msgspec.structs.replace(job, seq=event.seq + 1))
    assert (await stored(database, tenant, uploaded.certificate_id)).status == "pending"


async def test_rebuild_reproduces_the_verification_and_directory_read_models(
    database: Database, store: EventStore, blob_dir: Path, worker_settings: Settings
) -> None:
    tenant, uploaded = await uploaded_in_new_tenant(
        database, store, blob_dir, forgery="altered_credits"
    )
    files = FilesystemBlobStore(blob_dir)
    async with database.transaction(tenant) as tx:
        await verify_certificate(
            CommandContext(tx, store, uuid4()), files, worker_settings, uploaded.certificate_id
        )
        await change_directory(
            CommandContext(tx, store, uuid4()), AddProvider(name="Harbourside Imaging Academy")
        )
    read = (await stored(database, tenant, uploaded.certificate_id)).fields
    assert read is not None
    corrected = msgspec.structs.replace(read, participant_name="Someone Else")
    await rejected_by_a_reviewer(
        database,
        store,
        worker_settings,
        tenant,
        uploaded.certificate_id,
        reason="made out to someone else",
        corrected_fields=corrected,
    )
    inline = await stored(database, tenant, uploaded.certificate_id)
    assert inline.correction is not None
    assert inline.correction.fields_as_read == read
    async with database.transaction(tenant) as tx:
        providers = await tenant_providers(tx)
        runner = store.projections
        assert isinstance(runner, ProjectionRunner)
        await store.lock_head(tx)
        await runner.rebuild(tx)
        assert await tenant_providers(tx) == providers
    assert [p.name for p in providers] == ["Harbourside Imaging Academy"]
    assert await stored(database, tenant, uploaded.certificate_id) == inline


NOT_READ_MODELS = ("events", "event_heads", "read_model_epochs")


async def tenant_tables(database: Database, tenant: UUID) -> dict[str, list[str]]:
    """The tenant's rows of every table but the events, their head and the read-model epoch,
    each as JSON text (without a time of update), sorted per table."""
    async with database.transaction(tenant) as tx:
        tables = await tx.pg.fetch(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND column_name = 'tenant_id'"
        )
        found = {}
        for name in sorted(row["table_name"] for row in tables):
            if name not in NOT_READ_MODELS:
                rows = await tx.pg.fetch(
                    f"SELECT (to_jsonb(t) - 'updated_at')::text AS row FROM {name} t"
                    " WHERE tenant_id = $1",
                    tenant,
                )
                found[name] = sorted(row["row"] for row in rows)
    return found


async def test_a_rebuild_writes_every_tenant_table_row_by_row_as_the_inline_projections_did(
    database: Database, store: EventStore, blob_dir: Path, worker_settings: Settings
) -> None:
    tenant, _ = await new_organisation(database, store)
    files = FilesystemBlobStore(blob_dir)
    reviewed, genuine = [
        await upload_sample(database, store, files, tenant, certificate_sample(forgery=forgery))
        for forgery in ("altered_credits", None)
    ]
    created = datetime(2026, 1, 5, tzinfo=UTC)
    facts = (
        TrialStarted(trial_ends_at=created),
        InvoiceObserved(
            invoice=Invoice(
                invoice_id="in_1",
                status="paid",
                amount_due=1200,
                amount_paid=1200,
                currency="usd",
                created=created,
            )
        ),
        SeatsPushed(quantity=2, previous=1),
    )
    async with database.transaction(tenant) as tx:
        for uploaded in (reviewed, genuine):
            await verify_certificate(
                CommandContext(tx, store, uuid4()), files, worker_settings, uploaded.certificate_id
            )
        await change_directory(
            CommandContext(tx, store, uuid4()), AddProvider(name="Harbourside Imaging Academy")
        )
        await record_waiver(
            CommandContext(tx, store, uuid4()),
            RecordWaiver(waiver=new_credential_waiver(genuine.person_id)),
        )
        for fact in facts:
            await record_fact(tx, store, billing_stream(tenant), fact)
    await rejected_by_a_reviewer(
        database, store, worker_settings, tenant, reviewed.certificate_id, reason="not theirs"
    )
    inline = await tenant_tables(database, tenant)
    filled = ("memberships", "people", "credits", "certificates", "waivers", "obligations")
    assert all(inline[name] for name in (*filled, "billing_accounts", "billing_invoices"))
    runner = store.projections
    assert isinstance(runner, ProjectionRunner)
    async with database.transaction(tenant) as tx:
        await store.lock_head(tx)
        await runner.rebuild(tx)
    assert await tenant_tables(database, tenant) == inline


async def test_the_provider_directory_holds_each_entry_in_columns(
    database: Database, store: EventStore
) -> None:
    tenant = new_tenant()
    await register(database, store, tenant)
    added = AddProvider(
        name="Harbourside Imaging Academy",
        aliases=("HIA",),
        credit_types=("sdms",),
        reference="https://harbourside.example",
    )
    async with database.transaction(tenant) as tx:
        await change_directory(CommandContext(tx, store, uuid4()), added)
        rows = await tx.pg.fetch(
            "SELECT name, aliases, credit_types, reference, origin FROM provider_directory"
        )
        entries = await tenant_providers(tx)
    assert [tuple(row) for row in rows] == [
        ("Harbourside Imaging Academy", ["HIA"], ["sdms"], added.reference, "tenant")
    ]
    assert [(e.name, e.aliases, e.credit_types, e.origin) for e in entries] == [
        ("Harbourside Imaging Academy", ("HIA",), ("sdms",), "tenant")
    ]
