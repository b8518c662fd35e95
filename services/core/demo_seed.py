"""The demo organisation of ``cmeledger seed-demo`` (``scripts/run`` seeds it before serving): an
imaging department with owner, admin, auditor and employee logins and 40 staff holding ARDMS,
ARRT and CCI credentials, whose credits leave some compliant, some on track, some at risk and
some overdue, with certificate files uploaded for some of them.

Everything goes through the real handlers, so events, read models and the hash chain are what
the application itself would have. The credits are planned on evaluate()'s own cycle windows
for the day of seeding, so the mix of statuses holds whenever the demo is seeded. No
verification outcome is invented: uploaded certificates wait for the verification worker like
any upload, and a few of them (``REVIEW_CASES``) disagree with what was declared, so that the
worker has honest reasons to send them to the review queue.

Idempotent: the organisation is found by its slug; the staff are created in one transaction
(all or nothing) while the organisation has none; each login is created while it is not a
member yet, and an auditor window that ends within ``RENEW_AUDITOR_WITHIN`` is extended.
Refused in production: the passwords are printed and known to everyone.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Literal, NamedTuple
from uuid import UUID, uuid5

from domain.compliance.evaluation import Obligation, evaluate
from domain.compliance.packs import RULE_PACKS
from domain.credits.credit import CreditDetails, CreditType, Origin, RecordCredit, Topic
from domain.organisations.organisation import ChangeAuditorAccess, Role
from domain.people.credentials import Body, Specialty
from domain.people.person import (
    AddCredential,
    Person,
    RecordBirthMonth,
    RecordRegistryId,
    RegisterPerson,
)
from services.core.accounts.work import AccountWork, Visitor
from services.core.application import Application
from services.core.blobs import BlobStore
from services.core.certificates import handlers as certificate_handlers
from services.core.credits.handlers import record_credit
from services.core.db import Database, Tx
from services.core.documents import PdfDocument
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import EventStore, Metadata
from services.core.idempotency import command_sequence, new_entity_id
from services.core.organisation.handlers import (
    accept_invitation,
    change_organisation,
    invite_member,
    open_organisation,
)
from services.core.people import queries
from services.core.people.handlers import PersonCommand, change_person, register_person
from services.core.projections.folded import copied
from services.core.settings import Settings

DEMO_SLUG = "riverside-demo"
ORGANISATION = "Riverside Imaging (demo)"
DOMAIN = "riverside-demo.example"
SEEDER = "cmeledger seed-demo"
AUDITOR_WINDOW = timedelta(days=90)
RENEW_AUDITOR_WITHIN = timedelta(days=30)


class DemoRefused(Exception):
    """The demo is never seeded in production."""


class Login(NamedTuple):
    role: Role
    email: str
    password: str


OWNER = Login("owner", f"owner@{DOMAIN}", "demo-owner-passphrase")
ADMIN = Login("admin", f"admin@{DOMAIN}", "demo-admin-passphrase")
AUDITOR = Login("auditor", "auditor@ledger-audits.example", "demo-auditor-passphrase")
EMPLOYEE = Login("employee", f"nia.okafor@{DOMAIN}", "demo-employee-passphrase")
LOGINS = (OWNER, ADMIN, AUDITOR, EMPLOYEE)

Scenario = Literal["compliant", "on_track", "at_risk", "overdue"]
SCENARIOS: tuple[Scenario, ...] = ("compliant", "on_track", "at_risk", "compliant", "overdue")
"""Staff member ``i`` follows ``SCENARIOS[i % 5]``."""

Held = tuple[Body, str, tuple[Specialty, ...]]
PROFILES: tuple[tuple[str, tuple[Held, ...]], ...] = (
    ("Ultrasound", (("ARDMS", "RDMS", ("AB", "OB/GYN")),)),
    ("Ultrasound", (("ARDMS", "RDMS", ("AB",)), ("ARRT", "S", ()))),
    ("Vascular Lab", (("ARDMS", "RVT", ("VT",)),)),
    ("Echocardiography", (("CCI", "RCS", ()),)),
    ("Echocardiography", (("ARDMS", "RDCS", ("AE",)), ("CCI", "RCS", ()))),
    ("Radiography", (("ARRT", "R", ()),)),
    ("CT and MRI", (("ARRT", "R", ()), ("ARRT", "CT", ()))),
    ("CT and MRI", (("ARRT", "MR", ()),)),
)
"""Staff member ``i`` works in ``PROFILES[i % 8]``'s department holding its credentials."""
SITES = ("Riverside Main", "Northgate Clinic", "Eastside Outpatient")

