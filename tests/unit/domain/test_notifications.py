"""Notifications in the domain: when a deadline reminder is due, mail preferences, the digest."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import msgspec
import pytest

from domain.compliance.evaluation import Obligation
from domain.compliance.standing import Standing
from domain.compliance.status import Status
from domain.notifications.digest import NEEDS_ATTENTION, build_digest, digest_day
from domain.notifications.preferences import (
    ChangeMailPreferences,
    MailCategory,
    MailPreferences,
    MailPreferencesChanged,
    decide_change_mail_preferences,
    evolve,
)
from domain.notifications.reminders import DueReminder, SentReminder, due_reminder
from tests.unit.domain.cme_builders import NOW, credential, fixed_ids, obligations, only, person

pytestmark = pytest.mark.unit

DEADLINE = date(2027, 12, 31)
USER = UUID(int=7)


def day(days_left: int) -> date:
    return DEADLINE - timedelta(days=days_left)


def sent(*thresholds: int) -> list[SentReminder]:
    return [SentReminder(threshold=t, sent_on=day(t)) for t in thresholds]


@pytest.mark.parametrize(
    ("days_left", "already", "expected"),
    [
        (181, [], None),
        (180, [], 180),
        (179, [], 180),  # the 180-day run was missed: sent a day late
        (179, [180], None),
        (90, [180], 90),
        (25, [180], 30),  # 90 and 30 both crossed since: only the most urgent, 30
        (25, [180, 30], None),
        (7, [180, 90, 30], 7),
        (0, [180, 90, 30], 7),  # the deadline day itself: 0 days left
        (0, [7], None),
        (60, [30], None),  # never an older threshold after a newer one
    ],
)
def test_a_reminder_goes_out_for_the_most_urgent_threshold_crossed_and_not_yet_sent(
    days_left: int, already: list[int], expected: int | None
) -> None:
    due = due_reminder(
        deadline=DEADLINE, today=day(days_left), has_shortfall=True, sent=sent(*already)
    )
    assert due == (
        None if expected is None else DueReminder(threshold=expected, days_left=days_left)
    )


def test_no_reminder_without_a_shortfall() -> None:
    assert due_reminder(deadline=DEADLINE, today=day(30), has_shortfall=False, sent=[]) is None
    assert due_reminder(deadline=DEADLINE, today=day(-5), has_shortfall=False, sent=[]) is None


@pytest.mark.parametrize(
    ("days_overdue", "last_overdue_reminder", "expected"),
    [
        (1, None, True),  # becoming overdue: at once, whatever thresholds were sent before
        (40, None, True),  # no overdue reminder yet (runs were missed): now
        (10, 1, False),
        (30, 1, False),  # 29 days after the last one
        (31, 1, True),  # 30 days after the last one
        (75, 31, True),  # missed runs: the next one as soon as 30 days have passed
    ],
)
def test_an_overdue_reminder_goes_out_once_then_every_30_days(
    days_overdue: int, last_overdue_reminder: int | None, expected: bool
) -> None:
    history = sent(180, 90, 30, 7)
    if last_overdue_reminder is not None:
        history.append(SentReminder(threshold=None, sent_on=day(-last_overdue_reminder)))
    due = due_reminder(
        deadline=DEADLINE, today=day(-days_overdue), has_shortfall=True, sent=history
    )
    assert due == (DueReminder(threshold=None, days_left=-days_overdue) if expected else None)


def test_thresholds_and_the_overdue_repeat_are_configurable() -> None:
    def due_on(days_left: int, *already: int) -> DueReminder | None:
        return due_reminder(
            deadline=DEADLINE,
            today=day(days_left),
            has_shortfall=True,
            sent=sent(*already),
            thresholds=(60, 14),
            overdue_every_days=7,
        )

    assert due_on(90) is None
    assert due_on(60) == DueReminder(threshold=60, days_left=60)
    assert due_on(30, 60) is None
    assert due_on(10, 60) == DueReminder(threshold=14, days_left=10)
    overdue = [SentReminder(threshold=None, sent_on=day(-1))]
    assert due_reminder(
        deadline=DEADLINE, today=day(-8), has_shortfall=True, sent=overdue, overdue_every_days=7
    ) == DueReminder(threshold=None, days_left=-8)


# --- preferences -------------------------------------------------------------------------------


def change(state: MailPreferences | None, **wanted: bool) -> list[MailPreferencesChanged]:
    categories = msgspec.convert(wanted, dict[MailCategory, bool])
    command = ChangeMailPreferences(user_id=USER, wanted=categories, via="settings")
    events = decide_change_mail_preferences(state, command, now=NOW, ids=fixed_ids())
    assert all(isinstance(e, MailPreferencesChanged) for e in events)
    return [e for e in events if isinstance(e, MailPreferencesChanged)]


def test_everything_is_on_until_turned_off_and_each_change_states_the_whole_set() -> None:
    assert MailPreferences(user_id=USER).wants("weekly_digest")
    [off] = change(None, weekly_digest=False, deadline_reminders=True)
    assert off.opted_out == ("weekly_digest",)
    state = evolve(None, off)
    assert not state.wants("weekly_digest")
    assert state.wants("deadline_reminders")
    [more] = change(state, certificate_notifications=False)
    assert more.opted_out == ("certificate_notifications", "weekly_digest")
    [back] = change(evolve(state, more), weekly_digest=True)
    assert back.opted_out == ("certificate_notifications",)


def test_a_change_that_changes_nothing_records_nothing() -> None:
    state = evolve(None, change(None, weekly_digest=False)[0])
    assert change(state, weekly_digest=False) == []
    assert change(None, deadline_reminders=True) == []
    assert change(None) == []


# --- digest ------------------------------------------------------------------------------------


def variant(
    base: Obligation, who: int, status: Status, deadline: date, **changes: object
) -> Standing:
    """A standing of person ``who`` resting on a copy of ``base``."""
    o = msgspec.structs.replace(
        base, person_id=UUID(int=who), status=status, deadline=deadline, **changes
    )
    return Standing(
        person_id=o.person_id,
        body=o.body,
        status=status,
        sentence="",
        next_action="",
        obligation=o,
        shortfall=o.lines[0].shortfall,
        verified=Decimal(0),
        pending=Decimal(0),
    )


def test_the_digest_counts_people_by_standing_and_lists_who_needs_attention_soonest_first() -> None:
    base = only(
        obligations(person(credential("ARDMS", "RDMS", date(2021, 6, 10))), today=NOW.date()),
        "ARDMS",
    )
    found = {
        UUID(int=1): [variant(base, 1, "at_risk", date(2027, 3, 31))],
        UUID(int=2): [
            variant(base, 2, "overdue", date(2025, 12, 31), period="previous"),
            msgspec.structs.replace(variant(base, 2, "on_track", date(2028, 12, 31)), body="CCI"),
        ],
        UUID(int=3): [variant(base, 3, "compliant", date(2027, 1, 31))],
        UUID(int=4): [variant(base, 4, "in_grace", date(2026, 9, 30), period="previous")],
    }
    names = {
        UUID(int=n): name for n, name in [(1, "Ana"), (2, "Ben"), (3, "Cy"), (4, "Dee"), (5, "Eve")]
    }
    digest = build_digest(found, names, review_queue=3)
    assert digest.people == 5
    assert digest.by_status == {
        "at_risk": 1,
        "overdue": 1,
        "on_track": 1,
        "compliant": 1,
        "in_grace": 1,
    }
    assert [(i.full_name, i.status, i.period) for i in digest.attention] == [
        ("Ben", "overdue", "previous"),
        ("Dee", "in_grace", "previous"),
        ("Ana", "at_risk", "current"),
    ]
    assert {i.status for i in digest.attention} <= NEEDS_ATTENTION
    assert digest.attention[0].shortfall == base.lines[0].shortfall > Decimal(0)
    assert (digest.review_queue, digest.not_listed) == (3, 0)
    limited = build_digest(found, names, review_queue=0, limit=2)
    assert [i.full_name for i in limited.attention] == ["Ben", "Dee"]
    assert limited.not_listed == 1


def test_people_left_out_of_the_names_are_left_out_of_the_digest() -> None:
    base = only(
        obligations(person(credential("ARDMS", "RDMS", date(2021, 6, 10))), today=NOW.date()),
        "ARDMS",
    )
    found = {UUID(int=9): [variant(base, 9, "overdue", date(2026, 1, 1))]}
    digest = build_digest(found, {}, review_queue=0)
    assert (digest.people, digest.by_status, digest.attention) == (0, {}, ())


@pytest.mark.parametrize(
    ("day", "weekday", "expected"),
    [
        (date(2026, 11, 30), 0, date(2026, 11, 30)),  # a Monday, Monday digests
        (date(2026, 12, 6), 0, date(2026, 11, 30)),  # the Sunday after
        (date(2026, 12, 2), 4, date(2026, 11, 27)),  # a Wednesday, Friday digests
        (date(2026, 12, 4), 4, date(2026, 12, 4)),
    ],
)
def test_every_day_of_a_week_names_the_same_digest_day(
    day: date, weekday: int, expected: date
) -> None:
    assert digest_day(day, weekday) == expected
    assert expected.weekday() == weekday
