"""Account pages: sign in and out, open an organisation, switch organisation, accept an
invitation, and the pages behind mailed links (password reset, email verification).

Each runs the same use cases (``services.core.accounts``) as the JSON endpoints in
``controllers/session.py`` and ``controllers/account.py``. Passwords are never shown again in a
refused form; everything else typed is.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Redirect, Response, Template

from domain.organisations.organisation import (
    InvalidOrganisation,
    InvitationClosed,
    InvitationForSomeoneElse,
    InvitationNotFound,
)
from domain.shared.errors import Refusal
from services.api.application import mail_after_answer
from services.api.controllers.account import password_resets_task
from services.api.controllers.session import start_signed_in
from services.api.portal.forms import Form, read_form
from services.api.portal.pages import (
    HOME,
    LANDING,
    page,
    principal,
    safe_next,
    see_other,
    signed_in_member,
)
from services.core.accounts import identity, mailed_links, signing_in
from services.core.accounts.handlers import AccountTokenGone, AccountTokenNotFound
from services.core.accounts.identity import (
    EmailTaken,
    IdentityError,
    InvalidCredentials,
    InvalidEmail,
    WeakPassword,
)
from services.core.accounts.mailed_links import EmailConfirmation, NewPassword
from services.core.accounts.signing_in import Credentials, InvitationAcceptance, NewOrganisation
from services.core.accounts.work import AccountUseCases
from services.core.application import UseCases
from services.core.organisation.handlers import SlugTaken

NextPage = Annotated[str | None, QueryParameter(name="next")]
Token = Annotated[str | None, QueryParameter(name="token")]
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_from(name: str) -> str:
    """The URL name suggested by an organisation's name ("St. Mary's" -> "st-mary-s")."""
    return _NOT_SLUG.sub("-", name.lower()).strip("-")[:50].strip("-")


async def _link_page(
    request: Request[Any, Any, Any], prefix: str, template: str, token: str | None
) -> Template:
    """The page a mailed link opens: its form carries the link's token."""
    return await page(request, template, form=Form(prefix, {"token": token or ""}))


def _refused_link(form: Form, exc: Refusal, gone: type[Refusal]) -> int:
    """Record why a mailed link's token was refused on its form; the page's status: 410 when
    the link is used up or expired (``gone``), else 404."""
    form.refuse(exc)
    return 410 if isinstance(exc, gone) else 404


def _field_of(exc: Exception) -> str | None:
    """The field an identity or organisation refusal is about."""
    if isinstance(exc, InvalidEmail | EmailTaken):
        return "email"
    if isinstance(exc, WeakPassword):
        return "password"
    if isinstance(exc, SlugTaken) or (isinstance(exc, InvalidOrganisation) and "URL" in str(exc)):
        return "slug"
    if isinstance(exc, InvalidOrganisation):
        return "organisation_name"
    return None


