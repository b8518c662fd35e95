"""Which mail a member receives: their preferences, and one-click unsubscribe links (RFC 8058).

``POST /unsubscribe?token=...`` is what a mail client sends for ``List-Unsubscribe-Post``: no
session and no CSRF token, the signed token alone says who unsubscribes from what. ``GET``
with the same token only shows a page with a button that posts it, because mail scanners
follow links and must not unsubscribe anyone.
"""

from __future__ import annotations

import html
from typing import Annotated

from litestar import Controller, MediaType, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from litestar.response import Response

from domain.notifications.preferences import (
    MAIL_CATEGORIES,
    MANDATORY_MAIL,
    MailCategory,
    MailPreferences,
)
from services.api.schemas.mail_preferences import MailPreferencesUpdate, MailPreferencesView
from services.core.accounts.mail_preferences import (
    PreferenceChange,
    Unsubscription,
    change_my_mail_preferences,
    my_mail_preferences,
    unsubscribe,
    unsubscription,
)
from services.core.accounts.work import AccountUseCases
from services.core.application import UseCases
from services.core.notifications.compose import CATEGORY_LABELS

UnsubscribeToken = Annotated[
    str,
    Parameter(
        description="The token of the unsubscribe link, as mailed",
        min_length=40,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
    ),
]


def _view(preferences: MailPreferences) -> MailPreferencesView:
    return MailPreferencesView(
        **{category: preferences.wants(category) for category in MAIL_CATEGORIES},
        always_sent=list(MANDATORY_MAIL),
    )


class MailPreferencesController(Controller):
    path = "/api/v1/me/mail-preferences"
    tags = ("account",)

    @get("")
    async def get_preferences(self, use_cases: NamedDependency[UseCases]) -> MailPreferencesView:
        """Which optional mail you receive from the current organisation."""
        return _view(await use_cases.run(my_mail_preferences, None))

    @put("")
    async def put_preferences(
        self, use_cases: NamedDependency[UseCases], data: JSONBody[MailPreferencesUpdate]
    ) -> MailPreferencesView:
        """Turn optional mail from the current organisation on or off."""
        wanted: dict[MailCategory, bool] = {
            category: on
            for category in MAIL_CATEGORIES
            if (on := getattr(data, category)) is not None
        }
        changed = await use_cases.run(change_my_mail_preferences, PreferenceChange(wanted=wanted))
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


def _what(unsubscription: Unsubscription) -> str:
    return f"{CATEGORY_LABELS[unsubscription.category]} from {unsubscription.organisation}"


class UnsubscribeController(Controller):
    path = "/unsubscribe"
    tags = ("account",)

    @get("", exclude_from_auth=True, media_type=MediaType.HTML)
    async def confirm(
        self, account_use_cases: NamedDependency[AccountUseCases], token: UnsubscribeToken
    ) -> Response[str]:
        """A page asking to confirm the unsubscribe link; changes nothing."""
        offered = await account_use_cases.run(unsubscription, token)
        return _page(
            "Unsubscribe?",
            f"<p>Stop receiving {html.escape(_what(offered))}?</p>"
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
        self, account_use_cases: NamedDependency[AccountUseCases], token: UnsubscribeToken
    ) -> Response[str]:
        """One-click unsubscribe (RFC 8058): turns the link's category off for its member.
        Using a link again changes nothing more."""
        done = await account_use_cases.run(unsubscribe, token)
        return _page(
            "Unsubscribed",
            f"<p>You will no longer receive {html.escape(_what(done))}. You can turn it on again"
            " in your profile.</p>",
        )
