"""Where an organisation stands with its payments, and what that allows.

A phase, from the billing account and the moment:

- ``setting_up``: no billing account yet (the trial is being started);
- ``trialing``: in the free trial, no subscription needed;
- ``trial_ended``: the trial is over and nothing is paid, within the grace period;
- ``active``: a subscription in good standing;
- ``past_due``: a payment failed (or the subscription ended), within the grace period;
- ``restricted``: the grace period is over: employer features are read-only (no invitations,
  imports or reviews) until payment; everyone still reads and exports their own records, and
  nothing is ever deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from domain.billing.account import GOOD_STANDING, BillingAccount

Phase = Literal["setting_up", "trialing", "trial_ended", "active", "past_due", "restricted"]
BANNER_PHASES: frozenset[Phase] = frozenset({"trial_ended", "past_due", "restricted"})


def phase(account: BillingAccount | None, now: datetime, grace: timedelta) -> Phase:
    """The organisation's phase at ``now`` (see the module's docstring)."""
    if account is None or (account.trial_ends_at is None and account.subscription is None):
        return "setting_up"
    subscription = account.subscription
    if subscription is not None and subscription.status in GOOD_STANDING:
        return "active"
    if account.overdue_since is not None:
        return "past_due" if now < account.overdue_since + grace else "restricted"
    ends = account.trial_ends_at
    if ends is None or now < ends:
        return "trialing"
    return "trial_ended" if now < ends + grace else "restricted"


def employer_features_open(current: Phase) -> bool:
    """Whether employer features may change anything (invite, import, review)."""
    return current != "restricted"


def grace_ends(account: BillingAccount, grace: timedelta) -> datetime | None:
    """When the grace period of an overdue payment or an ended trial ends (None: no grace
    period running)."""
    if account.overdue_since is not None:
        return account.overdue_since + grace
    if account.subscription is None and account.trial_ends_at is not None:
        return account.trial_ends_at + grace
    return None
