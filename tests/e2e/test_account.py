"""Password reset and email verification over HTTP, reading the mail from the fake mailer."""

from __future__ import annotations

import re
from contextlib import AsyncExitStack
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from services.core.db import Database
from services.core.mail import MemoryMailer
from services.core.settings import Settings
from tests.e2e.conftest import PASSWORD, connected_client, sign_up

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "a brand new passphrase"


def link_token(mailer: MemoryMailer, to: str, path: str) -> str:
    """The token of the last link to ``path`` mailed to ``to``, also present in the HTML body."""
    message = [m for m in mailer.sent if m.to == to][-1]
    match = re.search(rf"http://[^\s]+/{path}\?token=([\w-]+)", message.text)
    assert match is not None, message.text
    assert match.group(0) in message.html
    return match.group(1)


async def client(stack: AsyncExitStack, settings: Settings, mailer: MemoryMailer) -> Any:
    return await stack.enter_async_context(connected_client(settings, mailer))


async def reset_link(client: Any, mailer: MemoryMailer, email: str) -> str:
    """Ask for a password reset of ``email``; the token of the link mailed."""
    await client.post("/api/v1/password-reset", json={"email": email})
    return link_token(mailer, email, "reset-password")


async def new_owner(
    stack: AsyncExitStack, settings: Settings, mailer: MemoryMailer
) -> tuple[Any, Any]:
    """A new organisation's owner, signed in, and their sign-up answer."""
    owner = await client(stack, settings, mailer)
    return owner, await sign_up(owner)


async def reset_asked(stack: AsyncExitStack, settings: Settings) -> tuple[Any, Any, str]:
    """A new owner (signed in), their sign-up answer, and the token of a reset link."""
    mailer = MemoryMailer()
    owner, info = await new_owner(stack, settings, mailer)
    return owner, info, await reset_link(owner, mailer, info["email"])


async def sign_in(client: AsyncTestClient[Any], email: str, password: str) -> Any:
    return await client.post("/api/v1/session", json={"email": email, "password": password})


async def events_of(database: Database, tenant_id: str, event_type: str) -> list[dict[str, Any]]:
    async with database.transaction(UUID(tenant_id)) as tx:
        rows = await tx.pg.fetch(
            "SELECT data::text AS data FROM events WHERE event_type = $1 ORDER BY seq", event_type
        )
    return [dict(row) for row in rows]


async def test_a_reset_link_sets_a_new_password_once_and_ends_the_sessions(
    stack: AsyncExitStack, migrated: Settings, database: Database
) -> None:
    mailer = MemoryMailer()
    owner, info = await new_owner(stack, migrated, mailer)
    minted = await owner.post("/api/v1/tokens", json={"name": "ci", "scopes": ["read", "write"]})
    assert minted.status_code == 201, minted.text
    bearer = {"Authorization": f"Bearer {minted.json()['secret']}"}
    anonymous = await client(stack, migrated, mailer)
    assert (await anonymous.get("/api/v1/me", headers=bearer)).status_code == 200

    asked = await anonymous.post("/api/v1/password-reset", json={"email": info["email"].upper()})
    assert asked.status_code == 202, asked.text
    token = link_token(mailer, info["email"], "reset-password")

    done = await anonymous.post(
        "/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204, done.text
    assert (await owner.get("/api/v1/me")).status_code == 401, "the old session must end"
    assert (await anonymous.get("/api/v1/me", headers=bearer)).status_code == 401, "and tokens"
    assert (await sign_in(anonymous, info["email"], PASSWORD)).status_code == 401
    assert (await sign_in(anonymous, info["email"], NEW_PASSWORD)).status_code == 200

    again = await anonymous.post(
        "/api/v1/password-reset/confirm", json={"token": token, "password": "yet another one!"}
    )
    assert again.status_code == 410
    assert again.json()["type"] == "urn:cmeledger:problem:account_token_gone"
    assert len(await events_of(database, info["organisation_id"], "audits.PasswordReset")) == 1


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    stack: AsyncExitStack, migrated: Settings
) -> None:
    mailer = MemoryMailer()
    owner, info = await new_owner(stack, migrated, mailer)
    known = await owner.post("/api/v1/password-reset", json={"email": info["email"]})
    unknown = await owner.post("/api/v1/password-reset", json={"email": "nobody@example.org"})
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    assert [m.to for m in mailer.sent] == [info["email"]]


