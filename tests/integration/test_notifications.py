"""Notifications end to end against real PostgreSQL, real RabbitMQ and a local SMTP server: the
scheduler enqueues a run, the worker queues the mail, the relay hands it to ``deliver_mail``,
and the mail server receives it. Each test has its own organisation; the module has its own
queue (deleted afterwards) and SMTP server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import dramatiq
import msgspec
import pytest
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from litestar.testing import AsyncTestClient

from domain.compliance.evaluation import Obligation
from domain.compliance.status import STATUS_TEXT
from domain.credits.certificate import CertificateUploaded
from domain.credits.verification import (
    CertificateNeedsReview,
    CertificateVerified,
    ExtractedFields,
    ReviewReason,
)
from domain.organisations.organisation import ChangeAuditorAccess, Role
from domain.people.person import AddCredential, RegisterPerson
from domain.shared.event import Event
from services.api.app import create_app
from services.core.accounts.work import AccountWork, Visitor
from services.core.application import Application
from services.core.db import Database
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore, RecordedEvent, row_to_event, select_events
from services.core.mail import MemoryMailer
from services.core.mail_templates import credits_text, day_text
from services.core.notifications.preferences import change_mail_preferences, mail_preferences
from services.core.organisation.handlers import (
    accept_invitation,
    change_organisation,
    invite_member,
    open_organisation,
)
from services.core.people.handlers import change_person, register_person
from services.core.people.queries import my_obligations
from services.core.projections import ProjectionRunner
from services.core.settings import Settings
from services.core.stream_ids import certificate_stream
from services.worker.notifications import mail_subscribers
from services.worker.relay import Relay, messages_for
from services.worker.runtime import Run, Subscriptions, run_message_id
from services.worker.scheduler import Scheduler
from tests.broker_support import delete_queue
from tests.conftest import ROOT, settings_env
from tests.mail_sink import Sink, bodies, running_sink

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"
PUBLIC_URL = "https://ledger.example.org"
MAIL_SUBSCRIPTIONS = Subscriptions.of(mail_subscribers(MemoryMailer()))
"""The production subscriptions of the notification actors only (the other actors would act on
these organisations' events too); the mailer is the worker's, not this one."""


@pytest.fixture(scope="module")
def sink() -> Iterator[tuple[Sink, int]]:
    with running_sink() as running:
        yield running


@pytest.fixture(scope="module")
def mail_settings(migrated: Settings, sink: tuple[Sink, int]) -> Settings:
    return msgspec.structs.replace(
        migrated,
        smtp_host="127.0.0.1",
        smtp_port=sink[1],
        public_url=PUBLIC_URL,
        secret_key="notification tests secret key, 32+ characters",
    )


@pytest.fixture(scope="module")
def broker_settings(mail_settings: Settings) -> Settings:
    return mail_settings


@dataclass
class Org:
    tenant: UUID
    owner_id: UUID
    owner_email: str
    member_id: UUID
    member_email: str
    person_id: UUID
    ardms: Obligation
    """Maria's current ARDMS obligation (no credits: a shortfall until its deadline)."""


def unique_email(name: str) -> str:
    return f"{name}-{uuid4().hex[:10]}@example.org"


async def organisation(database: Database, store: EventStore) -> Org:
    """An organisation, its owner, and Maria: an account holder who earned her RDMS a month ago
    (so she is in her first ARDMS cycle) and has no credits yet."""
    today = datetime.now(UTC).date()
    owner_email, member_email = unique_email("owner"), unique_email("maria")
    opened = await open_organisation(
        database,
        store,
        name="Riverside Imaging",
        slug=f"riverside-{uuid4().hex[:10]}",
        email=owner_email,
        password=PASSWORD,
    )
    tenant, person_id = opened.tenant_id, uuid4()
    async with database.transaction(tenant) as tx:
        await register_person(
            CommandContext(tx, store, uuid4()),
            RegisterPerson(person_id=person_id, full_name="Maria Okafor"),
        )
        await change_person(
            CommandContext(tx, store, uuid4()),
            person_id,
            AddCredential(body="ARDMS", code="RDMS", earned_on=today - timedelta(days=30)),
        )
    member_id = await joined(
        database, store, tenant, email=member_email, role="employee", person_id=person_id
    )
    async with database.transaction(tenant) as tx:
        [ardms] = [
            o
            for o in await my_obligations(tx, person_id, today=today)
            if o.body == "ARDMS" and o.period == "current"
        ]
    return Org(tenant, opened.user_id, owner_email, member_id, member_email, person_id, ardms)


async def joined(
    database: Database, store: EventStore, tenant: UUID, *, email: str, role: Role, **invite: Any
) -> UUID:
    """The member id of ``email``, invited by an owner as ``role`` and signed up."""
    async with database.transaction(tenant) as tx:
        invited = await invite_member(
            CommandContext(tx, store, uuid4()), email=email, role=role, by_role="owner", **invite
        )
    visitor = AccountWork(Application(database, store, Settings()), Visitor(), command_ids=uuid4)
    _, member_id = await accept_invitation(visitor, token=invited.token, password=PASSWORD)
    return member_id


@pytest.fixture(scope="module")
def worker(broker: RabbitmqBroker) -> Iterator[dramatiq.Worker]:
    """One worker for the module: its actors share one event loop, and so one pool."""
    started = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    started.start()
    yield started
    started.stop()


async def unsent(database: Database, tenant: UUID) -> int:
    async with database.transaction(tenant) as tx:
        return int(await tx.pg.fetchval("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL"))


async def settle(
    database: Database, broker: RabbitmqBroker, worker: dramatiq.Worker, queue: str, tenant: UUID
) -> None:
    """Let the worker process every message and relay the tenant's events until every queued
    mail is sent (failing after 60 s)."""
    relay = Relay(database, broker, MAIL_SUBSCRIPTIONS)
    deadline = time.monotonic() + 60
    while True:
        await asyncio.to_thread(broker.join, queue, min_successes=3, idle_time=50, timeout=30_000)
        await asyncio.to_thread(worker.join)
        relayed = await relay.relay_tenant(tenant)
        if not relayed and not await unsent(database, tenant):
            return
        assert time.monotonic() < deadline, "the notifications did not settle"


async def tick(
    database: Database, broker: RabbitmqBroker, settings: Settings, tenant: UUID, day: date
) -> int:
    """One tick of a fresh scheduler (a restarted or second one) as at ``day``'s run hour."""
    scheduler = Scheduler(database, broker, settings)
    return await scheduler.tick([tenant], scheduler.at_hour(day))


async def recorded(database: Database, tenant: UUID, event_type: str) -> list[RecordedEvent]:
    async with database.transaction(tenant) as tx:
        rows = await tx.pg.fetch(
            select_events(" AND event_type = $2 ORDER BY seq"), tenant, event_type
        )
    return [row_to_event(row) for row in rows]


async def events(database: Database, tenant: UUID, event_type: str) -> list[dict[str, Any]]:
    return [event.data for event in await recorded(database, tenant, event_type)]


@pytest.fixture
async def org(
    database: Database,
    store: EventStore,
    broker: RabbitmqBroker,
    worker: dramatiq.Worker,
    queue: str,
) -> Org:
    """A fresh organisation whose set-up events are already relayed and handled."""
    broker.flush_all()
    made = await organisation(database, store)
    await settle(database, broker, worker, queue, made.tenant)
    return made


@dataclass
class Mailroom:
    """One test's organisation with the module's database, broker queue, worker and mail server:
    what a notification test drives."""

    database: Database
    store: EventStore
    broker: RabbitmqBroker
    queue: str
    worker: dramatiq.Worker
    settings: Settings
    sink: Sink
    org: Org

    async def settle(self) -> None:
        await settle(self.database, self.broker, self.worker, self.queue, self.org.tenant)

    async def run_on(self, *days: date) -> int:
        """The scheduled runs of ``days``, one after the other as the days pass, each settled;
        returns how many runs the last day's tick enqueued."""
        enqueued = 0
        for day in days:
            enqueued = await tick(self.database, self.broker, self.settings, self.org.tenant, day)
            await self.settle()
        return enqueued

    async def prefer(self, user_id: UUID, **wanted: bool) -> None:
        """``user_id`` changes their mail preferences on the settings page."""
        async with self.database.transaction(self.org.tenant) as tx:
            await change_mail_preferences(
                CommandContext(tx, self.store, uuid4()),
                user_id=user_id,
                wanted=wanted,
                via="settings",
            )

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        return await events(self.database, self.org.tenant, event_type)

    def reminders(self) -> list[EmailMessage]:
        return [
            m
            for m in self.sink.to(self.org.member_email)
            if m["Subject"].startswith("CME reminder")
        ]

    def digests(self, address: str) -> list[EmailMessage]:
        return [m for m in self.sink.to(address) if m["Subject"].startswith("Weekly CME summary")]


@pytest.fixture
def room(
    database: Database,
    store: EventStore,
    broker: RabbitmqBroker,
    queue: str,
    worker: dramatiq.Worker,
    mail_settings: Settings,
    sink: tuple[Sink, int],
    org: Org,
) -> Mailroom:
    return Mailroom(database, store, broker, queue, worker, mail_settings, sink[0], org)


# --- reminders ---------------------------------------------------------------------------------


async def test_a_scheduled_run_mails_a_reminder_with_text_html_and_one_click_unsubscribe(
    room: Mailroom, org: Org
) -> None:
    run_on = org.ardms.deadline - timedelta(days=30)
    # reminders, digest, and the daily billing reconciliation
    assert await room.run_on(run_on) == 3

    [mail] = room.reminders()
    shortfall = credits_text(org.ardms.lines[0].shortfall)
    assert mail["Subject"] == f"CME reminder: ARDMS needs {shortfall} more credits (30 days left)"
    text, html = bodies(mail)
    for part in (text, html):
        assert "Maria Okafor" in part
        assert f"{day_text(org.ardms.window.start)} to {day_text(org.ardms.window.end)}" in part
        assert f"{day_text(org.ardms.deadline)} (30 days left)" in part
        assert f"{PUBLIC_URL}/dashboard" in part
        assert "Riverside Imaging" in part
    assert f"Still needed: {shortfall} credits" in text
    assert f"<strong>{shortfall} credits</strong>" in html
    assert f"Counted: 0 of {credits_text(org.ardms.lines[0].required)} credits required" in text
    # one item per standing, naming its status and next action
    assert f"ARDMS: {STATUS_TEXT['at_risk'].label}" in text
    assert f"Next: {STATUS_TEXT['at_risk'].next_action}" in text
    unsubscribe = mail["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{PUBLIC_URL}/unsubscribe?token=")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in text
    [queued] = await room.events("notifications.ReminderQueued")
    assert queued["person_id"] == str(org.person_id)
    assert queued["run_on"] == run_on.isoformat()
    assert [(i["body"], i["threshold"], i["days_left"]) for i in queued["items"]] == [
        ("ARDMS", 30, 30)
    ]
    assert mail["Message-ID"].startswith(f"<{queued['mail_id']}@")
    sent = [e["mail_id"] for e in await room.events("notifications.MailSent")]
    assert queued["mail_id"] in sent


async def test_the_same_day_twice_a_second_scheduler_or_a_repeated_run_send_nothing_new(
    room: Mailroom, org: Org
) -> None:
    run_on = org.ardms.deadline - timedelta(days=90)
    scheduler = Scheduler(room.database, room.broker, room.settings)
    assert await scheduler.tick([org.tenant], scheduler.at_hour(run_on)) == 3
    await room.settle()
    assert len(room.reminders()) == 1
    assert len(room.digests(org.owner_email)) == 1

    assert await scheduler.tick([org.tenant], scheduler.at_hour(run_on)) == 0
    assert await tick(room.database, room.broker, room.settings, org.tenant, run_on) == 0
    for actor_name in ("send_reminders", "send_digest"):  # each run's message delivered again
        message = room.broker.get_actor(actor_name).message_with_options(
            kwargs={"tenant_id": str(org.tenant), "run_on": run_on.isoformat()}
        )
        room.broker.enqueue(
            message.copy(message_id=run_message_id(org.tenant, Run(actor_name, run_on)))
        )
    await room.settle()
    assert len(room.reminders()) == 1
    assert len(room.digests(org.owner_email)) == 1

    # 89 and 31 days before the deadline cross no new threshold. The run 30 days before is
    # missed: 8 days before, the 30-day reminder goes out late; 7 days before, the 7-day one.
    days = [org.ardms.deadline - timedelta(days=left) for left in (89, 31, 8, 7)]
    await room.run_on(*days)
    assert [m["Subject"].rsplit("(", 1)[1] for m in room.reminders()] == [
        "90 days left)",
        "8 days left)",
        "7 days left)",
    ]
    thresholds = [
        item["threshold"]
        for queued in await room.events("notifications.ReminderQueued")
        for item in queued["items"]
    ]
    assert thresholds == [90, 30, 7]


async def test_a_mail_the_server_refuses_is_retried_and_sent_once(room: Mailroom, org: Org) -> None:
    room.sink.refuse = 1
    await room.run_on(org.ardms.deadline - timedelta(days=7))
    assert room.sink.refuse == 0, "the server never refused"
    assert len(room.reminders()) == 1
    assert len(room.digests(org.owner_email)) == 1
    queued = [
        e["mail_id"]
        for kind in ("ReminderQueued", "DigestQueued")
        for e in await room.events(f"notifications.{kind}")
    ]
    sent = [e["mail_id"] for e in await room.events("notifications.MailSent")]
    assert sorted(sent) == sorted(queued)


async def test_an_overdue_reminder_goes_out_on_the_first_day_after_the_deadline_then_monthly(
    room: Mailroom, org: Org
) -> None:
    days = [org.ardms.deadline + timedelta(days=late) for late in (1, 2, 30, 31)]
    await room.run_on(*days)
    subjects = [m["Subject"] for m in room.reminders()]
    assert [s.rsplit("(", 1)[1] for s in subjects] == ["overdue by 1 day)", "overdue by 31 days)"]
    text, _ = bodies(room.reminders()[0])
    assert "Overdue" in text or "In grace period" in text


# --- preferences and unsubscribe ---------------------------------------------------------------


def token_of(mail: EmailMessage) -> str:
    return urlsplit(mail["List-Unsubscribe"].strip("<>")).query.removeprefix("token=")


async def test_the_one_click_link_turns_reminders_off_and_other_links_change_nothing(
    room: Mailroom, org: Org
) -> None:
    await room.run_on(org.ardms.deadline - timedelta(days=90))
    [mail] = room.reminders()
    token = token_of(mail)
    damaged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    async def wants_reminders() -> bool:
        async with room.database.transaction(org.tenant) as tx:
            found = await mail_preferences(tx, [org.member_id])
        return found[org.member_id].wants("deadline_reminders")

    async with AsyncTestClient(create_app(room.settings)) as client:
        page = await client.get("/unsubscribe", params={"token": token})
        assert page.status_code == 200
        assert "deadline reminders from Riverside Imaging" in page.text
        assert "<form method='post'" in page.text
        assert await wants_reminders(), "a GET must change nothing"
        for bad, status in ((damaged, 404), ("not-a-token", 400), ("", 400)):
            refused = await client.post("/unsubscribe", params={"token": bad})
            assert refused.status_code == status, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
        assert (await client.get("/unsubscribe", params={"token": damaged})).status_code == 404
        assert await wants_reminders()
        assert await room.events("notifications.MailPreferencesChanged") == []
        for _ in range(2):  # what a mail client sends (RFC 8058), twice
            done = await client.post(
                "/unsubscribe",
                params={"token": token},
                content=b"List-Unsubscribe=One-Click",
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            assert done.status_code == 200, done.text
            assert "no longer receive deadline reminders" in done.text
    assert not await wants_reminders()
    [changed] = await room.events("notifications.MailPreferencesChanged")
    assert changed == {
        "user_id": str(org.member_id),
        "opted_out": ["deadline_reminders"],
        "via": "unsubscribe_link",
    }

    await room.run_on(org.ardms.deadline - timedelta(days=30))
    assert room.reminders() == [mail]


async def test_the_digest_follows_each_admins_own_preference(room: Mailroom, org: Org) -> None:
    await room.prefer(org.owner_id, weekly_digest=False)
    first_week = org.ardms.deadline - timedelta(days=30)
    await room.run_on(first_week)
    assert room.digests(org.owner_email) == []
    assert len(room.reminders()) == 1, "the member's own preference is untouched"

    await room.prefer(org.owner_id, weekly_digest=True)
    await room.run_on(first_week + timedelta(days=7))
    assert len(room.digests(org.owner_email)) == 1


# --- digest and event notifications ------------------------------------------------------------


def as_read(certificate_id: UUID) -> dict[str, Any]:
    """What the worker read on the certificate: a name that differs, no provider."""
    return {
        "certificate_id": certificate_id,
        "credit_id": None,
        "fields": ExtractedFields(participant_name="M. Okafor-Smith"),
        "provider": None,
        "acceptance": (),
        "text_source": "ocr",
        "confidence": Decimal("0.42"),
    }


async def append_to_certificate(
    room: Mailroom, certificate_id: UUID, expected_version: int, *events: Event
) -> None:
    async with room.database.transaction(room.org.tenant) as tx:
        await room.store.append(
            tx,
            certificate_stream(certificate_id),
            list(events),
            expected_version=expected_version,
            event_ids=[uuid4() for _ in events],
        )


async def needs_review(room: Mailroom) -> UUID:
    """A certificate of Maria's that the worker sent to review (events appended directly)."""
    certificate_id = uuid4()
    uploaded = CertificateUploaded(
        certificate_id=certificate_id,
        person_id=room.org.person_id,
        credit_id=None,
        sha256="a" * 64,
        media_type="application/pdf",
        size_bytes=1234,
        filename="vascular <update>.pdf",
    )
    sent_to_review = CertificateNeedsReview(
        **as_read(certificate_id),
        reasons=(
            ReviewReason(
                code="name_mismatch",
                message="The name on the certificate (M. Okafor-Smith) differs.",
            ),
            ReviewReason(code="missing_provider", message="No provider was found."),
        ),
    )
    await append_to_certificate(room, certificate_id, 0, uploaded, sent_to_review)
    return certificate_id


async def test_the_weekly_digest_counts_statuses_lists_who_is_at_risk_and_the_review_queue(
    room: Mailroom, org: Org
) -> None:
    await needs_review(room)
    run_on = org.ardms.deadline - timedelta(days=30)
    await room.run_on(run_on)

    [digest] = room.digests(org.owner_email)
    assert room.digests(org.member_email) == [], "employees get no digest"
    text, html = bodies(digest)
    shortfall = credits_text(org.ardms.lines[0].shortfall)
    assert (
        f"Maria Okafor, ARDMS: At risk, {shortfall} credits short,"
        f" deadline {day_text(org.ardms.deadline)}" in text
    )
    assert "Staff: 1" in text
    assert "At risk: 1" in text
    assert "Certificates waiting for review: 1" in text
    assert f"{PUBLIC_URL}/dashboard" in text
    assert "<td>Maria Okafor</td>" in html.replace('<td style="padding:4px 8px 4px 0">', "<td>")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [queued] = await room.events("notifications.DigestQueued")
    assert queued["user_id"] == str(org.owner_id)


async def test_a_certificate_needing_review_is_mailed_to_its_person_with_the_reasons_once(
    room: Mailroom, org: Org
) -> None:
    await needs_review(room)
    await room.settle()
    [mail] = [m for m in room.sink.to(org.member_email) if "certificate" in m["Subject"]]
    assert mail["Subject"] == "Your certificate needs a reviewer's look"
    text, html = bodies(mail)
    assert "The name on the certificate (M. Okafor-Smith) differs." in text
    assert "No provider was found." in html
    assert '"vascular <update>.pdf"' in text
    assert "vascular &lt;update&gt;.pdf" in html
    assert mail["List-Unsubscribe"] is not None
    [queued] = await room.events("notifications.NotificationQueued")
    assert (queued["kind"], queued["user_id"]) == ("certificate_needs_review", str(org.member_id))

    # The relay publishing the same events again (a crash before its acknowledgement): neither
    # the notification nor its delivery happens twice.
    for event_type in ("credits.CertificateNeedsReview", "notifications.NotificationQueued"):
        [again] = await recorded(room.database, org.tenant, event_type)
        for message in messages_for(room.broker, MAIL_SUBSCRIPTIONS, again):
            room.broker.enqueue(message)
    await room.settle()
    assert len([m for m in room.sink.to(org.member_email) if "certificate" in m["Subject"]]) == 1


async def test_the_reviewers_note_on_an_approval_is_mailed_to_the_person(
    room: Mailroom, org: Org
) -> None:
    certificate_id = await needs_review(room)
    approved = CertificateVerified(
        **as_read(certificate_id),
        decided_by="reviewer",
        reviewer_id=org.owner_id,
        note="Okafor-Smith is your married name; approved.",
    )
    await append_to_certificate(room, certificate_id, 2, approved)
    await room.settle()
    [mail] = [m for m in room.sink.to(org.member_email) if "verified" in m["Subject"]]
    text, html = bodies(mail)
    assert "Reviewer's note: Okafor-Smith is your married name; approved." in text
    assert "Okafor-Smith is your married name; approved." in html


async def test_certificate_notifications_turned_off_send_nothing(room: Mailroom, org: Org) -> None:
    await room.prefer(org.member_id, certificate_notifications=False)
    await needs_review(room)
    await room.settle()
    assert room.sink.to(org.member_email) == []
    assert await room.events("notifications.NotificationQueued") == []


async def test_an_auditor_is_told_when_access_is_granted_and_when_it_changes(
    room: Mailroom, org: Org
) -> None:
    auditor_email = unique_email("auditor")
    until = datetime.now(UTC) + timedelta(days=30)
    auditor_id = await joined(
        room.database,
        room.store,
        org.tenant,
        email=auditor_email,
        role="auditor",
        access_until=until,
    )
    await room.settle()
    async with room.database.transaction(org.tenant) as tx:
        await change_organisation(
            CommandContext(tx, room.store, uuid4()),
            ChangeAuditorAccess(
                user_id=auditor_id, access_until=until + timedelta(days=60), by_role="owner"
            ),
        )
    await room.settle()

    granted, changed = room.sink.to(auditor_email)
    assert (
        granted["Subject"]
        == f"Your auditor access to Riverside Imaging ends {day_text(until.date())}"
    )
    assert "You now have read-only auditor access" in bodies(granted)[0]
    later = day_text((until + timedelta(days=60)).date())
    assert changed["Subject"] == f"Your auditor access to Riverside Imaging ends {later}"
    assert f"now ends on {later}" in bodies(changed)[0]
    assert granted["List-Unsubscribe"] is None, "access mail is mandatory"
    kinds = [e["kind"] for e in await room.events("notifications.NotificationQueued")]
    assert kinds == ["auditor_access_granted", "auditor_access_changed"]
    assert room.sink.to(org.member_email) == [], "members added as staff get no access mail"


# --- the command -------------------------------------------------------------------------------


def test_the_scheduler_command_runs_one_tick_for_a_given_day_once(
    mail_settings: Settings, broker: RabbitmqBroker, org: Org
) -> None:
    idle_queue = f"test-scheduler-cli-{uuid4().hex[:12]}"  # no worker consumes it
    env = {**settings_env(mail_settings), "CMELEDGER_BROKER_QUEUE": idle_queue}

    def scheduler(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "services.main", "scheduler", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    try:
        refused = scheduler("--date", "2031-01-06")
        assert refused.returncode == 2
        assert "--date needs --once" in refused.stderr
        first = scheduler("--once", "--date", "2031-01-06")
        assert first.returncode == 0, first.stderr
        assert int(first.stdout.split()[0]) >= 2
        again = scheduler("--once", "--date", "2031-01-06")
        assert again.stdout.strip() == "0 runs enqueued", again.stderr
    finally:
        delete_queue(broker, idle_queue)
    enqueued = asyncio.run(_scheduled_runs(mail_settings, org.tenant))
    assert enqueued == [
        ("reconcile_billing", date(2031, 1, 6)),
        ("send_digest", date(2031, 1, 6)),
        ("send_reminders", date(2031, 1, 6)),
    ]


async def _scheduled_runs(settings: Settings, tenant: UUID) -> list[tuple[str, date]]:
    database = Database(settings)
    try:
        async with database.transaction(tenant) as tx:
            rows = await tx.pg.fetch("SELECT job, run_on FROM scheduled_runs ORDER BY job")
    finally:
        await database.dispose()
    return [(row["job"], row["run_on"]) for row in rows]


async def test_rebuilt_preferences_and_reminder_log_equal_the_inline_ones(
    room: Mailroom, org: Org
) -> None:
    await room.prefer(org.owner_id, weekly_digest=False)
    await room.prefer(org.owner_id, certificate_notifications=False)
    days = [org.ardms.deadline - timedelta(days=left) for left in (90, 7)]
    await room.run_on(*days)

    async def read_models() -> list[list[tuple[Any, ...]]]:
        async with room.database.transaction(org.tenant) as tx:
            return [
                [tuple(row) for row in await tx.pg.fetch(sql)]
                for sql in (
                    "SELECT user_id, opted_out, changed_at FROM mail_preferences",
                    "SELECT mail_id, person_id, body, window_end, threshold, run_on"
                    " FROM reminder_log ORDER BY run_on",
                )
            ]

    inline = await read_models()
    assert inline[0][0][1] == ["certificate_notifications", "weekly_digest"]
    assert [row[4] for row in inline[1]] == [90, 7]
    runner = room.store.projections
    assert isinstance(runner, ProjectionRunner)
    async with room.database.transaction(org.tenant) as tx:
        await room.store.lock_head(tx)
        await runner.rebuild(tx)
    assert await read_models() == inline
