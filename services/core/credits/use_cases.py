"""The credit use cases: record (with certificate files), amend and retract a credit, and read
a person's credits and one credit with what each body makes of it.

Each takes a unit of work and a typed command, checks who may act (``services.core.policy``),
decides through the pure domain and returns what the caller shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.compliance.evaluation import CreditExclusion, CreditUse, Obligation
from domain.credits.credit import AmendCredit, CreditDetails, RecordCredit, RetractCredit
from domain.people.credentials import Body
from domain.people.person import PersonNotRegistered
from services.core.application import NotFound, UnitOfWork
from services.core.certificates.files import CertificateFiles, store_certificates
from services.core.certificates.views import StoredCertificate
from services.core.credits import handlers as credit_handlers
from services.core.credits.views import Credit
from services.core.idempotency import new_entity_id
from services.core.people import queries
from services.core.people.transcripts import in_cycle
from services.core.people.use_cases import NO_SUCH_PERSON, person_of
from services.core.people.views import Person
from services.core.policy import authorise_person
from services.core.projections.certificates import certificates_of


class BodyAcceptance(msgspec.Struct, frozen=True, kw_only=True):
    """How one obligation treats the credit: counted (and by which rule) or not (and why)."""

    body: Body
    period: str
    counted: Decimal
    admitted_by: list[str]
    not_counted: list[CreditExclusion]
    pending_review: str | None = None
    """Where the organisation counts credits awaiting a check: the check's reason this body
    would not accept the credit, which counts for now, pending the review (None otherwise)."""


class RecordNewCredit(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    details: CreditDetails
    certificates: CertificateFiles | None = None
    """Certificate files of the credit, stored with it (or, refused, neither is)."""


class CreditWithAcceptance(msgspec.Struct, frozen=True, kw_only=True):
    credit: Credit
    acceptance: list[BodyAcceptance]


class ChangeCredit(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    credit_id: UUID
    change: AmendCredit | RetractCredit


class CreditQuery(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    credit_id: UUID


class CreditView(msgspec.Struct, frozen=True, kw_only=True):
    """One credit, what each obligation it falls in makes of it, and its certificate files."""

    credit: Credit
    acceptance: list[BodyAcceptance]
    certificates: list[StoredCertificate]


class CycleCredits(msgspec.Struct, frozen=True, kw_only=True):
    """One body's cycle (its totals on its total line) and the credits that fall in it, newest
    first."""

    obligation: Obligation
    credits: list[Credit]


class CreditsOverview(msgspec.Struct, frozen=True, kw_only=True):
    """The person's credits, where each counts this cycle and which have a certificate."""

    person: Person | None
    credits: list[Credit]
    acceptance: dict[UUID, list[BodyAcceptance]]
    certified: frozenset[UUID]
    cycles: list[CycleCredits]
    """Current cycles first, then the previous ones; a credit may fall in several."""
    outside: list[Credit]
    """The credits that fall in none of ``cycles``, newest first."""


def credits_by_cycle(
    obligations: list[Obligation], credits: list[Credit]
) -> tuple[list[CycleCredits], list[Credit]]:
    """The credits grouped by the cycles they fall in (``transcripts.in_cycle``: completed in
    the window, or counted toward it), current cycles first; and those outside every cycle."""
    newest = sorted(credits, key=lambda c: c.details.completed_on, reverse=True)
    ordered = sorted(obligations, key=lambda o: o.period != "current")
    cycles = [CycleCredits(obligation=o, credits=in_cycle(o, newest)) for o in ordered]
    grouped = {c.credit_id for cycle in cycles for c in cycle.credits}
    return cycles, [c for c in newest if c.credit_id not in grouped]


async def credit_of(uow: UnitOfWork, person_id: UUID, credit_id: UUID) -> Credit:
    """The person's credit ``credit_id`` (``NotFound`` when the person has no such credit)."""
    credit = await queries.one_credit(uow.tx, person_id, credit_id)
    if credit is None:
        raise NotFound("no such credit for this person")
    return credit


