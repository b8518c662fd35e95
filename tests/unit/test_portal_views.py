"""What the portal computes for its pages without I/O: the chart's coordinates, the status in
plain words, the labels of every code, reading forms, and the guards on redirects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal, get_args
from uuid import uuid4

import pytest
from litestar.exceptions import ValidationException

from domain import vocabulary
from domain.compliance.cycles import Window
from domain.compliance.evaluation import (
    DatedStep,
    ExclusionReason,
    Obligation,
    QualificationStatus,
    RequirementLine,
)
from domain.compliance.status import Status
from domain.credits.credit import (
    AcademicTerm,
    ActivityKind,
    CreditType,
    InvalidCreditAmount,
    InvalidCreditDetails,
    ReasonRequired,
    Topic,
)
from domain.organisations.organisation import Role
from domain.people.credentials import Body, CredentialStatus
from services.api.portal.account import slug_from
from services.api.portal.chart import credit_chart
from services.api.portal.credits import credit_field
from services.api.portal.forms import Form
from services.api.portal.pages import HOME, safe_next
from services.api.portal.standing import URGENCY, cards, explain
from services.api.portal.transcripts import export_url
from tests.unit.domain.cme_builders import credential, obligations, person
from tests.unit.domain.cme_builders import credit as builders_credit

pytestmark = pytest.mark.unit

CYCLE = Window(start=date(2025, 1, 1), end=date(2026, 12, 31))


def line(required: str, counted: str, label: str = "total", *topics: Topic) -> RequirementLine:
    shortfall = max(Decimal(required) - Decimal(counted), Decimal(0))
    return RequirementLine(
        label=label,
        topics=frozenset(topics),
        required=Decimal(required),
        counted=Decimal(counted),
        waived=Decimal(0),
        shortfall=shortfall,
    )


def obligation(status: Status, *lines: RequirementLine, **changes: Any) -> Obligation:
    fields: dict[str, Any] = {
        "person_id": uuid4(),
        "body": "ARDMS",
        "period": "current",
        "window": CYCLE,
        "deadline": CYCLE.end,
        "rule_version_from": None,
        "credentials": ("RVT",),
        "lines": lines,
        "used": (),
        "not_used": (),
        "waivers": (),
        "reporting": None,
        "grace": None,
        "late_credits_until": None,
        "status": status,
        "flags": (),
        **changes,
    }
    return Obligation(**fields)


# --- the chart ---------------------------------------------------------------------------------


def test_the_pace_line_rises_from_nothing_on_the_first_day_to_the_target_on_the_last() -> None:
    chart = credit_chart(
        start=CYCLE.start, end=CYCLE.end, target=Decimal(30), earned=[], today=date(2025, 12, 31)
    )
    (x0, y0), (x1, y1) = (tuple(map(float, p.split(","))) for p in chart.pace.split())
    assert (x0, y0) == (chart.plot_left, chart.plot_bottom)
    assert x1 == chart.plot_right
    assert chart.plot_top <= y1 < chart.plot_bottom
    assert chart.pace_by_today == Decimal("15.0"), "half the cycle, half the target"
    assert chart.earned_by_today == 0


def test_counted_credits_climb_in_steps_on_the_days_they_were_completed() -> None:
    chart = credit_chart(
        start=CYCLE.start,
        end=CYCLE.end,
        target=Decimal(24),
        earned=[(date(2025, 7, 1), Decimal("2.5")), (date(2025, 3, 1), Decimal(1))],
        today=date(2025, 9, 1),
    )
    points = [tuple(map(float, p.split(","))) for p in chart.earned.split()]
    heights = [y for _, y in points]
    assert heights == sorted(heights, reverse=True), "the line never falls"
    assert len(points) == 6, "start, two steps of two points, today"
    assert points[-1][0] == chart.today
    assert chart.earned_by_today == Decimal("3.5")
    assert [t.label for t in chart.x_ticks] == ["1 Jan 2025", "31 Dec 2026"]
    assert [t.label for t in chart.y_ticks] == ["0", "15", "30"], "round axis above 24 x 1.1"


def test_make_up_credits_after_the_cycle_widen_the_axis_and_today_outside_it_has_no_mark() -> None:
    chart = credit_chart(
        start=CYCLE.start,
        end=CYCLE.end,
        target=Decimal(10),
        earned=[(date(2027, 3, 1), Decimal(4))],
        today=date(2027, 6, 1),
    )
    last_x = max(float(p.split(",")[0]) for p in chart.earned.split())
    pace_end_x = float(chart.pace.split()[-1].split(",")[0])
    assert pace_end_x < last_x <= chart.plot_right
    assert chart.today is None
    assert chart.pace_by_today == Decimal("10.0")


# --- the status in plain words -----------------------------------------------------------------


def _say(o: Obligation, today: date) -> str:
    return explain(o, today, count_pending=True)


def test_on_track_says_what_is_left_and_by_when() -> None:
    text = _say(obligation("on_track", line("30", "12")), date(2025, 11, 1))
    assert text == "18 credits still to earn by 31 Dec 2026; there is time."


def test_at_risk_names_the_days_left_and_a_monthly_amount() -> None:
    o = obligation("at_risk", line("24", "1"), line("8", "0", "vascular", "vascular"))
    text = _say(o, date(2025, 12, 31))
    assert text == (
        "23 credits, including 8 in vascular still to earn in 365 days (by 31 Dec 2026):"
        " plan on about 2 credits a month."
    )
    near = _say(obligation("at_risk", line("30", "29")), date(2026, 11, 1))
    assert near == (
        "1 credit still to earn in 60 days (by 31 Dec 2026): plan on about 0.75 credits a month."
    )


def test_a_topic_short_alone_is_named_without_the_total() -> None:
    o = obligation("on_track", line("30", "30"), line("10", "7.5", "musculoskeletal ultrasound"))
    text = _say(o, date(2025, 6, 1))
    assert text.startswith("2.5 credits in musculoskeletal ultrasound still to earn"), text


def test_in_grace_and_overdue_say_what_still_helps() -> None:
    grace = obligation(
        "in_grace",
        line("24", "20"),
        late_credits_until=date(2027, 6, 30),
        in_grace_until=date(2027, 6, 30),
    )
    assert _say(grace, date(2027, 2, 1)) == (
        "The cycle ended on 31 Dec 2026 with 4 credits missing. Credits completed by"
        " 30 Jun 2027 still count for it."
    )
    renewal = obligation("in_grace", line("36", "20"), in_grace_until=date(2027, 3, 31))
    assert _say(renewal, date(2027, 2, 1)) == (
        "The cycle ended on 31 Dec 2026 with 16 credits missing. The grace period runs to"
        " 31 Mar 2027; credits earned in it do not count for the ended cycle."
    )
    step = DatedStep(due=date(2027, 8, 1), description="Reinstate with 40 CMEs", sources=())
    overdue = obligation("overdue", line("24", "20"), reinstatement=step)
    assert _say(overdue, date(2027, 2, 1)).endswith("Reinstate with 40 CMEs (by 1 Aug 2027).")
    assert "Reinstate" not in _say(overdue, date(2027, 9, 1))


def test_complete_and_first_periods_without_credits() -> None:
    assert _say(obligation("compliant", line("30", "31")), date(2025, 6, 1)) == (
        "Every requirement of the cycle ending 31 Dec 2026 is met."
    )
    first = obligation(
        "compliant",
        line("0", "0"),
        window=Window(start=CYCLE.start, end=CYCLE.end, credits_required=False),
    )
    assert "No credits are required" in _say(first, date(2025, 6, 1))


def test_pending_credits_not_counted_say_what_would_make_it_compliant() -> None:
    met = RequirementLine(
        label="total",
        topics=frozenset(),
        required=Decimal(30),
        counted=Decimal(30),
        waived=Decimal(0),
        shortfall=Decimal(0),
        pending=Decimal(4),
    )
    o = obligation("compliant_pending_verification", met)
    assert explain(o, date(2025, 6, 1), count_pending=False) == (
        "Would be compliant once 4 credits awaiting a certificate check are verified"
        " (cycle ending 31 Dec 2026)."
    )


def test_cards_put_what_needs_action_first_and_chart_the_credits_counted() -> None:
    held = person(
        credential("ARDMS", "RVT", date(2024, 3, 15)),
        credential("ARRT", "S", date(2019, 3, 15)),
        birth_month=5,
    )
    counted = builders_credit(date(2026, 10, 2), "1.25", types=("sdms",))
    today = date(2026, 11, 26)
    found = obligations(held, [counted], today=today)
    current, previous = cards(found, [counted], today, count_pending=True)

    assert [c.obligation.period for c in current] == ["current", "current"]
    assert [c.obligation.period for c in previous] == ["previous"]
    assert [URGENCY[c.obligation.status] for c in current] == sorted(
        URGENCY[c.obligation.status] for c in current
    )
    ardms = next(c for c in current if c.obligation.body == "ARDMS")
    assert ardms.chart is not None
    assert ardms.chart.earned_by_today == Decimal("1.25")
    assert (ardms.total.required, ardms.percent) == (Decimal(30), 4)
    assert ardms.days_left == (ardms.obligation.deadline - today).days
    arrt = next(c for c in current if c.obligation.body == "ARRT")
    assert arrt.chart is not None
    assert arrt.chart.earned_by_today == 0, "SDMS is not a type ARRT accepts"


# --- labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "codes"),
    [
        (vocabulary.BODIES, Body),
        (vocabulary.CREDIT_TYPES, CreditType),
        (vocabulary.TOPICS, Topic),
        (vocabulary.ACTIVITY_KINDS, ActivityKind),
        (vocabulary.ACADEMIC_TERMS, AcademicTerm),
        (vocabulary.VERIFICATION, vocabulary.CertificateState),
        (vocabulary.VERIFICATION_EXPLAINED, vocabulary.CertificateState),
        (vocabulary.STATUSES, Status),
        (vocabulary.EXCLUSIONS, ExclusionReason),
        (vocabulary.QUALIFICATIONS, QualificationStatus),
        (vocabulary.CREDENTIAL_STATUSES, CredentialStatus),
        (vocabulary.ROLES, Role),
    ],
)
def test_every_code_has_a_label(labels: dict[str, str], codes: Any) -> None:
    assert set(labels) == set(get_args(codes))
    assert all(text.strip() for text in labels.values())


# --- forms -------------------------------------------------------------------------------------


def test_a_form_reads_typed_values_and_keeps_them_when_refused() -> None:
    form = Form(
        "credit",
        {"credits": "1,25", "completed_on": "2026-13-01", "topics": ["vascular", "made_up"]},
    )
    assert form.amount("credits", "credits") == Decimal("1.25")
    assert form.day("completed_on", "day") is None
    assert form.choices("topics", "topic", vocabulary.TOPICS) == ["vascular"]
    assert form.text("title", "title") == ""
    assert set(form.errors) == {"completed_on", "topics", "title"}
    assert form.errors["completed_on"] == "There is no such day as “2026-13-01”: check the day"
    assert form.value("completed_on") == "2026-13-01", "what was typed stays"
    assert form.field_id("completed_on") == "credit-completed-on"


@pytest.mark.parametrize(
    "typed", ["one", "NaN", "Infinity", "1e999999999999", "1_000", "+1", "1e3", "\u0661"]
)
def test_amounts_that_are_not_numbers_are_refused_at_their_field(typed: str) -> None:
    form = Form("credit", {"credits": typed})
    assert form.amount("credits", "credits") is None
    assert form.errors == {"credits": "Enter the credits as a number, like 1.25"}


@pytest.mark.parametrize("typed", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
def test_days_outside_the_range_are_refused_at_their_field(typed: str) -> None:
    form = Form("credit", {"completed_on": typed})
    assert form.day("completed_on", "completion date") is None
    assert form.errors == {
        "completed_on": "Enter the completion date between 1 Jan 1900 and 31 Dec 2200"
    }


@pytest.mark.parametrize(
    ("refusal", "field"),
    [
        (InvalidCreditAmount("credits come in quarter-credit steps; 0.3 is not one"), "credits"),
        (
            InvalidCreditAmount("academic credit units come in positive quarter steps"),
            "academic_units",
        ),
        (InvalidCreditDetails("an activity cannot be completed in the future"), "completed_on"),
        (
            InvalidCreditDetails("name at least one credit type from the certificate"),
            "credit_types",
        ),
        (
            InvalidCreditDetails("the accrediting organisation must not be blank"),
            "accrediting_organisation",
        ),
        (ReasonRequired("a retraction needs a reason"), "reason"),
    ],
)
def test_credit_refusals_land_on_their_field(refusal: Exception, field: str) -> None:
    assert credit_field(refusal) == field  # type: ignore[arg-type]


# --- links and names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/credits?page=2", "/credits?page=2"),
        ("//evil.example/x", HOME),
        ("https://evil.example/", HOME),
        ("javascript:alert(1)", HOME),
        ("credits", HOME),
        (None, HOME),
    ],
)
def test_only_paths_of_this_site_are_followed_after_sign_in(
    target: str | None, expected: str
) -> None:
    assert safe_next(target) == expected


def test_a_url_name_is_suggested_from_the_organisation_name() -> None:
    assert slug_from("St. Mary's  Imaging & Vascular ") == "st-mary-s-imaging-vascular"
    assert len(slug_from("x" * 80)) == 50


def test_transcript_choices_become_the_endpoint_query() -> None:
    person: Literal["p"] = "p"
    assert export_url(person, "pdf", "", "") == "/api/v1/people/p/transcript.pdf"
    assert export_url(person, "csv", "ARRT", "previous") == (
        "/api/v1/people/p/transcript.csv?body=ARRT&period=previous"
    )
    with pytest.raises(ValidationException):
        export_url(person, "exe", "", "")
    with pytest.raises(ValidationException):
        export_url(person, "pdf", "ACME", "")
