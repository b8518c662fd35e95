"""Mail preferences over HTTP (session or personal API token), and the invitation mail."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import AsyncTestClient

from services.api.app import create_app
from services.core.mail import MemoryMailer
from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, Org, connected_client, invitation, sign_up

pytestmark = pytest.mark.e2e
PATH = "/api/v1/me/mail-preferences"
ALL_ON = {
    "deadline_reminders": True,
    "weekly_digest": True,
    "certificate_notifications": True,
    "always_sent": [
        "password_reset",
        "email_verification",
        "invitation",
        "auditor_access",
        "billing",
    ],
}


async def test_a_member_turns_optional_mail_off_and_on_again(org: Org) -> None:
    assert (await org.owner.get(PATH)).json() == ALL_ON
    off = await org.owner.put(PATH, json={"weekly_digest": False, "deadline_reminders": True})
    assert off.status_code == 200, off.text
    assert off.json() == {**ALL_ON, "weekly_digest": False}
    assert (await org.owner.get(PATH)).json() == {**ALL_ON, "weekly_digest": False}
    assert (await org.owner.put(PATH, json={})).json() == {**ALL_ON, "weekly_digest": False}
    assert (await org.owner.put(PATH, json={"weekly_digest": True})).json() == ALL_ON
    history = await org.owner.get(
        "/api/v1/audit/events", params={"event_type": "notifications.MailPreferencesChanged"}
    )
    assert [e["data"]["opted_out"] for e in history.json()["events"]] == [["weekly_digest"], []]


async def test_preferences_belong_to_the_member_and_refusals_change_nothing(org: Org) -> None:
    employee, _ = await org.member("employee")
    await employee.put(PATH, json={"certificate_notifications": False})
    assert (await org.owner.get(PATH)).json() == ALL_ON
    for body in ({"weekly_digest": "no"}, {"weekly_digset": False}, [1]):
        refused = await employee.put(PATH, json=body)
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await employee.get(PATH)).json() == {**ALL_ON, "certificate_notifications": False}


async def test_personal_api_tokens_read_and_with_write_scope_change_preferences(
    org: Org, migrated: Settings
) -> None:
    tokens = {}
    for scopes in (["read"], ["read", "write"]):
        made = await org.owner.post("/api/v1/tokens", json={"name": "mail", "scopes": scopes})
        assert made.status_code == 201, made.text
        tokens[len(scopes)] = made.json()["secret"]
    async with AsyncTestClient(create_app(migrated)) as bare:
        assert (await bare.get(PATH)).status_code == 401
        read = {"authorization": f"Bearer {tokens[1]}"}
        write = {"authorization": f"Bearer {tokens[2]}"}
        assert (await bare.get(PATH, headers=read)).json() == ALL_ON
        refused = await bare.put(PATH, json={"weekly_digest": False}, headers=read)
        assert refused.status_code == 403
        changed = await bare.put(PATH, json={"weekly_digest": False}, headers=write)
        assert changed.status_code == 200, changed.text
    assert (await org.owner.get(PATH)).json()["weekly_digest"] is False


async def test_an_invitation_is_mailed_with_its_link_as_mandatory_mail(
    migrated: Settings, stack: AsyncExitStack
) -> None:
    mailer = MemoryMailer()
    owner = await stack.enter_async_context(connected_client(migrated, mailer))
    await sign_up(owner, organisation_name="Lakeside Cardiology")
    body = invitation("employee")
    sent = await owner.post("/api/v1/invitations", json=body)
    assert sent.status_code == 201, sent.text
    [mail] = mailer.sent
    assert mail.to == body["email"]
    assert mail.subject == "You are invited to join Lakeside Cardiology on CME Ledger"
    assert mail.unsubscribe_url is None
    link = next(word for word in mail.text.split() if "/accept-invitation?token=" in word)
    token = parse_qs(urlsplit(link).query)["token"][0]
    assert token == sent.json()["accept_token"]
    assert f'href="{link}"' in mail.html
    invitee: AsyncTestClient[Any] = await stack.enter_async_context(connected_client(migrated))
    joined = await invitee.post(
        "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert joined.status_code == 200, joined.text
