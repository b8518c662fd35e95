"""Password reset and email verification by mailed, single-use links.

Anyone may ask for a reset link (the answer is the same whether or not an account uses the
address); whoever holds a link proves control of the address.
"""

from __future__ import annotations

from uuid import UUID

import msgspec
import structlog

from services.core.accounts import handlers as accounts
from services.core.accounts.session_store import end_sessions_of
from services.core.accounts.signing_in import signed_in_user
from services.core.accounts.work import AccountWork
from services.core.application import UnitOfWork
from services.core.mail import Mailer, Message


class NewPassword(msgspec.Struct, frozen=True, kw_only=True):
    token: str
    """The secret of the mailed reset link."""
    password: str


class EmailConfirmation(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    """Where the signed-in member's confirmation link goes: their address."""


async def request_password_reset(work: AccountWork, email: str) -> None:
    """Note that someone asked for a reset link to ``email``; nothing is looked up, so neither
    the answer nor its timing tells whether an account uses the address. Then run
    ``send_password_resets``."""
    await accounts.request_password_reset(work.database, email=email, now=work.now())


async def send_password_resets(work: AccountWork, mailer: Mailer) -> int:
    """Mail a link for each pending reset request whose address an account uses (this one, and
    any a failed mail server or a restart left); return how many were sent. A mail server that
    refuses is logged, and its requests kept for the next run."""
    try:
        return await accounts.send_password_resets(
            work.database, mailer, public_url=work.settings.public_url, now=work.now()
        )
    except OSError:
        structlog.get_logger().exception("password reset mail not sent; the request is kept")
        return 0


async def reset_password(work: AccountWork, command: NewPassword) -> UUID:
    """Set a new password with a reset link: clears a lockout, revokes the account's API tokens
    and ends every session of the account. Returns the user id."""
    user_id = await accounts.reset_password(work, token=command.token, password=command.password)
    async with work.transaction(None) as tx:
        await end_sessions_of(tx, user_id)
    return user_id


async def request_email_verification(uow: UnitOfWork, command: EmailConfirmation) -> Message:
    """A mail with a link that confirms the signed-in member's address (the caller sends it)."""
    return await accounts.email_verification_message(
        uow.tx,
        user_id=signed_in_user(uow),
        email=command.email,
        public_url=uow.settings.public_url,
        now=uow.now(),
    )


async def verify_email(work: AccountWork, token: str) -> UUID:
    """Confirm an address with the mailed link's secret ``token``; returns the user id."""
    return await accounts.verify_email(work.database, token=token, now=work.now())
