"""Billing: the answer to the payment provider's webhook."""

from __future__ import annotations

import msgspec

from services.core.billing.webhooks import Outcome


class Acknowledged(msgspec.Struct, frozen=True, kw_only=True):
    received: bool
    outcome: Outcome