NAMES = (
    "Amara Osei", "Ben Hartley", "Nia Okafor", "Carlos Mendes", "Dana Whitfield",
    "Elif Kaya", "Farah Haddad", "George Lindqvist", "Hana Sato", "Ivan Petrov",
    "Jade Thompson", "Kofi Mensah", "Laura Bianchi", "Mateo Alvarez", "Noor Rahman",
    "Olivia Grant", "Priya Nair", "Quinn Murphy", "Rosa Delgado", "Samuel Brooks",
    "Tamsin Fletcher", "Uma Krishnan", "Victor Dubois", "Wen Li", "Ximena Torres",
    "Yusuf Demir", "Zoe Campbell", "Aiden Walsh", "Beatriz Costa", "Chen Wei",
    "Delia Moreno", "Emeka Eze", "Fiona Byrne", "Gustavo Ramos", "Helen Novak",
    "Isaac Levy", "Julia Schmidt", "Kenji Watanabe", "Lena Fischer", "Marcus Reid",
)  # fmt: skip

Discrepancy = Literal["credits", "date", "name", "accreditation"]
REVIEW_CASES: dict[int, Discrepancy] = {2: "credits", 9: "date", 16: "name", 30: "accreditation"}
"""Staff whose uploaded certificate disagrees with their declared credit, and how."""
MAIDEN_NAMES = {16: "Priya Menon"}


class Style(NamedTuple):
    """How a body's credits look in the demo: provider, approval and certificate wording."""

    provider: str
    accrediting_organisation: str
    credit_types: tuple[CreditType, ...]
    topics: tuple[Topic, ...]
    origin: Origin
    statement: str
    titles: tuple[str, ...]


STYLES: dict[Body, Style] = {
    "ARDMS": Style(
        "Society of Diagnostic Medical Sonography",
        "SDMS",
        ("sdms",),
        ("sonography",),
        "self_reported",
        "This activity is approved by the Society of Diagnostic Medical Sonography (SDMS)"
        " for {credits} SDMS CME credits.",
        (
            "Abdominal Doppler: hepatic vasculature",
            "First-trimester scanning update",
            "Thyroid nodules and TI-RADS",
            "Ergonomics for sonographers",
            "Renal transplant ultrasound",
            "Carotid duplex pitfalls",
        ),
    ),
    "ARRT": Style(
        "American Society of Radiologic Technologists",
        "ASRT",
        ("arrt_category_a",),
        ("radiography",),
        "self_reported",
        "Approved by the ASRT for {credits} Category A continuing education credits.",
        (
            "Radiation protection in digital radiography",
            "CT dose optimisation",
            "MRI safety zones and screening",
            "Contrast reactions: recognition and response",
            "Image quality and the exposure index",
            "Trauma radiography techniques",
        ),
    ),
    "CCI": Style(
        "American Society of Echocardiography",
        "ASE",
        ("ase",),
        ("cardiovascular",),
        "provider_transfer",  # ASE sends its CEUs to CCI directly [C4], [C7]
        "The American Society of Echocardiography designates this activity for {credits} CEUs.",
        (
            "Diastolic function assessment",
            "Strain imaging in practice",
            "Quantifying valvular regurgitation",
            "Adult congenital heart disease",
            "Stress echocardiography protocols",
            "3D echocardiography update",
        ),
    ),
}
ACTIVITY_SIZES = tuple(Decimal(n) for n in ("4", "2.5", "6", "3", "1.5", "5"))
"""Credits of successive activities (the last one takes what remains)."""
_PACE = {"on_track": Decimal("1.25"), "at_risk": Decimal("0.4"), "overdue": Decimal("0.3")}
"""Credits in the current cycle as a share of the pace that would just meet the requirement."""