class AccountPages(Controller):
    path = "/"

    @get("/", exclude_from_auth=True)
    async def home(self, request: Request[Any, Any, Any]) -> Redirect:
        """The signed-in member's landing page for their role, else the sign-in page."""
        me = await signed_in_member(request)
        return Redirect(LANDING[me.role] if me else "/sign-in")

    @get("/sign-in", exclude_from_auth=True)
    async def sign_in_page(
        self, request: Request[Any, Any, Any], next_page: NextPage = None
    ) -> Template:
        return await page(request, "account/sign_in.html", form=Form("sign-in"), next=next_page)

    @post("/sign-in", exclude_from_auth=True)
    async def sign_in(
        self, request: Request[Any, Any, Any], account_use_cases: NamedDependency[AccountUseCases]
    ) -> Response[Any]:
        form = await read_form(request, "sign-in")
        email = form.text("email", "email address", max_length=254)
        password = form.password("password", "Enter your password")
        if form.ok:
            try:
                signed_in = await account_use_cases.run(
                    signing_in.sign_in, Credentials(email=email, password=password)
                )
            except InvalidCredentials:
                form.fail(None, "The email or password is not right. Check both and try again.")
                return await self._sign_in_again(request, form, 401)
            start_signed_in(request, signed_in, email)
            return see_other(request, safe_next(form.value("next")))
        return await self._sign_in_again(request, form, 422)

    async def _sign_in_again(
        self, request: Request[Any, Any, Any], form: Form, status: int
    ) -> Template:
        return await page(
            request, "account/sign_in.html", form=form, next=form.value("next"), status=status
        )

    @get("/sign-up", exclude_from_auth=True)
    async def sign_up_page(self, request: Request[Any, Any, Any]) -> Template:
        return await page(request, "account/sign_up.html", form=Form("sign-up"))

    @post("/sign-up", exclude_from_auth=True)
    async def sign_up(
        self, request: Request[Any, Any, Any], account_use_cases: NamedDependency[AccountUseCases]
    ) -> Response[Any]:
        """Open an organisation with its owner's account, and sign the owner in."""
        form = await read_form(request, "sign-up")
        name = form.text("organisation_name", "organisation's name", max_length=120)
        slug = form.text("slug", "URL name", required=False, max_length=50) or slug_from(name)
        email = form.text("email", "email address", max_length=254)
        password = form.password("password", "Choose a password of at least 12 characters")
        status = 422
        if form.ok:
            try:
                signed_in = await account_use_cases.run(
                    signing_in.sign_up,
                    NewOrganisation(name=name, slug=slug, email=email, password=password),
                )
            except (IdentityError, SlugTaken, InvalidOrganisation) as exc:
                form.refuse(exc, _field_of(exc))
                form.values["slug"] = slug
                status = 409 if isinstance(exc, EmailTaken | SlugTaken) else 422
            else:
                start_signed_in(request, signed_in, email)
                return see_other(request, HOME)
        return await page(request, "account/sign_up.html", form=form, status=status)

    @post("/sign-out")
    async def sign_out(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        await use_cases.run(signing_in.sign_out, None)
        request.clear_session()
        return see_other(request, "/sign-in", notice="signed-out")

    @post("/switch-organisation")
    async def switch_organisation(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Act in another organisation the signed-in user belongs to."""
        me = principal(request)
        form = await read_form(request, "switch")
        try:
            organisation_id = UUID(form.value("organisation_id"))
        except ValueError:
            raise NotFoundException("you are not a member of that organisation") from None
        signed_in = await use_cases.run(signing_in.switch_organisation, organisation_id)
        start_signed_in(request, signed_in, me.email)
        return see_other(request, HOME)

    @get("/forgot-password", exclude_from_auth=True)
    async def forgot_password_page(self, request: Request[Any, Any, Any]) -> Template:
        return await page(request, "account/forgot_password.html", form=Form("forgot"))

    @post("/forgot-password", exclude_from_auth=True)
    async def forgot_password(
        self,
        request: Request[Any, Any, Any],
        account_use_cases: NamedDependency[AccountUseCases],
    ) -> Template:
        """Mail a reset link if an account uses the address; the answer is the same either way."""
        form = await read_form(request, "forgot")
        email = form.text("email", "email address", max_length=254)
        if form.ok:
            try:
                identity.normalise_email(email)
            except InvalidEmail as exc:
                form.refuse(exc, "email")
        if not form.ok:
            return await page(request, "account/forgot_password.html", form=form, status=422)
        await account_use_cases.run(mailed_links.request_password_reset, email)
        sent = await page(request, "account/forgot_password.html", form=form, sent=True)
        sent.background = password_resets_task(request, account_use_cases)
        return sent

    @get("/reset-password", exclude_from_auth=True)
    async def reset_password_page(
        self, request: Request[Any, Any, Any], token: Token = None
    ) -> Template:
        return await _link_page(request, "reset", "account/reset_password.html", token)

    @post("/reset-password", exclude_from_auth=True)
    async def reset_password(
        self, request: Request[Any, Any, Any], account_use_cases: NamedDependency[AccountUseCases]
    ) -> Response[Any]:
        """Set a new password with a mailed link; every session of the account ends."""
        form = await read_form(request, "reset")
        password = form.value("password")
        if password != form.value("password_again"):
            form.fail("password_again", "The two passwords are not the same")
        status = 422
        if form.ok:
            try:
                await account_use_cases.run(
                    mailed_links.reset_password,
                    NewPassword(token=form.value("token"), password=password),
                )
            except (AccountTokenNotFound, AccountTokenGone) as exc:
                status = _refused_link(form, exc, AccountTokenGone)
            except WeakPassword as exc:
                form.refuse(exc, "password")
            else:
                request.clear_session()
                return see_other(request, "/sign-in", notice="password-changed")
        return await page(request, "account/reset_password.html", form=form, status=status)

    @get("/verify-email", exclude_from_auth=True)
    async def verify_email_page(
        self, request: Request[Any, Any, Any], token: Token = None
    ) -> Template:
        """Ask for a click before using the link: mail scanners that open links must not use
        it up."""
        return await _link_page(request, "verify", "account/verify_email.html", token)

    @post("/verify-email", exclude_from_auth=True)
    async def verify_email(
        self, request: Request[Any, Any, Any], account_use_cases: NamedDependency[AccountUseCases]
    ) -> Template:
        form = await read_form(request, "verify")
        try:
            await account_use_cases.run(mailed_links.verify_email, form.value("token"))
        except (AccountTokenNotFound, AccountTokenGone) as exc:
            status = _refused_link(form, exc, AccountTokenGone)
            return await page(request, "account/verify_email.html", form=form, status=status)
        return await page(request, "account/verify_email.html", form=form, confirmed=True)

    @post("/verify-email/send")
    async def send_verification(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """Mail the signed-in user a link that confirms their address."""
        me = principal(request)
        message = await use_cases.run(
            mailed_links.request_email_verification, EmailConfirmation(email=me.email)
        )
        response = see_other(request, "/profile", notice="verification-sent")
        response.background = mail_after_answer(request, message)
        return response

    @get("/accept-invitation", exclude_from_auth=True)
    async def accept_invitation_page(
        self, request: Request[Any, Any, Any], token: Token = None
    ) -> Template:
        return await _link_page(request, "invitation", "account/accept_invitation.html", token)

    @post("/accept-invitation", exclude_from_auth=True)
    async def accept_invitation(
        self, request: Request[Any, Any, Any], account_use_cases: NamedDependency[AccountUseCases]
    ) -> Response[Any]:
        """Join the organisation: a new address sets its password, an existing account gives
        its own; then the person is signed in there."""
        form = await read_form(request, "invitation")
        password = form.password("password", "Enter a password")
        status = 422
        if form.ok:
            try:
                joined = await account_use_cases.run(
                    signing_in.accept_invitation,
                    InvitationAcceptance(token=form.value("token"), password=password),
                )
            except (InvitationNotFound, InvitationClosed, InvitationForSomeoneElse) as exc:
                status = _refused_link(form, exc, InvitationClosed)
            except InvalidCredentials:
                form.fail(
                    "password",
                    "This address already has an account: enter that account's password",
                )
                status = 401
            except IdentityError as exc:
                form.refuse(exc, _field_of(exc))
            else:
                start_signed_in(request, joined, joined.email)
                return see_other(request, HOME)
        return await page(request, "account/accept_invitation.html", form=form, status=status)
