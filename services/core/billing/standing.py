"""Where the organisation stands with its payments, and the check employer features make.

``require_employer_features`` is part of the policy every employer use case checks (inviting,
importing the roster, reviewing certificates): once a payment is overdue (or the trial over)
beyond the grace period, they are refused until payment. Reading and exporting one's own
records never asks.
"""

from __future__ import annotations

from datetime import timedelta

from domain.billing.dunning import Phase, employer_features_open, phase
from domain.shared.errors import DomainError
from services.core.application import UnitOfWork
from services.core.billing import queries


class PaymentRequired(DomainError):
    """Employer features are read-only until the organisation's payment goes through (402)."""

    code = "payment_required"


def grace(uow: UnitOfWork) -> timedelta:
    return timedelta(days=uow.settings.billing_grace_days)


async def current_phase(uow: UnitOfWork) -> Phase:
    row = await queries.account(uow.tx)
    return phase(row.account if row else None, uow.now(), grace(uow))


async def require_employer_features(uow: UnitOfWork) -> None:
    """Refuse (``PaymentRequired``) while the organisation is restricted for non-payment."""
    if uow.actor.role == "system":
        return
    if not employer_features_open(await current_phase(uow)):
        raise PaymentRequired(
            "the organisation's payment is overdue, so employer features are read-only until"
            " an owner settles it on the billing page; your own records stay readable"
        )