async def seed_demo(
    settings: Settings, database: Database, store: EventStore, blobs: BlobStore
) -> bool:
    """Create the demo organisation, or complete what is missing of it; return whether
    anything was created or renewed. Raises ``DemoRefused`` in production."""
    if settings.environment == "production":
        raise DemoRefused("the demo organisation is never seeded in production")
    application = Application(database, store, settings)
    now = store.clock()
    tenant_id, owner_id, changed = await _organisation(database, store)
    metadata = Metadata(actor_id=str(owner_id), actor_role="owner", request_id=SEEDER)
    async with database.transaction(tenant_id) as tx:
        await store.lock_head(tx)  # a second seeder waits here, then finds the staff
        if not await tx.pg.fetchval("SELECT count(*) FROM people WHERE tenant_id = $1", tenant_id):
            for index, name in enumerate(NAMES):
                await _hire(tx, store, blobs, metadata, index, name, today=now.date())
            changed = True
    for login in (ADMIN, AUDITOR, EMPLOYEE):
        changed |= await _member(application, tenant_id, login, metadata, now)
    return changed


async def _organisation(database: Database, store: EventStore) -> tuple[UUID, UUID, bool]:
    """(tenant id, owner's user id, whether it was opened now)."""
    async with database.transaction(None) as tx:
        tenant_id = await tx.pg.fetchval("SELECT tenant_id FROM tenants WHERE slug = $1", DEMO_SLUG)
    if tenant_id is None:
        opened = await open_organisation(
            database,
            store,
            name=ORGANISATION,
            slug=DEMO_SLUG,
            email=OWNER.email,
            password=OWNER.password,
            request_id=SEEDER,
        )
        return opened.tenant_id, opened.user_id, True
    async with database.transaction(tenant_id) as tx:
        owner_id = await tx.pg.fetchval(
            "SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = 'owner'"
            " ORDER BY lower(email) = $2 DESC LIMIT 1",
            tenant_id,
            OWNER.email,
        )
    return tenant_id, owner_id, False


async def _member(
    application: Application,
    tenant_id: UUID,
    login: Login,
    metadata: Metadata,
    now: datetime,
) -> bool:
    """Invite ``login`` and accept as them, unless they are a member already (auditors: extend
    a window that ends soon); return whether anything changed."""
    access_until = now + AUDITOR_WINDOW if login.role == "auditor" else None
    store = application.store
    async with application.database.transaction(tenant_id) as tx:
        member = await tx.pg.fetchrow(
            "SELECT user_id, access_until FROM memberships"
            " WHERE tenant_id = $1 AND lower(email) = $2",
            tenant_id,
            login.email,
        )
        if member is not None:
            ends = member["access_until"]
            if access_until is None or ends is None or ends > now + RENEW_AUDITOR_WITHIN:
                return False
            extend = ChangeAuditorAccess(
                user_id=member["user_id"], access_until=access_until, by_role="owner"
            )
            renewal = uuid5(member["user_id"], f"demo/auditor-access/{access_until.isoformat()}")
            await change_organisation(CommandContext(tx, store, renewal, metadata), extend)
            return True
        invitation = uuid5(tenant_id, f"demo/invite/{login.email}/{now.isoformat()}")
        invited = await invite_member(
            CommandContext(tx, store, invitation, metadata),
            email=login.email,
            role=login.role,
            by_role="owner",
            person_id=await tx.pg.fetchval(
                "SELECT person_id FROM people WHERE tenant_id = $1 AND email = $2",
                tenant_id,
                login.email,
            ),
            access_until=access_until,
        )
    acceptance = uuid5(invitation, "accept")  # the one command accepting issues
    joining = AccountWork(application, Visitor(request_id=SEEDER), lambda: acceptance)
    await accept_invitation(joining, token=invited.token, password=login.password)
    return True


