"""Staff records: profiles, credentials, credits, and obligations with their full explanation.

Who may do what, for a person ``{person_id}`` of the organisation:
- the member whose own record it is reads and changes it (an auditor only reads);
- owners and admins read and change everyone's; auditors read everyone's;
- anyone else gets 403; a person of another organisation does not exist (404, by RLS).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.credits.credit import AmendCredit, RetractCredit
from domain.people import person as domain_person
from services.api.auth import requires_role
from services.api.params import check_days, day_parameter
from services.api.schemas import from_view
from services.api.schemas.credits import (
    Correction,
    Credit,
    CreditAmendment,
    CreditInput,
    CreditRecordedResponse,
)
from services.api.schemas.obligations import Obligation, Standing
from services.api.schemas.people import (
    AssignPerson,
    BirthMonthUpdate,
    CqrCompletion,
    CredentialCreate,
    Person,
    PersonCreate,
    RegistryIdUpdate,
)
from services.core.application import UseCases
from services.core.credits import use_cases as credit_use_cases
from services.core.credits.use_cases import ChangeCredit, RecordNewCredit
from services.core.organisation import use_cases as organisation_use_cases
from services.core.organisation.use_cases import CountPendingCredits
from services.core.people import handlers as people_handlers
from services.core.people import queries
from services.core.people import use_cases as people_use_cases
from services.core.people.use_cases import (
    ChangePerson,
    ObligationsQuery,
    RegisterNewPerson,
    StandingQuery,
)


class PeopleController(Controller):
    path = "/api/v1/people"
    tags = ("people",)

    @post("", status_code=201)
    async def register(
        self, use_cases: NamedDependency[UseCases], data: JSONBody[PersonCreate]
    ) -> Person:
        """Create a staff record (owners, admins), or one's own (any member but auditors)."""
        person = await use_cases.run(
            people_use_cases.register_person,
            RegisterNewPerson(**msgspec.structs.asdict(data)),
        )
        return from_view(person, Person)

    @get("/{person_id:uuid}")
    async def profile(
        self, use_cases: NamedDependency[UseCases], person_id: FromPath[UUID]
    ) -> Person:
        """Registry ids, credentials held, birth month, department and site."""
        return from_view(await use_cases.run(people_use_cases.view_person, person_id), Person)

    @put("/{person_id:uuid}/assignment")
    async def assign(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        data: JSONBody[AssignPerson],
    ) -> Person:
        """Set department, site and employee number (owners and admins)."""
        command = domain_person.AssignPerson(**msgspec.structs.asdict(data))
        return await _change(use_cases, person_id, command)

    @post("/{person_id:uuid}/credentials", status_code=201)
    async def add_credential(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        data: JSONBody[CredentialCreate],
    ) -> Person:
        """Record a credential held (e.g. ARDMS RDMS with AB and OB/GYN)."""
        command = domain_person.AddCredential(
            body=data.body, code=data.code, earned_on=data.earned_on, specialties=data.specialties
        )
        return await _change(use_cases, person_id, command)

    @post("/{person_id:uuid}/credentials/{credential_id:uuid}/cqr-completion", status_code=201)
    async def record_cqr_completion(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        credential_id: FromPath[UUID],
        data: JSONBody[CqrCompletion],
    ) -> Person:
        """Record that the ARRT Continuing Qualifications Requirement of a credential was met."""
        command = domain_person.RecordCqrCompletion(
            credential_id=credential_id, completed_on=data.completed_on
        )
        return await _change(use_cases, person_id, command)

    @put("/{person_id:uuid}/registry-id")
    async def record_registry_id(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        data: JSONBody[RegistryIdUpdate],
    ) -> Person:
        """Record the person's id at a certifying body."""
        command = domain_person.RecordRegistryId(body=data.body, registry_id=data.registry_id)
        return await _change(use_cases, person_id, command)

    @put("/{person_id:uuid}/birth-month")
    async def record_birth_month(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        data: JSONBody[BirthMonthUpdate],
    ) -> Person:
        """Record the birth month (ARRT and NMTCB anchor cycles on it)."""
        command = domain_person.RecordBirthMonth(birth_month=data.birth_month)
        return await _change(use_cases, person_id, command)

    @get("/{person_id:uuid}/credits")
    async def credits(
        self, use_cases: NamedDependency[UseCases], person_id: FromPath[UUID]
    ) -> list[Credit]:
        """The person's credits with verification status, newest first."""
        credits = await use_cases.run(credit_use_cases.list_credits, person_id)
        return from_view(credits, list[Credit])

    @post("/{person_id:uuid}/credits", status_code=201)
    async def record_credit(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        data: JSONBody[CreditInput],
    ) -> CreditRecordedResponse:
        """Record a CME activity; the answer says at once which bodies count it, and why not."""
        recorded = await use_cases.run(
            credit_use_cases.record_credit,
            RecordNewCredit(person_id=person_id, details=data.details()),
        )
        return from_view(recorded, CreditRecordedResponse)

    @post("/{person_id:uuid}/credits/{credit_id:uuid}/amendments")
    async def amend_credit(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        credit_id: FromPath[UUID],
        data: JSONBody[CreditAmendment],
    ) -> Credit:
        """Replace a credit's details, with a reason (history keeps the old ones)."""
        change = AmendCredit(details=data.details.details(), reason=data.reason)
        return await _change_credit(use_cases, person_id, credit_id, change)

    @post("/{person_id:uuid}/credits/{credit_id:uuid}/retraction")
    async def retract_credit(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        credit_id: FromPath[UUID],
        data: JSONBody[Correction],
    ) -> Credit:
        """Withdraw a credit, with a reason; it stops counting everywhere."""
        change = RetractCredit(reason=data.reason)
        return await _change_credit(use_cases, person_id, credit_id, change)

    @get("/{person_id:uuid}/standing")
    async def standing(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        as_of: Annotated[
            date | None, day_parameter("Evaluate on this day (default: today), YYYY-MM-DD")
        ] = None,
    ) -> list[Standing]:
        """The standing with each body: the one status every view shows, in plain words, with
        the next action and the cycle it rests on."""
        check_days(as_of=as_of)
        standings = await use_cases.run(
            people_use_cases.standings_of, StandingQuery(person_id=person_id, as_of=as_of)
        )
        return from_view(standings, list[Standing])

    @get("/{person_id:uuid}/obligations")
    async def obligations(
        self,
        use_cases: NamedDependency[UseCases],
        person_id: FromPath[UUID],
        as_of: Annotated[
            date | None, day_parameter("Evaluate on this day (default: today), YYYY-MM-DD")
        ] = None,
        known_at: Annotated[
            datetime | None,
            day_parameter(
                "Owners, admins, auditors: replay only what was recorded by this"
                " moment (what the record showed then)"
            ),
        ] = None,
    ) -> list[Obligation]:
        """The previous and current obligation per body, with every number explained."""
        check_days(as_of=as_of, known_at=known_at)
        obligations = await use_cases.run(
            people_use_cases.obligations_of,
            ObligationsQuery(person_id=person_id, as_of=as_of, known_at=known_at),
        )
        return from_view(obligations, list[Obligation])


