"""Builders for domain tests: people, credits and waivers with only the fields a test needs."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.compliance.evaluation import Obligation, evaluate
from domain.compliance.packs import RULE_PACKS
from domain.credits.credit import (
    ActivityKind,
    Credit,
    CreditDetails,
    CreditType,
    Topic,
    VerificationStatus,
)
from domain.credits.waiver import Waiver, WaiverKind
from domain.people.credentials import Body, CredentialStatus
from domain.people.person import (
    Credential,
    CredentialAdded,
    CredentialStatusChanged,
    Person,
    PersonRegistered,
    evolve,
)

PERSON_ID = UUID(int=1)
NOW = datetime(2026, 11, 26, 12, 0)
_ids = itertools.count(1000)


def new_id() -> UUID:
    return UUID(int=next(_ids))


def day(iso: str) -> date:
    """A date written ``YYYY-MM-DD``, to keep the rows of a case table on one line."""
    return date.fromisoformat(iso)


def spans(text: str) -> list[tuple[date, date]]:
    """Windows written ``start..end``, separated by spaces: ``"2015-06-01..2017-03-31 ..."``."""
    return [(day(start), day(end)) for start, end in (w.split("..") for w in text.split())]


def fixed_ids(*ids: UUID) -> Callable[[], UUID]:
    """An id factory handing out ``ids`` in order."""
    return iter(ids).__next__


def credential(
    body: Body, code: str, earned_on: date, status: CredentialStatus = "active"
) -> Credential:
    return Credential(
        credential_id=new_id(), body=body, code=code, earned_on=earned_on, status=status
    )


def changed(held: Credential, *changes: tuple[date, CredentialStatus]) -> Credential:
    """``held`` after status changes (effective date, new status), folded by the aggregate."""
    state = evolve(None, PersonRegistered(person_id=PERSON_ID, full_name="Dana Sonographer"))
    state = evolve(state, CredentialAdded(person_id=PERSON_ID, credential=held))
    for effective_on, status in changes:
        change = CredentialStatusChanged(
            person_id=PERSON_ID,
            credential_id=held.credential_id,
            status=status,
            effective_on=effective_on,
            reason="",
        )
        state = evolve(state, change)
    return state.credential(held.credential_id)


def person(
    *credentials: Credential,
    birth_month: int | None = None,
    cycle_starts: dict[Body, date] | None = None,
) -> Person:
    return Person(
        person_id=PERSON_ID,
        full_name="Dana Sonographer",
        credentials=credentials,
        birth_month=birth_month,
        cycle_starts=cycle_starts or {},
    )


def details(
    completed_on: date,
    credits: str | Decimal = "1",
    *,
    types: tuple[CreditType, ...] = ("ama_pra_category_1",),
    topics: tuple[Topic, ...] = (),
    kind: ActivityKind = "standard",
    title: str | None = None,
    certificate_ref: str | None = None,
    partial_attendance: bool = False,
) -> CreditDetails:
    """Each call is a different activity (title) unless ``title`` is given."""
    return CreditDetails(
        title=title or f"Doppler update {next(_ids)}",
        provider="General Hospital and Medical Center",
        accrediting_organisation="ACCME",
        credit_types=types,
        completed_on=completed_on,
        credits=Decimal(credits),
        topics=topics,
        activity_kind=kind,
        certificate_ref=certificate_ref,
        partial_attendance=partial_attendance,
    )


def credit(
    completed_on: date,
    credits: str | Decimal = "1",
    *,
    verification: VerificationStatus = "pending",
    retraction_reason: str | None = None,
    credit_id: UUID | None = None,
    **details_options: Any,
) -> Credit:
    """A credit of ``details(completed_on, credits, **details_options)``."""
    return Credit(
        credit_id=credit_id or new_id(),
        person_id=PERSON_ID,
        details=details(completed_on, credits, **details_options),
        origin="self_reported",
        verification=verification,
        retraction_reason=retraction_reason,
    )


def waiver(body: Body, kind: WaiverKind, granted_on: date) -> Waiver:
    return Waiver(
        waiver_id=new_id(),
        person_id=PERSON_ID,
        body=body,
        kind=kind,
        granted_on=granted_on,
        reference="new specialty passed",
    )


def obligations(
    who: Person,
    credits: list[Credit] | tuple[Credit, ...] = (),
    waivers: list[Waiver] | tuple[Waiver, ...] = (),
    *,
    today: date,
) -> list[Obligation]:
    return evaluate(who, credits, waivers, today=today, rule_packs=RULE_PACKS)


def only(found: list[Obligation], body: Body, period: str = "current") -> Obligation:
    matching = [o for o in found if o.body == body and o.period == period]
    assert len(matching) == 1, f"expected one {period} {body} obligation, got {len(matching)}"
    return matching[0]


def line(obligation: Obligation, label: str = "total") -> tuple[Decimal, Decimal, Decimal]:
    """(required, counted, shortfall) of the named requirement line."""
    found = next(entry for entry in obligation.lines if entry.label == label)
    return found.required, found.counted, found.shortfall
