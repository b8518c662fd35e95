"""The provider directory: an entry as answered, and what is sent to add one."""

from __future__ import annotations

from typing import Annotated

import msgspec

from domain.credits.credit import CreditType
from domain.credits.providers import MAX_ALIASES, EntryKind, Origin, ProviderName
from domain.shared.limits import ReasonText


class AddProvider(msgspec.Struct, frozen=True, kw_only=True):
    name: ProviderName
    aliases: Annotated[tuple[ProviderName, ...], msgspec.Meta(max_length=MAX_ALIASES)] = ()
    credit_types: tuple[CreditType, ...] = ()
    reference: ReasonText = ""
    """Where the provider can be checked (its site, an accreditor's listing)."""


class BlockProvider(msgspec.Struct, frozen=True, kw_only=True):
    name: ProviderName
    aliases: Annotated[tuple[ProviderName, ...], msgspec.Meta(max_length=MAX_ALIASES)] = ()
    reason: ReasonText
    """Why its certificates must never verify (shown to reviewers)."""


class ProviderEntry(msgspec.Struct, frozen=True, kw_only=True):
    provider_id: str
    name: str
    aliases: tuple[str, ...] = ()
    """Other names: acronyms, former names, names as printed."""
    credit_types: tuple[CreditType, ...] = ()
    """The credit types or approvals its certificates carry, as far as known."""
    reference: str
    """Where the entry comes from: source ids of the domain reference, or a public address."""
    origin: Origin = "seed"
    kind: EntryKind = "listed"
    """``blocked``: the organisation blocked the provider; its certificates never verify."""
    reason: str = ""
    """Why the provider is blocked."""
