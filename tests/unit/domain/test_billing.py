"""Billing rules: trial, observing the subscription, dunning phases, seats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.billing.account import (
    BillingAccount,
    BillingRefused,
    LinkCustomer,
    Observe,
    PaymentOverdue,
    PaymentRestored,
    StartTrial,
    Subscription,
    SubscriptionObserved,
    TrialStarted,
    decide_link_customer,
    decide_observe,
    decide_start_trial,
    evolve,
)
from domain.billing.dunning import Phase, employer_features_open, grace_ends, phase
from domain.billing.plans import Plan, billable_quantity, plan_for
from domain.shared.event import fold

T0 = datetime(2026, 1, 1, tzinfo=UTC)
GRACE = timedelta(days=14)


def sub(status: str, *, sid: str = "sub_1", quantity: int = 3) -> Subscription:
    return Subscription(subscription_id=sid, status=status, interval="month", quantity=quantity)  # type: ignore[arg-type]


def test_trial_lasts_the_days_from_opening_and_starts_once() -> None:
    [started] = decide_start_trial(None, StartTrial(opened_at=T0, days=30))
    assert started == TrialStarted(trial_ends_at=T0 + timedelta(days=30))
    assert decide_start_trial(evolve(None, started), StartTrial(opened_at=T0, days=30)) == []


def test_a_customer_is_linked_once() -> None:
    linked = evolve(None, decide_link_customer(None, LinkCustomer(customer_id="cus_a"))[0])
    assert decide_link_customer(linked, LinkCustomer(customer_id="cus_a")) == []
    with pytest.raises(BillingRefused):
        decide_link_customer(linked, LinkCustomer(customer_id="cus_b"))


@pytest.mark.parametrize(
    ("before", "observed", "expected"),
    [
        # (status before, or None; status observed; event types decided)
        (None, "active", [SubscriptionObserved]),
        ("active", "active", []),
        ("active", "past_due", [SubscriptionObserved, PaymentOverdue]),
        ("past_due", "past_due", []),
        ("past_due", "unpaid", [SubscriptionObserved]),
        ("past_due", "active", [SubscriptionObserved, PaymentRestored]),
        ("unpaid", "active", [SubscriptionObserved, PaymentRestored]),
        ("trialing", "active", [SubscriptionObserved]),
        ("active", "canceled", [SubscriptionObserved, PaymentOverdue]),
        (None, "incomplete", [SubscriptionObserved, PaymentOverdue]),
    ],
)
def test_observing_a_subscription_moves_dunning(
    before: str | None, observed: str, expected: list[type]
) -> None:
    state = None
    if before is not None:
        state = fold(evolve, decide_observe(None, Observe(subscription=sub(before)), now=T0))
    events = decide_observe(state, Observe(subscription=sub(observed)), now=T0 + timedelta(days=1))
    assert [type(e) for e in events] == expected


def test_the_grace_period_starts_at_the_first_failure_only() -> None:
    state = fold(evolve, decide_observe(None, Observe(subscription=sub("past_due")), now=T0))
    assert state is not None
    assert state.overdue_since == T0
    later = decide_observe(state, Observe(subscription=sub("unpaid")), now=T0 + timedelta(days=3))
    assert fold(evolve, later, state).overdue_since == T0  # type: ignore[union-attr]


def test_news_of_an_ended_older_subscription_changes_nothing() -> None:
    state = fold(
        evolve, decide_observe(None, Observe(subscription=sub("active", sid="sub_new")), now=T0)
    )
    assert decide_observe(state, Observe(subscription=sub("canceled", sid="sub_old")), now=T0) == []
    moved = decide_observe(state, Observe(subscription=sub("active", sid="sub_newer")), now=T0)
    assert [type(e) for e in moved] == [SubscriptionObserved]


def account(
    *,
    trial_ends: datetime | None = None,
    status: str | None = None,
    overdue_since: datetime | None = None,
) -> BillingAccount:
    return BillingAccount(
        trial_ends_at=trial_ends,
        subscription=sub(status) if status else None,
        overdue_since=overdue_since,
    )


@pytest.mark.parametrize(
    ("state", "now", "expected"),
    [
        (None, T0, "setting_up"),
        (account(), T0, "setting_up"),
        (account(trial_ends=T0 + timedelta(days=30)), T0, "trialing"),
        (account(trial_ends=T0), T0 + timedelta(days=1), "trial_ended"),
        (account(trial_ends=T0), T0 + GRACE, "restricted"),
        (account(trial_ends=T0, status="active"), T0 + GRACE * 3, "active"),
        (account(trial_ends=T0, status="trialing"), T0 + GRACE * 3, "active"),
        (
            account(status="past_due", overdue_since=T0),
            T0 + GRACE - timedelta(seconds=1),
            "past_due",
        ),
        (account(status="past_due", overdue_since=T0), T0 + GRACE, "restricted"),
        (account(status="canceled", overdue_since=T0), T0 + GRACE * 2, "restricted"),
    ],
)
def test_phase(state: BillingAccount | None, now: datetime, expected: Phase) -> None:
    assert phase(state, now, GRACE) == expected


@pytest.mark.parametrize(
    ("current", "open_"),
    [
        ("setting_up", True),
        ("trialing", True),
        ("trial_ended", True),
        ("active", True),
        ("past_due", True),
        ("restricted", False),
    ],
)
def test_only_restriction_closes_employer_features(current: Phase, open_: bool) -> None:
    assert employer_features_open(current) is open_


def test_grace_ends() -> None:
    assert grace_ends(account(status="past_due", overdue_since=T0), GRACE) == T0 + GRACE
    assert grace_ends(account(trial_ends=T0), GRACE) == T0 + GRACE
    assert grace_ends(account(trial_ends=T0, status="active"), GRACE) is None


@pytest.mark.parametrize(("people", "quantity"), [(0, 1), (1, 1), (7, 7), (1000, 1000)])
def test_every_active_person_is_a_seat_and_a_subscription_has_at_least_one(
    people: int, quantity: int
) -> None:
    assert billable_quantity(people) == quantity


def test_plans() -> None:
    monthly = Plan(interval="month", price_id="price_m", amount=900, currency="usd")
    annual = Plan(interval="year", price_id="price_y", amount=9000, currency="usd")
    assert monthly.total(12) == 10_800
    assert monthly.total(0) == 900
    assert plan_for((monthly, annual), price_id="price_y") is annual
    assert plan_for((monthly, annual), interval="month") is monthly
    assert plan_for((monthly, annual), price_id="price_x") is None
