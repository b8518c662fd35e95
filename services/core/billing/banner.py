"""What every portal page shows owners and admins about billing: a warning while a payment is
overdue (or the trial over) and, for owners, the trial's end while it runs."""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.billing.dunning import BANNER_PHASES, Phase, grace_ends, phase
from services.core.application import UnitOfWork
from services.core.billing import queries
from services.core.billing.standing import grace


class BillingNotice(msgspec.Struct, frozen=True, kw_only=True):
    phase: Phase
    warning: bool
    trial_ends_at: datetime | None
    grace_ends_at: datetime | None


async def billing_notice(uow: UnitOfWork, _: None) -> BillingNotice | None:
    """The notice for owners and admins (None for everyone else: they see nothing of it)."""
    if uow.actor.role not in ("owner", "admin"):
        return None
    row = await queries.account(uow.tx)
    account = row.account if row else None
    current = phase(account, uow.now(), grace(uow))
    return BillingNotice(
        phase=current,
        warning=current in BANNER_PHASES,
        trial_ends_at=account.trial_ends_at if account and current == "trialing" else None,
        grace_ends_at=grace_ends(account, grace(uow)) if account else None,
    )
