"""Asking for a password-reset link does the same work whether or not an account uses the
address (one stored request, nothing looked up); the link is issued and mailed afterwards, for
an existing account only, and a request survives a mail server that refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from services.core.accounts import identity
from services.core.accounts.handlers import (
    LIFETIME,
    request_password_reset,
    send_password_resets,
)
from services.core.db import Database
from services.core.mail import MemoryMailer, Message

pytestmark = pytest.mark.integration
PUBLIC_URL = "http://ledger.test"


class RefusingMailer:
    """A mail server that is down."""

    async def send(self, message: Message) -> None:
        raise ConnectionRefusedError("the mail server is down")


async def new_account(database: Database) -> tuple[UUID, str]:
    email = f"{uuid4().hex[:12]}@example.org"
    async with database.transaction(None) as tx:
        return await identity.create_user(tx, email, "correct horse battery"), email


async def pending(database: Database, *emails: str) -> list[str]:
    async with database.transaction(None) as tx:
        rows = await tx.pg.fetch(
            "SELECT email FROM password_reset_requests WHERE email = ANY($1::text[])"
            " ORDER BY requested_at",
            list(emails),
        )
    return [row["email"] for row in rows]


async def links_of(database: Database, user_id: UUID) -> int:
    async with database.transaction(None) as tx:
        return int(
            await tx.pg.fetchval(
                "SELECT count(*) FROM account_tokens WHERE user_id = $1"
                " AND purpose = 'password_reset'",
                user_id,
            )
        )


@pytest.fixture(autouse=True)
async def no_pending_requests(database: Database) -> None:
    """Each test starts with no request left by another (the sender handles all of them)."""
    async with database.transaction(None) as tx:
        await tx.pg.execute("DELETE FROM password_reset_requests")


async def test_the_request_does_the_same_work_for_a_known_and_an_unknown_address(
    database: Database,
) -> None:
    user_id, known = await new_account(database)
    unknown = f"nobody-{uuid4().hex[:8]}@example.org"
    now = datetime.now(UTC)

    await request_password_reset(database, email=known, now=now)
    await request_password_reset(database, email=unknown, now=now)
    assert await pending(database, known, unknown) == [known, unknown], "one row each, alike"
    assert await links_of(database, user_id) == 0, "no link is issued while answering"

    mailer = MemoryMailer()
    assert await send_password_resets(database, mailer, public_url=PUBLIC_URL, now=now) == 1
    assert [message.to for message in mailer.sent] == [known]
    assert f"{PUBLIC_URL}/reset-password?token=" in mailer.sent[0].text
    assert await links_of(database, user_id) == 1
    assert await pending(database, known, unknown) == []


async def test_a_refused_mail_keeps_the_request_for_the_next_run(database: Database) -> None:
    user_id, known = await new_account(database)
    now = datetime.now(UTC)
    await request_password_reset(database, email=known, now=now)

    with pytest.raises(OSError, match="down"):
        await send_password_resets(database, RefusingMailer(), public_url=PUBLIC_URL, now=now)
    assert await pending(database, known) == [known]
    assert await links_of(database, user_id) == 0, "the link of an unsent mail is not kept"

    mailer = MemoryMailer()
    assert await send_password_resets(database, mailer, public_url=PUBLIC_URL, now=now) == 1
    assert [message.to for message in mailer.sent] == [known]


async def test_a_request_older_than_a_link_lifetime_is_dropped_unanswered(
    database: Database,
) -> None:
    _, known = await new_account(database)
    asked = datetime.now(UTC) - LIFETIME["password_reset"] - timedelta(minutes=1)
    await request_password_reset(database, email=known, now=asked)

    mailer = MemoryMailer()
    sent = await send_password_resets(
        database, mailer, public_url=PUBLIC_URL, now=datetime.now(UTC)
    )
    assert (sent, mailer.sent) == (0, [])
    assert await pending(database, known) == []


async def test_an_accounts_address_is_read_by_its_user_id_and_an_unknown_user_has_none(
    database: Database,
) -> None:
    user_id, email = await new_account(database)
    async with database.transaction(None) as tx:
        assert await identity.email_of(tx, user_id) == email
        assert await identity.email_of(tx, uuid4()) is None