async def _hire(
    tx: Tx,
    store: EventStore,
    blobs: BlobStore,
    metadata: Metadata,
    index: int,
    name: str,
    *,
    today: date,
) -> None:
    """Register staff member ``index`` with their credentials, credits and certificate."""
    department, held = PROFILES[index % len(PROFILES)]
    next_command_id = command_sequence(uuid5(tx.require_tenant(), f"demo/staff/{index}"))

    def command() -> CommandContext[Tx]:
        return CommandContext(tx, store, next_command_id(), metadata)

    registration = command()
    person_id = new_entity_id(registration.command_id, "person")

    async def person(change: PersonCommand) -> None:
        await change_person(command(), person_id, change)

    await register_person(
        registration,
        RegisterPerson(
            person_id=person_id,
            full_name=name,
            department=department,
            site=SITES[index % len(SITES)],
            employee_number=f"RI-{1001 + index}",
            email=f"{name.lower().replace(' ', '.')}@{DOMAIN}",
        ),
    )
    if any(body == "ARRT" for body, _, _ in held):  # ARRT cycles start in the birth month
        await person(RecordBirthMonth(birth_month=1 + index * 7 % 12))
    for body, code, specialties in held:
        earned = _earned_on(body, index)
        await person(AddCredential(body=body, code=code, earned_on=earned, specialties=specialties))
    for body in dict.fromkeys(body for body, _, _ in held):
        await person(RecordRegistryId(body=body, registry_id=_registry_id(body, index)))
    profile = await queries.get_person(tx, person_id)
    assert profile is not None
    # The credits are planned from what evaluate() decides, on the domain's Person.
    planned = copied(profile, Person)
    self_reported: list[tuple[date, UUID, Body, CreditDetails]] = []
    for body, details in _planned_credits(planned, SCENARIOS[index % len(SCENARIOS)], today):
        recording = command()
        credit_id = new_entity_id(recording.command_id, "credit")
        origin = STYLES[body].origin
        await record_credit(
            recording,
            RecordCredit(credit_id=credit_id, person_id=person_id, details=details, origin=origin),
        )
        if origin == "self_reported":
            self_reported.append((details.completed_on, credit_id, body, details))
    if self_reported and (index % 3 == 0 or index in REVIEW_CASES):
        _, credit_id, body, details = max(self_reported, key=lambda c: c[0])  # the latest
        number = f"RI-{index:03d}-{details.completed_on:%Y%m%d}"
        pdf = certificate_pdf(
            MAIDEN_NAMES.get(index, name),
            details,
            STYLES[body],
            number=number,
            discrepancy=REVIEW_CASES.get(index),
        )
        await _upload(command(), blobs, person_id, credit_id, pdf, f"{number}.pdf")


async def _upload(
    context: CommandContext[Tx],
    blobs: BlobStore,
    person_id: UUID,
    credit_id: UUID,
    pdf: bytes,
    filename: str,
) -> None:
    source = io.BytesIO(pdf)
    inspected = certificate_handlers.inspect_file(source, max_bytes=len(pdf))
    await certificate_handlers.upload_certificate(
        context,
        blobs,
        person_id=person_id,
        credit_id=credit_id,
        filename=filename,
        source=source,
        inspected=inspected,
    )


def _earned_on(body: Body, index: int) -> date:
    """Years back, never in December (ARDMS's December registrants follow unconfirmed rules),
    ARRT before 2011 (credentials without continuing-qualification deadlines)."""
    year = {"ARDMS": 2010 + index % 9, "ARRT": 2003 + index % 8, "CCI": 2009 + index % 8}[body]
    return date(year, 1 + index * 5 % 11, 1 + index % 27)


def _registry_id(body: Body, index: int) -> str:
    digits = {"ARDMS": 6, "ARRT": 7, "CCI": 8}[body]  # a CCI number has 8 digits [C7]
    return str(10 ** (digits - 1) + index * 7919 % (9 * 10 ** (digits - 1)))


