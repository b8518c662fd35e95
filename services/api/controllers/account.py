"""Password reset, email verification and personal API tokens."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Response

from services.api.application import mail_after_answer, mailer_of
from services.api.auth import Principal, requires_session
from services.api.schemas.account import (
    Accepted,
    ApiTokenCreate,
    ApiTokenCreated,
    EmailVerificationConfirm,
    PasswordResetConfirm,
    PasswordResetRequest,
)
from services.core.accounts import api_tokens as account_api_tokens
from services.core.accounts import mailed_links
from services.core.accounts.api_tokens import NewApiToken
from services.core.accounts.mailed_links import EmailConfirmation, NewPassword
from services.core.accounts.token_handlers import ApiToken
from services.core.accounts.work import AccountUseCases
from services.core.application import UseCases


def password_resets_task(
    request: Request[Any, Any, Any], account_use_cases: AccountUseCases
) -> BackgroundTask:
    """After the answer: handle the pending password-reset requests (this one, and any a
    failed mail server or a restart left)."""
    mailer = mailer_of(request.app.state)
    return BackgroundTask(account_use_cases.run, mailed_links.send_password_resets, mailer)


def _accepted(detail: str, mailing: BackgroundTask) -> Response[Accepted]:
    """202 with ``detail``: the mail goes out after the answer (``mailing``)."""
    return Response(Accepted(detail=detail), status_code=202, background=mailing)


class AccountController(Controller):
    path = "/api/v1"
    tags = ("account",)

    @post("/password-reset", exclude_from_auth=True, status_code=202)
    async def request_password_reset(
        self,
        request: Request[Any, Any, Any],
        account_use_cases: NamedDependency[AccountUseCases],
        data: JSONBody[PasswordResetRequest],
    ) -> Response[Accepted]:
        """Mail a password-reset link to the address, if an account uses it. The answer, and
        the work done before it, are the same either way."""
        await account_use_cases.run(mailed_links.request_password_reset, data.email)
        return _accepted(
            "if an account uses this address, a link is on its way",
            password_resets_task(request, account_use_cases),
        )

    @post("/password-reset/confirm", exclude_from_auth=True, status_code=204)
    async def confirm_password_reset(
        self,
        account_use_cases: NamedDependency[AccountUseCases],
        data: JSONBody[PasswordResetConfirm],
    ) -> None:
        """Set a new password with a reset link. Clears a lockout and ends every session of the
        account; sign in again with the new password."""
        await account_use_cases.run(
            mailed_links.reset_password, NewPassword(token=data.token, password=data.password)
        )

    @post("/email-verification", guards=[requires_session], status_code=202)
    async def request_email_verification(
        self,
        request: Request[Principal, Any, Any],
        use_cases: NamedDependency[UseCases],
    ) -> Response[Accepted]:
        """Mail a link that confirms the signed-in user's address."""
        message = await use_cases.run(
            mailed_links.request_email_verification, EmailConfirmation(email=request.user.email)
        )
        return _accepted("a confirmation link is on its way", mail_after_answer(request, message))

    @post("/email-verification/confirm", exclude_from_auth=True, status_code=204)
    async def confirm_email_verification(
        self,
        account_use_cases: NamedDependency[AccountUseCases],
        data: JSONBody[EmailVerificationConfirm],
    ) -> None:
        """Confirm an address with the mailed link."""
        await account_use_cases.run(mailed_links.verify_email, data.token)


class ApiTokenController(Controller):
    path = "/api/v1/tokens"
    tags = ("api tokens",)

    @post("", guards=[requires_session], status_code=201)
    async def create(
        self, use_cases: NamedDependency[UseCases], data: JSONBody[ApiTokenCreate]
    ) -> ApiTokenCreated:
        """Make a personal API token for the current organisation. It acts with your role there,
        limited by its scopes. The secret is shown only in this answer."""
        made = await use_cases.run(
            account_api_tokens.create_api_token,
            NewApiToken(name=data.name, scopes=data.scopes, expires_at=data.expires_at),
        )
        return ApiTokenCreated(token=made.token, secret=made.secret)

    @get("")
    async def list_tokens(self, use_cases: NamedDependency[UseCases]) -> list[ApiToken]:
        """Your API tokens in the current organisation, newest first (never their secrets)."""
        return await use_cases.run(account_api_tokens.list_api_tokens, None)

    @delete("/{token_id:uuid}", guards=[requires_session], status_code=204)
    async def revoke(self, use_cases: NamedDependency[UseCases], token_id: FromPath[UUID]) -> None:
        """Revoke one of your API tokens; it stops working at once."""
        await use_cases.run(account_api_tokens.revoke_api_token, token_id)
