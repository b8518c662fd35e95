"""Members' mail preferences (per organisation) and one-click unsubscribe links.

An unsubscribe link carries a token: the organisation, the user and the category, signed with
HMAC-SHA-256 under ``settings.secret_key``. It does not expire (a mail may be read months
later); rotating the secret key voids every link sent before, and members can still change
their preferences when signed in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from uuid import UUID

import msgspec

from domain.notifications.preferences import (
    MAIL_CATEGORIES,
    ChangedVia,
    ChangeMailPreferences,
    MailCategory,
    MailPreferences,
    decide_change_mail_preferences,
)
from services.core.aggregates import MAIL_PREFERENCES
from services.core.db import Tx
from services.core.eventsourcing.commands import CommandContext

_TOKEN_PURPOSE = b"cmeledger unsubscribe v1\x00"
_MAC_BYTES = 16


async def mail_preferences(tx: Tx, user_ids: Sequence[UUID]) -> dict[UUID, MailPreferences]:
    """The preferences of each of ``user_ids`` in the transaction's organisation."""
    rows = await tx.pg.fetch(
        "SELECT user_id, opted_out FROM mail_preferences"
        " WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])",
        tx.require_tenant(),
        list(user_ids),
    )
    stored = {
        row["user_id"]: msgspec.convert(row["opted_out"], frozenset[MailCategory]) for row in rows
    }
    return {
        user_id: MailPreferences(user_id=user_id, opted_out=stored.get(user_id, frozenset()))
        for user_id in user_ids
    }


async def change_mail_preferences(
    context: CommandContext[Tx],
    *,
    user_id: UUID,
    wanted: Mapping[MailCategory, bool],
    via: ChangedVia,
) -> MailPreferences:
    """Turn the ``wanted`` categories on or off for the member; return their preferences."""
    command = ChangeMailPreferences(user_id=user_id, wanted=wanted, via=via)
    await MAIL_PREFERENCES.execute(context, user_id, decide_change_mail_preferences, command)
    return (await mail_preferences(context.tx, [user_id]))[user_id]


class UnsubscribeLink(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: UUID
    user_id: UUID
    category: MailCategory


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret_key: str, payload: bytes) -> bytes:
    return hmac.new(secret_key.encode(), _TOKEN_PURPOSE + payload, hashlib.sha256).digest()[
        :_MAC_BYTES
    ]


def unsubscribe_token(secret_key: str, link: UnsubscribeLink) -> str:
    payload = link.tenant_id.bytes + link.user_id.bytes + link.category.encode()
    return f"{_encode(payload)}.{_encode(_mac(secret_key, payload))}"


def read_unsubscribe_token(secret_key: str, token: str) -> UnsubscribeLink | None:
    """What a token unsubscribes from, or None if the token was not signed with the key."""
    encoded, _, signature = token.partition(".")
    try:
        payload, mac = _decode(encoded), _decode(signature)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(mac, _mac(secret_key, payload)) or len(payload) <= 32:
        return None
    category = payload[32:].decode(errors="replace")
    if category not in MAIL_CATEGORIES:
        return None
    return UnsubscribeLink(
        tenant_id=UUID(bytes=payload[:16]),
        user_id=UUID(bytes=payload[16:32]),
        category=msgspec.convert(category, MailCategory),
    )


def unsubscribe_url(public_url: str, secret_key: str, link: UnsubscribeLink) -> str:
    return f"{public_url.rstrip('/')}/unsubscribe?token={unsubscribe_token(secret_key, link)}"
