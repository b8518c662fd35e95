"""Users and passwords: argon2id hashes, lockout after repeated failures.

Users are global (a person may belong to several organisations) and mutable: password hashes
never enter the immutable history. What happens in an organisation (sign-ins, failures,
memberships) is recorded as events in that organisation's chain.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.organisations.organisation import Role
from domain.shared.errors import Refusal
from services.core.db import Tx
from services.core.passwords import password_refusal

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash("an unguessable dummy password used to equalise timing")
NOT_RIGHT = "the email or password is not right"
"""The one answer to every refused sign-in, whatever the reason."""


class IdentityError(Refusal):
    """A sign-in, an account or an API token refused."""


class InvalidEmail(IdentityError): ...


class WeakPassword(IdentityError): ...


class EmailTaken(IdentityError): ...


class InvalidCredentials(IdentityError): ...


class AccountLocked(InvalidCredentials):
    """Too many failures: refused like a wrong password, so a lock reveals nothing."""

    code = InvalidCredentials.code


class Membership(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: UUID
    role: Role
    organisation_name: str
    time_zone: str = "UTC"
    """The organisation's time zone, for showing times."""


def normalise_email(email: str) -> str:
    email = email.strip()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise InvalidEmail("enter a valid email address, like name@example.org")
    return email


def check_password(password: str) -> str:
    """``password`` if the password policy allows it (``services.core.passwords``); raises
    ``WeakPassword`` with the reason otherwise. Every place a password is chosen calls this."""
    refusal = password_refusal(password)
    if refusal is not None:
        raise WeakPassword(refusal)
    return password


async def create_user(tx: Tx, email: str, password: str) -> UUID:
    """Create a user with a new id; raise ``EmailTaken`` if the address is registered."""
    email, user_id = normalise_email(email), uuid4()
    inserted = await tx.pg.fetchval(
        "INSERT INTO users (user_id, email, password_hash) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING RETURNING user_id",
        user_id,
        email,
        _hasher.hash(check_password(password)),
    )
    if inserted is None:
        raise EmailTaken("an account with this email already exists; sign in instead")
    return user_id


async def authenticate(tx: Tx, email: str, password: str, *, now: datetime) -> UUID:
    """The user id for a correct email and password.

    Raises ``InvalidCredentials`` (without saying which part was wrong) or ``AccountLocked``
    after ``MAX_FAILED_SIGN_INS`` consecutive failures, for ``LOCKOUT``. The caller commits the
    transaction even when this raises, so failures are counted.
    """
    row = await tx.pg.fetchrow(
        "SELECT user_id, password_hash, failed_sign_ins, locked_until FROM users"
        " WHERE lower(email) = lower($1) FOR UPDATE",
        email.strip(),
    )
    if row is None:
        _verify(_DUMMY_HASH, password)
        raise InvalidCredentials(NOT_RIGHT)
    if row["locked_until"] is not None and row["locked_until"] > now:
        _verify(_DUMMY_HASH, password)  # the same time and answer as a wrong password
        raise AccountLocked(NOT_RIGHT)
    if not _verify(row["password_hash"], password):
        failures = row["failed_sign_ins"] + 1
        locked = failures >= MAX_FAILED_SIGN_INS
        await tx.pg.execute(
            "UPDATE users SET failed_sign_ins = $2, locked_until = $3 WHERE user_id = $1",
            row["user_id"],
            0 if locked else failures,
            now + LOCKOUT if locked else None,
        )
        raise InvalidCredentials(NOT_RIGHT)
    new_hash = _hasher.hash(password) if _hasher.check_needs_rehash(row["password_hash"]) else None
    await tx.pg.execute(
        "UPDATE users SET failed_sign_ins = 0, locked_until = NULL,"
        " password_hash = coalesce($2, password_hash) WHERE user_id = $1",
        row["user_id"],
        new_hash,
    )
    return UUID(str(row["user_id"]))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def user_id_for_email(tx: Tx, email: str) -> UUID | None:
    value = await tx.pg.fetchval(
        "SELECT user_id FROM users WHERE lower(email) = lower($1)", email.strip()
    )
    return None if value is None else UUID(str(value))


async def email_of(tx: Tx, user_id: UUID) -> str | None:
    """The sign-in address of ``user_id`` (None: no such account)."""
    value = await tx.pg.fetchval("SELECT email FROM users WHERE user_id = $1", user_id)
    return None if value is None else str(value)


async def email_verified(tx: Tx, user_id: UUID) -> bool:
    """Whether the user confirmed their address (by a verification or password-reset link)."""
    return bool(
        await tx.pg.fetchval(
            "SELECT email_verified_at IS NOT NULL FROM users WHERE user_id = $1", user_id
        )
    )


async def memberships_of(tx: Tx, user_id: UUID) -> list[Membership]:
    """Every organisation the user belongs to (visible through the own-memberships policy)."""
    await tx.pg.execute("SELECT set_config('app.user_id', $1, true)", str(user_id))
    rows = await tx.pg.fetch(
        "SELECT tenant_id, role, organisation_name, time_zone FROM memberships WHERE user_id = $1"
        " AND (access_until IS NULL OR access_until > now())"
        " ORDER BY organisation_name, tenant_id",
        user_id,
    )
    await tx.pg.execute("SELECT set_config('app.user_id', '', true)")
    return [
        Membership(
            tenant_id=r["tenant_id"],
            role=r["role"],
            organisation_name=r["organisation_name"],
            time_zone=r["time_zone"],
        )
        for r in rows
    ]


async def set_password(tx: Tx, user_id: UUID, password: str, *, now: datetime) -> None:
    """Replace the user's password and clear any lockout. Whoever proved control of the address
    (a mailed link) also verified it."""
    await tx.pg.execute(
        "UPDATE users SET password_hash = $2, failed_sign_ins = 0, locked_until = NULL,"
        " email_verified_at = coalesce(email_verified_at, $3) WHERE user_id = $1",
        user_id,
        _hasher.hash(check_password(password)),
        now,
    )
