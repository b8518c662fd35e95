"""Days typed into the portal's forms: read the ways people write them (``forms.read_day``),
shown back as pages print days with the day in words, refused at the field saying why."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.compliance.standing import day_text
from services.api.portal.forms import day_in_words
from tests.e2e.conftest import Org

pytestmark = pytest.mark.e2e


async def test_the_report_day_is_read_as_typed_and_shown_as_pages_print_days(org: Org) -> None:
    shown = await org.owner.get("/reports", params={"as_of": "Dec 1 2025"})
    assert shown.status_code == 200, shown.text
    assert 'type="date"' not in shown.text
    assert 'value="1 Dec 2025"' in shown.text
    assert "Read as Monday 1 December 2025." in shown.text
    assert "Standing on 1 Dec 2025" in shown.text
    assert "For example, 7 Dec 2026. Also 2026-12-07, or 12/7/2026 (month first)." in shown.text

    filled_in = await org.owner.get("/reports")
    today = datetime.now(ZoneInfo("UTC")).date()
    assert f'value="{day_text(today)}"' in filled_in.text, "the portal's own ISO day, in words"

    downloaded = await org.owner.get(
        "/reports/download", params={"as_of": "12/1/2025", "format": "csv"}, follow_redirects=False
    )
    assert downloaded.status_code == 303
    assert "as_of=2025-12-01" in downloaded.headers["location"], "the API is sent ISO"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31 Feb 2025", "There is no such day as “31 Feb 2025”: check the day"),
        ("7.12.2025", "“7.12.2025” could be read two ways"),
        ("9999-12-07", "Enter the day between 1 Jan 1900 and 31 Dec 2200"),
    ],
)
async def test_a_report_day_that_cannot_be_read_is_refused_at_its_field(
    org: Org, typed: str, message: str
) -> None:
    refused = await org.owner.get("/reports", params={"as_of": typed})
    assert refused.status_code == 422, refused.text
    assert message in refused.text
    assert f'value="{typed}"' in refused.text, "what was typed stays"
    assert 'aria-invalid="true"' in refused.text
    assert "Read as" not in refused.text


async def test_an_auditors_last_day_is_granted_from_a_day_written_month_first(org: Org) -> None:
    last_day = datetime.now(ZoneInfo("UTC")).date() + timedelta(days=10)
    typed = f"{last_day.month}/{last_day.day}/{last_day.year}"
    other_problem = await org.owner.post("/access", data={"email": "", "until": typed})
    assert other_problem.status_code == 422, other_problem.text
    assert f"Read as {day_in_words(last_day)}." in other_problem.text
    assert f'value="{day_text(last_day)}"' in other_problem.text
    granted = await org.owner.post("/access", data={"email": "aud@example.org", "until": typed})
    assert granted.status_code == 201, granted.text
    assert 'type="date"' not in granted.text

    refused = await org.owner.post(
        "/access", data={"email": "aud2@example.org", "until": "Dec 7 9999"}
    )
    assert refused.status_code == 422
    assert "Enter the last day of access between 1 Jan 1900 and 31 Dec 2200" in refused.text
    assert day_in_words(last_day) not in refused.text
