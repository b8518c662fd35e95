"""The account use cases run without HTTP: the same functions the JSON API and the portal call,
for a visitor who is not signed in."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

import pytest

from services.core.accounts import mailed_links, signing_in
from services.core.accounts.mail_preferences import unsubscribe
from services.core.accounts.session_store import load_session, save_session
from services.core.accounts.signing_in import Credentials, NewOrganisation, SignedIn
from services.core.accounts.work import AccountUseCases, Visitor
from services.core.application import Application, NotFound
from services.core.db import Database
from services.core.mail import MemoryMailer
from services.core.registry import build_event_store
from services.core.settings import Settings

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(database: Database, settings: Settings) -> AccountUseCases:
    application = Application(database=database, store=build_event_store(), settings=settings)
    return AccountUseCases(application, Visitor(request_id="test"), command_ids=uuid4)


async def open_organisation(accounts: AccountUseCases) -> tuple[SignedIn, str]:
    email = f"{uuid4().hex[:12]}@example.org"
    opened = await accounts.run(
        signing_in.sign_up,
        NewOrganisation(
            name="Riverside Imaging", slug=uuid4().hex[:20], email=email, password=PASSWORD
        ),
    )
    return opened, email


async def test_signing_in_chooses_the_asked_organisation_and_refuses_another(
    accounts: AccountUseCases,
) -> None:
    opened, email = await open_organisation(accounts)

    signed_in = await accounts.run(
        signing_in.sign_in,
        Credentials(email=email, password=PASSWORD, organisation_id=opened.organisation.tenant_id),
    )
    assert signed_in.user_id == opened.user_id
    assert signed_in.organisation.role == "owner"

    with pytest.raises(NotFound):
        await accounts.run(
            signing_in.sign_in,
            Credentials(email=email, password=PASSWORD, organisation_id=uuid4()),
        )


async def test_a_password_reset_ends_every_session_of_the_account(
    accounts: AccountUseCases, database: Database
) -> None:
    opened, email = await open_organisation(accounts)
    session = {"user_id": str(opened.user_id), "tenant_id": str(opened.organisation.tenant_id)}
    await save_session(database, "a-session-of-the-owner", json.dumps(session).encode(), None)
    mailer = MemoryMailer()
    await accounts.run(mailed_links.request_password_reset, email)
    await accounts.run(mailed_links.send_password_resets, mailer)
    [mail] = [message for message in mailer.sent if message.to == email]
    token = mail.text.split("token=")[1].split()[0]

    user_id = await accounts.run(
        mailed_links.reset_password, mailed_links.NewPassword(token=token, password=PASSWORD + "!")
    )

    assert user_id == opened.user_id
    assert await load_session(database, "a-session-of-the-owner") is None


async def test_a_forged_unsubscribe_link_is_not_found(accounts: AccountUseCases) -> None:
    with pytest.raises(NotFound):
        await accounts.run(unsubscribe, f"{UUID(int=0).hex}.{'A' * 22}")