async def _change(
    use_cases: UseCases, person_id: UUID, change: people_handlers.PersonCommand
) -> Person:
    person = await use_cases.run(
        people_use_cases.change_person, ChangePerson(person_id=person_id, change=change)
    )
    return from_view(person, Person)


async def _change_credit(
    use_cases: UseCases, person_id: UUID, credit_id: UUID, change: AmendCredit | RetractCredit
) -> Credit:
    credit = await use_cases.run(
        credit_use_cases.change_credit,
        ChangeCredit(person_id=person_id, credit_id=credit_id, change=change),
    )
    return from_view(credit, Credit)


class OrganisationController(Controller):
    path = "/api/v1/organisation"
    tags = ("organisation",)

    @put("/pending-credits", guards=[requires_role("owner")], status_code=204)
    async def choose_pending_counting(
        self, use_cases: NamedDependency[UseCases], data: JSONBody[CountPendingCredits]
    ) -> None:
        """Whether credits awaiting a certificate check count toward statuses (default: no)."""
        await use_cases.run(organisation_use_cases.choose_pending_counting, data)

    @get("/summary", guards=[requires_role("owner", "admin", "auditor")])
    async def summary(
        self,
        use_cases: NamedDependency[UseCases],
        as_of: Annotated[
            date | None, day_parameter("Evaluate on this day (default: today)")
        ] = None,
    ) -> queries.OrganisationSummary:
        """Counts by status, body, department and site, and the next deadlines."""
        check_days(as_of=as_of)
        return await use_cases.run(people_use_cases.summarise_organisation, as_of)