def credit_acceptance(
    obligations: list[Obligation],
    credit_id: UUID,
    certificates: Iterable[StoredCertificate] = (),
    *,
    count_pending: bool = False,
) -> list[BodyAcceptance]:
    """What each obligation the credit falls in makes of it: one whose window it falls outside
    (and which did not take it as make-up) says nothing about it, so a credit outside every
    window has no acceptance at all rather than a refusal per cycle.

    A body that the check of the credit's certificate (``certificates``: the person's) says
    does not accept it counts none of it while the certificate awaits review: what would count
    is said not counted, with the check's reason, so the "counts" line never contradicts the
    reasons shown beside it; where the organisation counts pending credits (``count_pending``),
    the cycle's totals count it, and so does its line, with the reason as ``pending_review``.
    A reviewer's approval stands over the check."""
    refused_by = {
        a.body: a.explanation
        for c in certificates
        if c.credit_id == credit_id and c.status == "needs_review"
        for a in c.acceptance
        if not a.accepted
    }
    found = []
    for obligation in obligations:
        used: list[CreditUse] = [u for u in obligation.used if u.credit_id == credit_id]
        refused = [x for x in obligation.not_used if x.credit_id == credit_id]
        if not used and all(x.reason == "outside_window" for x in refused):
            continue
        counted = sum((u.credits_counted for u in used), Decimal(0))
        refusal = refused_by.get(obligation.mirrors or obligation.body)
        pending_review = refusal if refusal is not None and used and count_pending else None
        if refusal is not None and used and not count_pending:
            refused = [
                CreditExclusion(
                    credit_id=credit_id,
                    credits=counted,
                    reason="type_not_accepted",
                    detail=refusal,
                ),
                *refused,
            ]
            counted, used = Decimal(0), []
        found.append(
            BodyAcceptance(
                body=obligation.body,
                period=obligation.period,
                counted=counted,
                admitted_by=[u.admitted_by for u in used],
                not_counted=refused,
                pending_review=pending_review,
            )
        )
    return found


async def record_credit(uow: UnitOfWork, command: RecordNewCredit) -> CreditWithAcceptance:
    """Record a CME activity for a person (themself, or anyone for owners and admins), with
    its certificate files if given; the result says at once which bodies count it, and why
    not."""
    authorise_person(uow.actor, command.person_id, write=True)
    context = uow.command()
    credit_id = new_entity_id(context.command_id, "credit")
    try:  # the handler reads the person's stream: registered, or the person_of 404
        await credit_handlers.record_credit(
            context,
            RecordCredit(credit_id=credit_id, person_id=command.person_id, details=command.details),
        )
    except PersonNotRegistered:
        raise NotFound(NO_SUCH_PERSON) from None
    if command.certificates is not None:
        await store_certificates(uow, command.person_id, credit_id, command.certificates)
    obligations = await queries.my_obligations(uow.tx, command.person_id, today=uow.today())
    return CreditWithAcceptance(
        credit=await credit_of(uow, command.person_id, credit_id),
        acceptance=credit_acceptance(obligations, credit_id),
    )


async def change_credit(uow: UnitOfWork, command: ChangeCredit) -> Credit:
    """Amend or retract a person's credit, with a reason (history keeps the old details)."""
    authorise_person(uow.actor, command.person_id, write=True)
    await credit_of(uow, command.person_id, command.credit_id)
    await credit_handlers.change_credit(uow.command(), command.credit_id, command.change)
    return await credit_of(uow, command.person_id, command.credit_id)


async def list_credits(uow: UnitOfWork, person_id: UUID) -> list[Credit]:
    """The person's credits with verification status, newest first."""
    authorise_person(uow.actor, person_id, write=False)
    await person_of(uow, person_id)
    return await queries.my_credits(uow.tx, person_id)


async def credits_overview(uow: UnitOfWork, person_id: UUID) -> CreditsOverview:
    """Every credit of the person, where it counts in the cycles shown (current and previous),
    and which credits have a certificate file (empty while the person has no record)."""
    authorise_person(uow.actor, person_id, write=False)
    credits = await queries.my_credits(uow.tx, person_id)
    obligations = await queries.my_obligations(uow.tx, person_id, today=uow.today())
    certificates = await certificates_of(uow.tx, person_id)
    cycles, outside = credits_by_cycle(obligations, credits)
    pending = await queries.counts_pending_credits(uow.tx)
    return CreditsOverview(
        person=await queries.get_person(uow.tx, person_id),
        credits=credits,
        acceptance={
            c.credit_id: credit_acceptance(
                obligations, c.credit_id, certificates, count_pending=pending
            )
            for c in credits
        },
        certified=frozenset(c.credit_id for c in certificates if c.credit_id is not None),
        cycles=cycles,
        outside=outside,
    )


async def view_credit(uow: UnitOfWork, query: CreditQuery) -> CreditView:
    """One credit of the person with each body's acceptance and its certificate files."""
    authorise_person(uow.actor, query.person_id, write=False)
    credit = await credit_of(uow, query.person_id, query.credit_id)
    obligations = await queries.my_obligations(uow.tx, query.person_id, today=uow.today())
    certificates = [
        c for c in await certificates_of(uow.tx, query.person_id) if c.credit_id == query.credit_id
    ]
    pending = await queries.counts_pending_credits(uow.tx)
    return CreditView(
        credit=credit,
        acceptance=credit_acceptance(
            obligations, query.credit_id, certificates, count_pending=pending
        ),
        certificates=certificates,
    )
