"""The organisation's use cases on PostgreSQL, run as the API and the portal run them: each
checks who acts itself (a route guard is only a first filter), an invitation made by one is
accepted through another, and ending an auditor's access "now" takes the store's clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.organisations.organisation import Role
from services.core.accounts import signing_in
from services.core.accounts.signing_in import InvitationAcceptance
from services.core.accounts.work import AccountUseCases, Visitor
from services.core.application import AccessDenied, Actor, Application, UseCase, UseCases
from services.core.db import Database
from services.core.eventsourcing.store import EventStore
from services.core.idempotency import command_sequence
from services.core.organisation import use_cases as organisation
from services.core.organisation.handlers import OpenedOrganisation, open_organisation
from services.core.organisation.invitations import NewStaff
from services.core.organisation.queries import organisation_name
from services.core.organisation.use_cases import (
    EndMembership,
    GiveRole,
    Invite,
    SetAuditorAccess,
)
from services.core.settings import Settings

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


@pytest.fixture
def application(database: Database, store: EventStore, migrated: Settings) -> Application:
    return Application(database=database, store=store, settings=migrated)


@pytest.fixture
async def opened(database: Database, store: EventStore) -> OpenedOrganisation:
    return await open_organisation(
        database,
        store,
        name="Lakeside Imaging",
        slug=f"lakeside-{uuid4().hex[:8]}",
        email=f"owner-{uuid4().hex[:8]}@example.org",
        password=PASSWORD,
    )


def acting(
    application: Application, opened: OpenedOrganisation, role: Role, user_id: UUID
) -> UseCases:
    actor = Actor(tenant_id=opened.tenant_id, role=role, user_id=user_id)
    return application.use_cases(actor, command_sequence(uuid4()))


def visiting(application: Application) -> AccountUseCases:
    """Account use cases for a visitor who is not signed in."""
    return AccountUseCases(application, Visitor(), command_sequence(uuid4()))


async def test_an_invitation_is_accepted_and_the_members_are_listed(
    application: Application, opened: OpenedOrganisation
) -> None:
    owner = acting(application, opened, "owner", opened.user_id)
    email = f"dee-{uuid4().hex[:8]}@example.org"
    sent = await owner.run(
        organisation.invite, Invite(email=email, staff=NewStaff(full_name="Dee Okoro"))
    )
    assert sent.person_id is not None
    assert [i.email for i in await owner.run(organisation.list_invitations, None)] == [email]

    joined = await visiting(application).run(
        signing_in.accept_invitation,
        InvitationAcceptance(token=sent.invited.token, password=PASSWORD),
    )
    assert (joined.email, joined.organisation.tenant_id, joined.organisation.role) == (
        email,
        opened.tenant_id,
        "employee",
    )
    assert joined.organisations == [joined.organisation]
    members = {m.email: m for m in await owner.run(organisation.list_members, None)}
    assert members[email].person_id == sent.person_id
    assert members[email].user_id == joined.user_id


async def test_the_use_cases_refuse_an_employee_without_a_route_guard(
    application: Application, opened: OpenedOrganisation
) -> None:
    employee = acting(application, opened, "employee", uuid4())
    refused: list[tuple[UseCase[Any, Any], object]] = [
        (organisation.invite, Invite(email="x@example.org")),
        (organisation.list_invitations, None),
        (organisation.revoke_invitation, uuid4()),
        (organisation.list_members, None),
        (organisation.organisation, None),
        (organisation.change_role, GiveRole(user_id=opened.user_id, role="employee")),
        (organisation.change_auditor_access, SetAuditorAccess(user_id=uuid4(), access_until=None)),
        (organisation.remove_member, EndMembership(user_id=opened.user_id, reason="gone")),
    ]
    for use_case, command in refused:
        with pytest.raises(AccessDenied):
            await employee.run(use_case, command)
    admin = acting(application, opened, "admin", uuid4())
    with pytest.raises(AccessDenied):
        await admin.run(
            organisation.change_auditor_access, SetAuditorAccess(user_id=uuid4(), access_until=None)
        )
    owner = acting(application, opened, "owner", opened.user_id)
    [member] = await owner.run(organisation.list_members, None)
    assert member.role == "owner", "nothing was changed"


async def test_ending_an_auditors_access_now_takes_the_stores_clock(
    application: Application, opened: OpenedOrganisation
) -> None:
    owner = acting(application, opened, "owner", opened.user_id)
    email = f"audit-{uuid4().hex[:8]}@example.org"
    now = application.store.clock()
    sent = await owner.run(
        organisation.invite,
        Invite(email=email, role="auditor", access_until=now + timedelta(days=30)),
    )
    joined = await visiting(application).run(
        signing_in.accept_invitation,
        InvitationAcceptance(token=sent.invited.token, password=PASSWORD),
    )
    await owner.run(
        organisation.change_auditor_access,
        SetAuditorAccess(user_id=joined.user_id, access_until=None),
    )
    auditor = (await owner.run(organisation.organisation, None)).members[joined.user_id]
    assert auditor.access_until is not None
    assert now <= auditor.access_until <= application.store.clock()


async def test_the_organisation_is_named_by_its_read_model_and_a_tenant_without_one_by_nothing(
    database: Database, opened: OpenedOrganisation
) -> None:
    async with database.transaction(opened.tenant_id) as tx:
        assert await organisation_name(tx) == "Lakeside Imaging"
    async with database.transaction(uuid4()) as tx:
        assert await organisation_name(tx) == ""
