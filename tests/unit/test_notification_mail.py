"""Notification mail without I/O: unsubscribe tokens, rendered templates, settings and which
scheduled runs are due when."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest

from domain.notifications.digest import AttentionItem, Digest
from services.core.notifications.compose import compose
from services.core.notifications.invitations import invitation_message
from services.core.notifications.preferences import (
    UnsubscribeLink,
    _mac,
    read_unsubscribe_token,
    unsubscribe_token,
)
from services.core.organisation.handlers import Invited
from services.core.settings import Settings, load_settings
from services.worker.runtime import Run, run_message_id
from services.worker.scheduler import DIGEST, RECONCILE, REMINDERS, due_runs

pytestmark = pytest.mark.unit

KEY = "k" * 40
LINK = UnsubscribeLink(tenant_id=UUID(int=1), user_id=UUID(int=2), category="weekly_digest")
SETTINGS = Settings(public_url="https://ledger.example.org/", secret_key=KEY)


def test_an_unsubscribe_token_names_its_organisation_member_and_category() -> None:
    token = unsubscribe_token(KEY, LINK)
    assert read_unsubscribe_token(KEY, token) == LINK
    other = UnsubscribeLink(tenant_id=UUID(int=1), user_id=UUID(int=3), category="weekly_digest")
    assert unsubscribe_token(KEY, other) != token


def _flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


def test_a_forged_or_damaged_unsubscribe_token_is_not_read() -> None:
    token = unsubscribe_token(KEY, LINK)
    payload, signature = token.split(".")
    assert read_unsubscribe_token("another key" * 4, token) is None
    assert read_unsubscribe_token(KEY, f"{_flip(payload, 5)}.{signature}") is None
    assert read_unsubscribe_token(KEY, f"{payload}.{_flip(signature, 3)}") is None
    assert read_unsubscribe_token(KEY, payload) is None
    assert read_unsubscribe_token(KEY, "not base64!.x") is None
    assert read_unsubscribe_token(KEY, ".") is None


def test_a_signed_token_for_a_category_that_does_not_exist_is_not_read() -> None:
    payload = UUID(int=1).bytes + UUID(int=2).bytes + b"password_reset"

    def encode(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    assert read_unsubscribe_token(KEY, f"{encode(payload)}.{encode(_mac(KEY, payload))}") is None


def _digest(name: str) -> Digest:
    item = AttentionItem(
        person_id=UUID(int=5),
        full_name=name,
        body="ARDMS",
        period="current",
        deadline=date(2027, 12, 31),
        shortfall=Decimal("12.50"),
        status="at_risk",
    )
    return Digest(
        people=4,
        by_status={"at_risk": 1, "compliant": 3},
        attention=(item,),
        not_listed=0,
        review_queue=2,
    )


def test_optional_mail_renders_text_and_escaped_html_with_its_unsubscribe_link() -> None:
    name = "Dana <script>alert(1)</script> & Co"
    message = compose(
        "digest",
        settings=SETTINGS,
        to="owner@example.org",
        subject="Weekly CME summary",
        organisation="Riverside & Sons",
        reason="You receive this as an owner or admin of Riverside & Sons.",
        context={"digest": _digest(name), "week_of": date(2026, 11, 30), "portal_url": "https://x"},
        unsubscribe=LINK,
    )
    assert message.unsubscribe_url is not None
    assert message.unsubscribe_url.startswith("https://ledger.example.org/unsubscribe?token=")
    token = message.unsubscribe_url.split("token=", 1)[1]
    assert read_unsubscribe_token(KEY, token) == LINK
    assert name in message.text
    assert "12.5 credits short, deadline 31 Dec 2027" in message.text
    assert "Certificates waiting for review: 2" in message.text
    assert f"Unsubscribe from the weekly digest: {message.unsubscribe_url}" in message.text
    assert "<script>" not in message.html
    assert "Dana &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in message.html
    assert "Riverside &amp; Sons" in message.html
    assert "https://ledger.example.org/profile" in message.html


def test_the_invitation_is_mandatory_mail_with_its_link() -> None:
    invited = Invited(
        invitation_id=UUID(int=9),
        email="new@example.org",
        role="auditor",
        expires_at=datetime(2026, 12, 5, 10, tzinfo=UTC),
        token="secret-token-123",
    )
    message = invitation_message(SETTINGS, organisation="Riverside", invited=invited)
    link = "https://ledger.example.org/accept-invitation?token=secret-token-123"
    assert (message.to, message.unsubscribe_url) == ("new@example.org", None)
    assert message.message_id == str(UUID(int=9))
    assert link in message.text
    assert f'href="{link}"' in message.html
    assert "an auditor (read-only)" in message.text
    assert "until 5 Dec 2026" in message.text
    assert "Unsubscribe" not in message.text + message.html


def test_notification_settings_are_read_and_checked() -> None:
    settings = load_settings(
        {
            "CMELEDGER_REMINDER_HOUR_UTC": "7",
            "CMELEDGER_REMINDER_DAYS": "14, 60,30",
            "CMELEDGER_OVERDUE_REMINDER_DAYS": "14",
            "CMELEDGER_DIGEST_WEEKDAY": "friday",
        }
    )
    assert settings.reminder_hour_utc == 7
    assert settings.reminder_thresholds == (60, 30, 14)
    assert (settings.overdue_reminder_days, settings.digest_weekday) == (14, "friday")
    assert Settings().reminder_thresholds == (180, 90, 30, 7)


MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # before the hour on the digest day: nothing yet (last week's digest was due last week)
        (datetime(2026, 11, 30, 5, 59, tzinfo=UTC), []),
        (
            datetime(2026, 11, 30, 6, 0, tzinfo=UTC),
            [Run(REMINDERS, MONDAY), Run(RECONCILE, MONDAY), Run(DIGEST, MONDAY)],
        ),
        # Wednesday before the hour: this week's digest is still due (a scheduler that was down)
        (datetime(2026, 12, 2, 1, 0, tzinfo=UTC), [Run(DIGEST, MONDAY)]),
        (
            datetime(2026, 12, 6, 23, 0, tzinfo=UTC),
            [
                Run(REMINDERS, date(2026, 12, 6)),
                Run(RECONCILE, date(2026, 12, 6)),
                Run(DIGEST, MONDAY),
            ],
        ),
        # a moment given in another zone counts in UTC: 7:00 in New York is 12:00 UTC
        (
            datetime(2026, 12, 1, 7, 0, tzinfo=timezone(timedelta(hours=-5))),
            [
                Run(REMINDERS, date(2026, 12, 1)),
                Run(RECONCILE, date(2026, 12, 1)),
                Run(DIGEST, MONDAY),
            ],
        ),
    ],
)
def test_runs_are_due_from_the_hour_and_a_missed_digest_stays_due_all_week(
    now: datetime, expected: list[Run]
) -> None:
    assert due_runs(now, hour=6, weekday=0) == expected


def test_a_run_of_a_tenant_has_one_message_id_whoever_enqueues_it() -> None:
    run = Run(REMINDERS, MONDAY)
    assert run_message_id(UUID(int=1), run) == run_message_id(UUID(int=1), Run(REMINDERS, MONDAY))
    assert run_message_id(UUID(int=1), run) != run_message_id(UUID(int=2), run)
    assert run_message_id(UUID(int=1), run) != run_message_id(
        UUID(int=1), Run(REMINDERS, MONDAY + timedelta(days=1))
    )
    assert run_message_id(UUID(int=1), run) != run_message_id(UUID(int=1), Run(DIGEST, MONDAY))