def _planned_credits(
    person: Person, scenario: Scenario, today: date
) -> Iterator[tuple[Body, CreditDetails]]:
    """Credits that put each of the person's obligations where ``scenario`` says: previous
    cycles met (short for ``overdue``), current cycles met (``compliant``) or at a share of the
    pace that would just meet them (``_PACE``)."""
    numbered: Counter[Body] = Counter()
    for obligation in evaluate(person, [], [], today=today, rule_packs=RULE_PACKS):
        style = STYLES[obligation.body]
        topics = tuple(sorted({t for line in obligation.lines for t in line.topics}))
        last = min(obligation.window.end, today)
        amount = _target(obligation, scenario, today)
        sizes = list(_split(amount))
        span = (last - obligation.window.start).days
        for n, credits in enumerate(sizes):
            k, titles = numbered[obligation.body], len(style.titles)
            numbered[obligation.body] += 1
            title = style.titles[k % titles] + (f", part {k // titles + 1}" if k >= titles else "")
            yield (
                obligation.body,
                CreditDetails(
                    title=title,
                    provider=style.provider,
                    accrediting_organisation=style.accrediting_organisation,
                    credit_types=style.credit_types,
                    completed_on=obligation.window.start
                    + timedelta(days=span * (n + 1) // (len(sizes) + 1)),
                    credits=credits,
                    topics=topics or style.topics,
                ),
            )


def _target(obligation: Obligation, scenario: Scenario, today: date) -> Decimal:
    required = max(line.required for line in obligation.lines)
    if obligation.period == "previous":
        return _quarters(required * Decimal("0.4")) if scenario == "overdue" else required
    if scenario == "compliant":
        return required
    window = obligation.window
    share = Decimal((today - window.start).days + 1) / ((window.end - window.start).days + 1)
    rounding = ROUND_CEILING if scenario == "on_track" else ROUND_FLOOR
    return min(required, _quarters(required * share * _PACE[scenario], rounding))


def _quarters(amount: Decimal, rounding: str = ROUND_FLOOR) -> Decimal:
    return (amount * 4).to_integral_value(rounding=rounding) / 4


def _split(amount: Decimal) -> Iterator[Decimal]:
    """``amount`` as activities of ``ACTIVITY_SIZES`` credits in turn, the last one smaller."""
    n = 0
    while amount > 0:
        size = min(ACTIVITY_SIZES[n % len(ACTIVITY_SIZES)], amount)
        yield size
        amount -= size
        n += 1


def certificate_pdf(
    name: str,
    details: CreditDetails,
    style: Style,
    *,
    number: str,
    discrepancy: Discrepancy | None = None,
) -> bytes:
    """A certificate of completion for ``details`` printed for ``name``; a ``discrepancy``
    prints half the credits, a date 40 days earlier, or no accreditation statement instead
    (a different name is the caller's)."""
    credits = details.credits / 2 if discrepancy == "credits" else details.credits
    completed_on = details.completed_on - timedelta(days=40 if discrepancy == "date" else 0)
    doc = PdfDocument()
    doc.text("Certificate of Completion", size=20)
    doc.gap()
    doc.text("This certifies that", size=11)
    doc.text(name, size=16)
    doc.text("has completed the continuing education activity", size=11)
    doc.text(details.title, size=14)
    doc.gap()
    doc.text(f"Provider: {details.provider}", size=11)
    doc.text(
        f"Date of completion: {completed_on:%B} {completed_on.day}, {completed_on:%Y}", size=11
    )
    doc.text(f"Credits awarded: {credits}", size=11)
    if discrepancy != "accreditation":
        doc.text(style.statement.format(credits=credits), size=11)
    doc.text(f"Certificate number: {number}", size=11)
    return bytes(doc.pdf.output())


def logins_table(created: bool) -> str:
    """What ``cmeledger seed-demo`` prints: the organisation and the four logins."""
    state = "created" if created else "already there"
    rows = [f"Demo organisation {ORGANISATION!r} ({DEMO_SLUG}): {state}. Logins:"]
    rows += [f"  {login.role:<9} {login.email:<38} {login.password}" for login in LOGINS]
    return "\n".join(rows)
