"""Which mail a member receives: their preferences, and one-click unsubscribe links (RFC 8058).

``POST /unsubscribe?token=...`` is what a mail client sends for ``List-Unsubscribe-Post``: no
session and no CSRF token, the signed token alone says who unsubscribes from what. ``GET``
with the same token only shows a page with a button that posts it, because mail scanners
follow links and must not unsubscribe anyone.
"""

from __future__ import annotations

import html
from typing import Annotated, Any

import msgspec
from litestar import Controller, MediaType, Request, get, post, put
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody, Parameter
from litestar.response import Response

from domain.notifications.preferences import (
    MAIL_CATEGORIES,
    MANDATORY_MAIL,
    MailCategory,
    MailPreferences,
    MandatoryMail,
)
from services.api.auth import Principal
from services.api.controllers.invitations import actor
from services.api.controllers.session import request_id
from services.api.idempotency import request_command_id
from services.core.eventstore import Metadata
from services.core.notifications.compose import CATEGORY_LABELS
from services.core.notifications.outbox import organisation_name
from services.core.notifications.preferences import (
    UnsubscribeLink,
    change_mail_preferences,
    mail_preferences,
    read_unsubscribe_token,
)

UnsubscribeToken = Annotated[
    str,
    Parameter(
        description="The token of the unsubscribe link, as mailed",
        min_length=40,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
    ),
]


class MailPreferencesView(msgspec.Struct, frozen=True, kw_only=True):
    deadline_reminders: bool
    """Reminders as a deadline with a shortfall comes near, and while it is overdue."""
    weekly_digest: bool
    """Owners and admins: the organisation's weekly summary."""
    certificate_notifications: bool
    """When a certificate of yours is verified, needs review or is rejected."""
    always_sent: list[MandatoryMail]
    """Mail sent whatever these preferences say."""


class MailPreferencesUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The categories to turn on (true) or off (false); those left out stay as they are. An
    unknown name is refused, so a misspelt category never seems to have been turned off."""

    deadline_reminders: bool | None = None
    weekly_digest: bool | None = None
    certificate_notifications: bool | None = None


def _view(preferences: MailPreferences) -> MailPreferencesView:
    return MailPreferencesView(
        **{category: preferences.wants(category) for category in MAIL_CATEGORIES},
        always_sent=list(MANDATORY_MAIL),
    )


class MailPreferencesController(Controller):
    path = "/api/v1/me/mail-preferences"
    tags = ("account",)

    @get("")
    async def get_preferences(
        self, request: Request[Principal, Any, Any], state: State
    ) -> MailPreferencesView:
        """Which optional mail you receive from the current organisation."""
        async with state.database.transaction(request.user.tenant_id) as tx:
            found = await mail_preferences(tx, [request.user.user_id])
        return _view(found[request.user.user_id])

    @put("")
    async def put_preferences(
        self,
        request: Request[Principal, Any, Any],
        state: State,
        data: JSONBody[MailPreferencesUpdate],
    ) -> MailPreferencesView:
        """Turn optional mail from the current organisation on or off."""
        wanted: dict[MailCategory, bool] = {
            category: on
            for category in MAIL_CATEGORIES
            if (on := getattr(data, category)) is not None
        }
        async with state.database.transaction(request.user.tenant_id) as tx:
            changed = await change_mail_preferences(
                tx,
                state.store,
                user_id=request.user.user_id,
                wanted=wanted,
                via="settings",
                metadata=actor(request),
                command_id=request_command_id(request),
            )
        return _view(changed)


def _page(title: str, body: str) -> Response[str]:
    return Response(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title></head>"
        "<body style='font-family:Helvetica,Arial,sans-serif;max-width:36rem;margin:3rem auto;"
        f"padding:0 1rem;line-height:1.5'><h1>{html.escape(title)}</h1>{body}</body></html>",
        media_type=MediaType.HTML,
    )


class UnsubscribeController(Controller):
    path = "/unsubscribe"
    tags = ("account",)

    @staticmethod
    def _link(state: State, token: str) -> UnsubscribeLink:
        link = read_unsubscribe_token(state.settings.secret_key, token)
        if link is None:
            raise NotFoundException("this unsubscribe link is not valid")
        return link

    @get("", exclude_from_auth=True, media_type=MediaType.HTML)
    async def confirm(self, state: State, token: UnsubscribeToken) -> Response[str]:
        """A page asking to confirm the unsubscribe link; changes nothing."""
        link = self._link(state, token)
        async with state.database.transaction(link.tenant_id) as tx:
            organisation = await organisation_name(tx)
        what = f"{CATEGORY_LABELS[link.category]} from {organisation}"
        return _page(
            "Unsubscribe?",
            f"<p>Stop receiving {html.escape(what)}?</p>"
            # No action: the form posts to this very address, token included.
            "<form method='post'><button type='submit'>Unsubscribe</button></form>",
        )

    @post(
        "",
        exclude_from_auth=True,
        exclude_from_csrf=True,
        media_type=MediaType.HTML,
        status_code=200,
    )
    async def unsubscribe(
        self, request: Request[Any, Any, Any], state: State, token: UnsubscribeToken
    ) -> Response[str]:
        """One-click unsubscribe (RFC 8058): turns the link's category off for its member.
        Using a link again changes nothing more."""
        link = self._link(state, token)
        async with state.database.transaction(link.tenant_id) as tx:
            organisation = await organisation_name(tx)
            await change_mail_preferences(
                tx,
                state.store,
                user_id=link.user_id,
                wanted={link.category: False},
                via="unsubscribe_link",
                metadata=Metadata(actor_id=str(link.user_id), request_id=request_id(request)),
                command_id=request_command_id(request),
            )
        what = f"{CATEGORY_LABELS[link.category]} from {organisation}"
        return _page(
            "Unsubscribed",
            f"<p>You will no longer receive {html.escape(what)}. You can turn it on again in"
            " your profile.</p>",
        )
