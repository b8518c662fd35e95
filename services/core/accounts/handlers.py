"""Password reset and email verification by mailed, single-use, expiring links.

Only a SHA-256 hash of each link's secret is stored (``account_tokens``, global like users).
A link works once and until it expires; a used or expired link is gone (410), an unknown one
is not found (404).
"""

from __future__ import annotations

import html
import secrets
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID, uuid4

from domain.audits.access import PasswordReset
from services.core.accounts import identity
from services.core.accounts.identity import IdentityError
from services.core.accounts.work import AccountWork
from services.core.db import Database, Tx
from services.core.hashing import secret_hash
from services.core.mail import Mailer, Message
from services.core.organisation.handlers import record_access, revoke_api_tokens

Purpose = Literal["password_reset", "email_verification"]
LIFETIME: dict[Purpose, timedelta] = {
    "password_reset": timedelta(hours=1),
    "email_verification": timedelta(days=2),
}


class AccountTokenNotFound(IdentityError): ...


class AccountTokenGone(IdentityError):
    """The link was used already or has expired."""


async def _issue(tx: Tx, user_id: UUID, purpose: Purpose, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    await tx.pg.execute(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        secret_hash(token),
        user_id,
        purpose,
        now,
        now + LIFETIME[purpose],
    )
    return token


async def _consume(tx: Tx, token: str, purpose: Purpose, now: datetime) -> UUID:
    """Mark the link used (at most once, even under concurrent requests); the user it is for."""
    user_id = await tx.pg.fetchval(
        "UPDATE account_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2"
        " AND used_at IS NULL AND expires_at > $3 RETURNING user_id",
        secret_hash(token),
        purpose,
        now,
    )
    if user_id is not None:
        return UUID(str(user_id))
    known = await tx.pg.fetchval(
        "SELECT 1 FROM account_tokens WHERE token_hash = $1 AND purpose = $2",
        secret_hash(token),
        purpose,
    )
    if known is None:
        raise AccountTokenNotFound("this link is not valid")
    raise AccountTokenGone("this link was used already or has expired; ask for a new one")


def _message(to: str, subject: str, intro: str, link: str, lifetime: timedelta) -> Message:
    hours = int(lifetime.total_seconds() // 3600)
    ending = f"The link works once, for {hours} hours."
    ignore = "If you did not ask for this, ignore this message."
    return Message(
        to=to,
        subject=subject,
        text=f"{intro}\n\n{link}\n\n{ending}\n{ignore}\n",
        html=(
            f"<p>{html.escape(intro)}</p>"
            f'<p><a href="{html.escape(link)}">{html.escape(link)}</a></p>'
            f"<p>{ending}<br>{ignore}</p>"
        ),
    )


async def request_password_reset(database: Database, *, email: str, now: datetime) -> None:
    """Record that someone asked for a reset link to ``email``: one insert, the same whether or
    not an account uses the address (nothing is looked up), so the answer and its timing tell
    nothing. ``send_password_resets`` does the rest after the answer."""
    async with database.transaction(None) as tx:
        await tx.pg.execute(
            "INSERT INTO password_reset_requests (request_id, email, requested_at)"
            " VALUES ($1, $2, $3)",
            uuid4(),
            email.strip(),
            now,
        )


async def send_password_resets(
    database: Database, mailer: Mailer, *, public_url: str, now: datetime
) -> int:
    """Handle the pending reset requests, oldest first: where an account uses the address,
    issue a link and mail it; return how many mails were sent.

    A request is deleted in the transaction that issued its link, after the mail server took
    the mail; when the server refuses (``OSError``, raised), nothing is kept but the request,
    for the next run. Requests older than a link's lifetime are dropped unanswered.
    """
    async with database.transaction(None) as tx:
        await tx.pg.execute(
            "DELETE FROM password_reset_requests WHERE requested_at < $1",
            now - LIFETIME["password_reset"],
        )
    sent = 0
    while True:
        async with database.transaction(None) as tx:
            request = await tx.pg.fetchrow(
                "SELECT request_id, email FROM password_reset_requests"
                " ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED"
            )
            if request is None:
                return sent
            message = await _password_reset_message(tx, request["email"], public_url, now)
            if message is not None:
                await mailer.send(message)
                sent += 1
            await tx.pg.execute(
                "DELETE FROM password_reset_requests WHERE request_id = $1", request["request_id"]
            )


async def _password_reset_message(
    tx: Tx, email: str, public_url: str, now: datetime
) -> Message | None:
    """A new reset link for the account of ``email``, or None when no account uses it."""
    user_id = await identity.user_id_for_email(tx, email)
    stored_email = None if user_id is None else await identity.email_of(tx, user_id)
    if user_id is None or stored_email is None:
        return None
    token = await _issue(tx, user_id, "password_reset", now)
    return _message(
        stored_email,
        "Reset your CME Ledger password",
        "Someone asked to reset the password of your CME Ledger account. To choose a new one,"
        " open this link:",
        f"{public_url.rstrip('/')}/reset-password?token={token}",
        LIFETIME["password_reset"],
    )


async def reset_password(work: AccountWork, *, token: str, password: str) -> UUID:
    """Set a new password with a reset link; clears the lockout, voids the user's other reset
    links, revokes their API tokens and records ``PasswordReset`` in each of their
    organisations (the event stands for the revocation too). The caller ends the user's
    sessions. Returns the user id."""
    identity.check_password(password)  # a refused password must not use up the link
    now = work.now()
    async with work.transaction(None) as tx:
        user_id = await _consume(tx, token, "password_reset", now)
        await identity.set_password(tx, user_id, password, now=now)
        await tx.pg.execute(
            "UPDATE account_tokens SET used_at = $2 WHERE user_id = $1"
            " AND purpose = 'password_reset' AND used_at IS NULL",
            user_id,
            now,
        )
        memberships = await identity.memberships_of(tx, user_id)
    for membership in memberships:
        async with work.transaction(membership.tenant_id) as tx:
            await revoke_api_tokens(tx, membership.tenant_id, user_id, now=now)
    await record_access(work, user_id, memberships, lambda: PasswordReset(user_id=user_id))
    return user_id


async def email_verification_message(
    tx: Tx, *, user_id: UUID, email: str, public_url: str, now: datetime
) -> Message:
    """A mail to ``email`` with a new link that confirms it for ``user_id``."""
    token = await _issue(tx, user_id, "email_verification", now)
    return _message(
        email,
        "Confirm your email address for CME Ledger",
        "To confirm that this address belongs to your CME Ledger account, open this link:",
        f"{public_url.rstrip('/')}/verify-email?token={token}",
        LIFETIME["email_verification"],
    )


async def verify_email(database: Database, *, token: str, now: datetime) -> UUID:
    async with database.transaction(None) as tx:
        user_id = await _consume(tx, token, "email_verification", now)
        await tx.pg.execute(
            "UPDATE users SET email_verified_at = coalesce(email_verified_at, $2)"
            " WHERE user_id = $1",
            user_id,
            now,
        )
    return user_id