async def test_a_reset_clears_a_lockout(stack: AsyncExitStack, migrated: Settings) -> None:
    mailer = MemoryMailer()
    owner, info = await new_owner(stack, migrated, mailer)
    for _ in range(5):
        await sign_in(owner, info["email"], "not the password at all")
    assert (await sign_in(owner, info["email"], PASSWORD)).status_code == 401, "locked"
    token = await reset_link(owner, mailer, info["email"])
    done = await owner.post(
        "/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204, done.text
    assert (await sign_in(owner, info["email"], NEW_PASSWORD)).status_code == 200


async def test_expired_unknown_and_refused_reset_links(
    stack: AsyncExitStack, migrated: Settings, database: Database
) -> None:
    owner, info, token = await reset_asked(stack, migrated)

    for refused, reason in [
        ("short", "12 to 256 characters"),
        ("1qaz2wsx3edc", "10,000 most common passwords"),
        ("xyxyxyxyxyxyxyxy", "repeats one character or a short pattern"),
    ]:
        weak = await owner.post(
            "/api/v1/password-reset/confirm", json={"token": token, "password": refused}
        )
        assert weak.status_code == 422, "a refused password must not use up the link"
        assert weak.json()["type"] == "urn:cmeledger:problem:weak_password"
        assert reason in weak.json()["detail"]
    unknown = await owner.post(
        "/api/v1/password-reset/confirm", json={"token": "x" * 43, "password": NEW_PASSWORD}
    )
    assert unknown.status_code == 404

    async with database.transaction(None) as tx:
        await tx.pg.execute(
            "UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1",
            UUID(info["user_id"]),
        )
    expired = await owner.post(
        "/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert expired.status_code == 410
    assert (await sign_in(owner, info["email"], PASSWORD)).status_code == 200


async def test_the_reset_secret_is_stored_only_as_a_hash(
    stack: AsyncExitStack, migrated: Settings, database: Database
) -> None:
    _, info, token = await reset_asked(stack, migrated)
    async with database.transaction(None) as tx:
        hashes = await tx.pg.fetch(
            "SELECT token_hash FROM account_tokens WHERE user_id = $1", UUID(info["user_id"])
        )
    assert len(hashes) == 1
    assert hashes[0]["token_hash"] != token
    assert token not in hashes[0]["token_hash"]


async def test_a_signed_in_user_verifies_their_address_once(
    stack: AsyncExitStack, migrated: Settings, database: Database
) -> None:
    mailer = MemoryMailer()
    owner, info = await new_owner(stack, migrated, mailer)

    async def verified_at() -> Any:
        async with database.transaction(None) as tx:
            return await tx.pg.fetchval(
                "SELECT email_verified_at FROM users WHERE user_id = $1", UUID(info["user_id"])
            )

    assert await verified_at() is None
    sent = await owner.post("/api/v1/email-verification")
    assert sent.status_code == 202, sent.text
    token = link_token(mailer, info["email"], "verify-email")
    anonymous = await client(stack, migrated, mailer)
    confirmed = await anonymous.post("/api/v1/email-verification/confirm", json={"token": token})
    assert confirmed.status_code == 204, confirmed.text
    assert await verified_at() is not None
    again = await anonymous.post("/api/v1/email-verification/confirm", json={"token": token})
    assert again.status_code == 410
    reset_link = await anonymous.post(
        "/api/v1/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert reset_link.status_code == 404, "a verification link is no reset link"


async def test_asking_for_a_verification_link_needs_a_session(
    stack: AsyncExitStack, migrated: Settings
) -> None:
    mailer = MemoryMailer()
    anonymous = await client(stack, migrated, mailer)
    assert (await anonymous.post("/api/v1/email-verification")).status_code == 401
    assert mailer.sent == []
