"""The auditor's view over HTTP: timeline with filters and paging, chain status, and obligations
as the record showed them at a past moment."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from services.core.settings import Settings
from tests.e2e.conftest import join, sign_up
from tests.e2e.test_people import CREDIT, own_record

pytestmark = pytest.mark.e2e


async def test_timeline_pages_and_filters_the_history(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack
) -> None:
    await sign_up(client)
    auditor, _ = await join(stack, migrated, client, "auditor")
    employee, _ = await join(stack, migrated, client, "employee")
    person_id = await own_record(employee)
    for title in ("One", "Two", "Three"):
        await employee.post(f"/api/v1/people/{person_id}/credits", json={**CREDIT, "title": title})

    seen: list[int] = []
    after = 0
    while True:
        page = (await auditor.get(f"/api/v1/audit/events?after_seq={after}&limit=4")).json()
        seen += [e["seq"] for e in page["events"]]
        if page["next_after_seq"] is None:
            break
        after = page["next_after_seq"]
    assert seen == list(range(1, len(seen) + 1))

    credits = (await auditor.get("/api/v1/audit/events?event_type=credits.CreditRecorded")).json()[
        "events"
    ]
    assert [e["data"]["details"]["title"] for e in credits] == ["One", "Two", "Three"]
    assert all(e["metadata"]["actor_role"] == "employee" for e in credits)
    stream = (await auditor.get(f"/api/v1/audit/events?stream_id=person-{person_id}")).json()[
        "events"
    ]
    assert {e["stream_id"] for e in stream} == {f"person-{person_id}"}
    assert (await employee.get("/api/v1/audit/events")).status_code == 403


async def test_chain_status_reports_the_verified_head(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack
) -> None:
    await sign_up(client)
    auditor, _ = await join(stack, migrated, client, "auditor")
    status = (await auditor.get("/api/v1/audit/chain")).json()
    assert status["intact"] is True
    assert status["first_break"] is None
    assert status["verified_through_seq"] == status["head_seq"] >= 4
    last = (await auditor.get(f"/api/v1/audit/events?after_seq={status['head_seq'] - 1}")).json()[
        "events"
    ]
    assert last[0]["hash"] == status["head_hash"]


async def test_obligations_as_the_record_showed_them_at_a_past_moment(
    client: AsyncTestClient[Any], migrated: Settings, stack: AsyncExitStack
) -> None:
    await sign_up(client)
    employee, _ = await join(stack, migrated, client, "employee")
    before_registration = datetime.now(UTC).isoformat()
    person_id = await own_record(employee)
    await employee.post(f"/api/v1/people/{person_id}/credits", json=CREDIT)
    between = datetime.now(UTC).isoformat()
    await employee.post(f"/api/v1/people/{person_id}/credits", json={**CREDIT, "credits": "2"})

    def counted(obligations: list[dict[str, Any]]) -> str:
        ardms = next(o for o in obligations if o["body"] == "ARDMS" and o["period"] == "current")
        return str(next(line for line in ardms["lines"] if not line["topics"])["counted"])

    url = f"/api/v1/people/{person_id}/obligations"
    now = (await client.get(url)).json()
    then = await client.get(url, params={"known_at": between, "as_of": "2026-11-26"})
    assert then.status_code == 200, then.text
    assert (counted(now), counted(then.json())) == ("3.25", "1.25")
    assert (await client.get(url, params={"known_at": before_registration})).status_code == 404
    assert (await employee.get(url, params={"known_at": between})).status_code == 403
