"""Password reset, email verification and personal API tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
import structlog
from litestar import Controller, Request, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.response import Response

from domain.audits.access import ApiTokenScope
from services.api.auth import Principal, requires_session
from services.api.controllers.invitations import actor
from services.api.controllers.session import request_id
from services.api.sessions import PostgresSessionStore
from services.core.handlers import accounts, api_tokens
from services.core.handlers.api_tokens import ApiToken
from services.core.mail import Message, send_quietly

Token = Annotated[str, msgspec.Meta(min_length=16, max_length=128)]


class PasswordResetRequest(msgspec.Struct, frozen=True, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]


class PasswordResetConfirm(msgspec.Struct, frozen=True, kw_only=True):
    token: Token
    password: Annotated[str, msgspec.Meta(max_length=256)]


class EmailVerificationConfirm(msgspec.Struct, frozen=True, kw_only=True):
    token: Token


class Accepted(msgspec.Struct, frozen=True, kw_only=True):
    detail: str


class ApiTokenCreate(msgspec.Struct, frozen=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    scopes: Annotated[list[ApiTokenScope], msgspec.Meta(min_length=1, max_length=2)]
    """``read``: safe methods; ``write``: also changes, as far as the member's role allows."""
    expires_at: datetime | None = None


class ApiTokenCreated(msgspec.Struct, frozen=True, kw_only=True):
    token: ApiToken
    secret: str
    """Shown once: send it as ``Authorization: Bearer <secret>``."""


def _accepted(state: State, message: Message, detail: str) -> Response[Accepted]:
    """202 at once; the mail is sent after the response."""
    background = BackgroundTask(send_quietly, state.mailer, message)
    return Response(Accepted(detail=detail), status_code=202, background=background)


async def _send_password_resets(state: State) -> None:
    try:
        await accounts.send_password_resets(
            state.database,
            state.mailer,
            public_url=state.settings.public_url,
            now=datetime.now(UTC),
        )
    except OSError:
        structlog.get_logger().exception("password reset mail not sent; the request is kept")


def password_resets_task(state: State) -> BackgroundTask:
    """After the answer: handle the pending password-reset requests (this one, and any a
    failed mail server or a restart left)."""
    return BackgroundTask(_send_password_resets, state)


class AccountController(Controller):
    path = "/api/v1"
    tags = ("account",)

    @post("/password-reset", exclude_from_auth=True, status_code=202)
    async def request_password_reset(
        self, state: State, data: JSONBody[PasswordResetRequest]
    ) -> Response[Accepted]:
        """Mail a password-reset link to the address, if an account uses it. The answer, and
        the work done before it, are the same either way."""
        await accounts.request_password_reset(
            state.database, email=data.email, now=datetime.now(UTC)
        )
        return Response(
            Accepted(detail="if an account uses this address, a link is on its way"),
            status_code=202,
            background=password_resets_task(state),
        )

    @post("/password-reset/confirm", exclude_from_auth=True, status_code=204)
    async def confirm_password_reset(
        self,
        request: Request[Any, Any, Any],
        state: State,
        data: JSONBody[PasswordResetConfirm],
    ) -> None:
        """Set a new password with a reset link. Clears a lockout and ends every session of the
        account; sign in again with the new password."""
        user_id = await accounts.reset_password(
            state.database,
            state.store,
            token=data.token,
            password=data.password,
            now=datetime.now(UTC),
            request_id=request_id(request),
        )
        sessions = request.app.stores.get("sessions")
        assert isinstance(sessions, PostgresSessionStore)
        await sessions.delete_for_user(user_id)

    @post("/email-verification", guards=[requires_session], status_code=202)
    async def request_email_verification(
        self, request: Request[Principal, Any, Any], state: State
    ) -> Response[Accepted]:
        """Mail a link that confirms the signed-in user's address."""
        message = await accounts.email_verification_message(
            state.database,
            user_id=request.user.user_id,
            email=request.user.email,
            public_url=state.settings.public_url,
            now=datetime.now(UTC),
        )
        return _accepted(state, message, "a confirmation link is on its way")

    @post("/email-verification/confirm", exclude_from_auth=True, status_code=204)
    async def confirm_email_verification(
        self, state: State, data: JSONBody[EmailVerificationConfirm]
    ) -> None:
        """Confirm an address with the mailed link."""
        await accounts.verify_email(state.database, token=data.token, now=datetime.now(UTC))


class ApiTokenController(Controller):
    path = "/api/v1/tokens"
    tags = ("api tokens",)

    @post("", guards=[requires_session], status_code=201)
    async def create(
        self, request: Request[Principal, Any, Any], state: State, data: JSONBody[ApiTokenCreate]
    ) -> ApiTokenCreated:
        """Make a personal API token for the current organisation. It acts with your role there,
        limited by its scopes. The secret is shown only in this answer."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            token, secret = await api_tokens.create_api_token(
                tx,
                state.store,
                user_id=request.user.user_id,
                name=data.name,
                scopes=data.scopes,
                expires_at=data.expires_at,
                now=datetime.now(UTC),
                metadata=actor(request),
            )
        return ApiTokenCreated(token=token, secret=secret)

    @get("")
    async def list_tokens(
        self, request: Request[Principal, Any, Any], state: State
    ) -> list[ApiToken]:
        """Your API tokens in the current organisation, newest first (never their secrets)."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            return await api_tokens.list_api_tokens(tx, user_id=request.user.user_id)

    @delete("/{token_id:uuid}", guards=[requires_session], status_code=204)
    async def revoke(
        self, request: Request[Principal, Any, Any], state: State, token_id: FromPath[UUID]
    ) -> None:
        """Revoke one of your API tokens; it stops working at once."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            await api_tokens.revoke_api_token(
                tx,
                state.store,
                user_id=request.user.user_id,
                token_id=token_id,
                now=datetime.now(UTC),
                metadata=actor(request),
            )
