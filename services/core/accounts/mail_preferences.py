"""Which optional mail a member receives from an organisation: their own settings, and the
one-click unsubscribe links in the mail (RFC 8058), which act without a session."""

from __future__ import annotations

import msgspec

from domain.notifications.preferences import MailCategory, MailPreferences
from services.core.accounts.signing_in import signed_in_user
from services.core.accounts.work import AccountWork
from services.core.application import NotFound, UnitOfWork
from services.core.eventsourcing.commands import CommandContext
from services.core.eventsourcing.store import Metadata
from services.core.notifications.preferences import (
    UnsubscribeLink,
    change_mail_preferences,
    mail_preferences,
    read_unsubscribe_token,
)
from services.core.organisation.queries import organisation_name


class PreferenceChange(msgspec.Struct, frozen=True, kw_only=True):
    wanted: dict[MailCategory, bool]
    """The categories to turn on (true) or off (false); the others stay as they are."""


class Unsubscription(msgspec.Struct, frozen=True, kw_only=True):
    """What an unsubscribe link stops: a category of mail from an organisation."""

    category: MailCategory
    organisation: str


async def my_mail_preferences(uow: UnitOfWork, _: None) -> MailPreferences:
    """The signed-in member's preferences in this organisation."""
    user_id = signed_in_user(uow)
    return (await mail_preferences(uow.tx, [user_id]))[user_id]


async def change_my_mail_preferences(uow: UnitOfWork, command: PreferenceChange) -> MailPreferences:
    """Turn optional mail from this organisation on or off for the signed-in member."""
    return await change_mail_preferences(
        uow.command(), user_id=signed_in_user(uow), wanted=command.wanted, via="settings"
    )


def _link(work: AccountWork, token: str) -> UnsubscribeLink:
    link = read_unsubscribe_token(work.settings.secret_key, token)
    if link is None:
        raise NotFound("this unsubscribe link is not valid")
    return link


async def unsubscription(work: AccountWork, token: str) -> Unsubscription:
    """What the unsubscribe link ``token`` would stop (``NotFound`` unless it is one of ours);
    changes nothing."""
    link = _link(work, token)
    async with work.transaction(link.tenant_id) as tx:
        organisation = await organisation_name(tx)
    return Unsubscription(category=link.category, organisation=organisation)


async def unsubscribe(work: AccountWork, token: str) -> Unsubscription:
    """Turn the link's category off for its member, as that member (the signed token is their
    say-so). Using a link again changes nothing more."""
    link = _link(work, token)
    async with work.transaction(link.tenant_id) as tx:
        organisation = await organisation_name(tx)
        member = Metadata(actor_id=str(link.user_id), request_id=work.visitor.request_id)
        await change_mail_preferences(
            CommandContext(tx, work.store, work.next_command_id(), member),
            user_id=link.user_id,
            wanted={link.category: False},
            via="unsubscribe_link",
        )
    return Unsubscription(category=link.category, organisation=organisation)
