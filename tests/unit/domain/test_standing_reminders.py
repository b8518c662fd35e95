"""Deadline reminders go per standing: one per body, about the cycle that needs action now,
naming its status and next action, however many of the body's cycles are short."""

from __future__ import annotations

from datetime import date

from domain.compliance.standing import standings
from domain.compliance.status import STATUS_TEXT
from domain.notifications.reminders import SentReminder, reminders_now, standing_reminders
from tests.unit.domain.cme_builders import credential, obligations, person

# CCI: cycles 2021-01-01 .. 2023-12-31 (ended short) and 2024-01-01 .. 2026-12-31 [C1]
CCI_HOLDER = person(credential("CCI", "RCS", date(2020, 2, 10)))
TODAY = date(2026, 7, 10)  # 174 days before the current cycle ends: its 180-day threshold


def test_two_short_cycles_of_one_body_give_one_reminder_naming_the_standing() -> None:
    found = obligations(CCI_HOLDER, today=TODAY)
    assert len([o for o in found if o.status != "compliant"]) == 2
    held = standings(CCI_HOLDER, found, today=TODAY, count_pending=False)
    [(standing, cycle, due)] = standing_reminders(held, today=TODAY, sent={})
    assert standing.status == "overdue"
    assert cycle is standing.obligation, "each reminder carries the cycle it rests on"
    assert cycle.window.end == date(2023, 12, 31)
    assert due.threshold is None
    assert standing.next_action == STATUS_TEXT["overdue"].next_action


def test_a_standing_already_reminded_waits_for_its_next_step() -> None:
    found = obligations(CCI_HOLDER, today=TODAY)
    held = standings(CCI_HOLDER, found, today=TODAY, count_pending=False)
    sent = {("CCI", date(2023, 12, 31)): [SentReminder(threshold=None, sent_on=date(2026, 7, 1))]}
    assert standing_reminders(held, today=TODAY, sent=sent) == []


def test_a_compliant_or_lapsed_standing_gets_no_reminder() -> None:
    lapsed = person(credential("CCI", "RCS", date(2020, 2, 10), status="lapsed"))
    held = standings(lapsed, obligations(lapsed, today=TODAY), today=TODAY, count_pending=False)
    assert [s.status for s in held] == ["lapsed"]
    assert standing_reminders(held, today=TODAY, sent={}) == []


def test_a_reminder_asked_for_now_goes_for_each_short_standing_with_its_cycle() -> None:
    found = obligations(CCI_HOLDER, today=TODAY)
    held = standings(CCI_HOLDER, found, today=TODAY, count_pending=False)
    [(standing, cycle, due)] = reminders_now(held, today=TODAY)
    assert (standing.status, cycle.window.end) == ("overdue", date(2023, 12, 31))
    assert (due.threshold, due.days_left) == (None, (cycle.deadline - TODAY).days)
    lapsed = person(credential("CCI", "RCS", date(2020, 2, 10), status="lapsed"))
    none = standings(lapsed, obligations(lapsed, today=TODAY), today=TODAY, count_pending=False)
    assert reminders_now(none, today=TODAY) == [], "a lapsed standing has no cycle to remind of"
