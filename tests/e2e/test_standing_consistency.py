"""One standing everywhere: an organisation with every status, and for each status the overview's
tile, the staff list its tile links to (portal and API), the API summary and the compliance
report agree on how many people have it.

Dates are computed from today (the portal evaluates on today), so that each person lands in the
status named whatever day the test runs.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar.testing import AsyncTestClient

from domain.compliance.status import STATUSES, Status
from domain.credits.credit import Origin, RecordCredit
from domain.people.credentials import Body, CredentialStatus
from domain.people.person import (
    RecordBirthMonth,
    RegisterPerson,
)
from services.core.credits.handlers import record_credit
from services.core.db import Database
from services.core.people.handlers import change_person, register_person
from services.core.registry import build_event_store
from tests.builders import credit_details
from tests.e2e.conftest import Org
from tests.support import TenantCommands

pytestmark = pytest.mark.e2e

TODAY = datetime.now(UTC).date()
Y, M = TODAY.year, TODAY.month


class Seeder(TenantCommands):
    def __init__(self, database: Database, tenant: UUID) -> None:
        super().__init__(database, build_event_store(), tenant)

    async def person(
        self,
        name: str,
        body: Body,
        code: str,
        earned_on: date,
        *,
        birth_month: int | None = None,
        status: tuple[CredentialStatus, date] | None = None,
    ) -> UUID:
        person_id = uuid4()
        await self.run(register_person, RegisterPerson(person_id=person_id, full_name=name))
        if birth_month is not None:
            await self.run(change_person, person_id, RecordBirthMonth(birth_month=birth_month))
        await self.credential(person_id, body, code, earned_on, status)
        return person_id

    async def credits(self, person_id: UUID, credits: str, origin: Origin) -> None:
        details = credit_details(
            credit_types=("sdms", "arrt_category_a"),
            completed_on=TODAY - timedelta(days=10),
            credits=Decimal(credits),
        )
        command = RecordCredit(
            credit_id=uuid4(), person_id=person_id, details=details, origin=origin
        )
        await self.run(record_credit, command)


async def seed_every_status(database: Database, tenant: UUID) -> dict[Status, int]:
    """One person per status, and one with two bodies (at risk and compliant); returns how
    many people should show under each status."""
    seed = Seeder(database, tenant)
    # ARDMS: the first period runs from the first credential to Dec 31 three years later [A5]
    met = await seed.person("Ada Compliant", "ARDMS", "RDMS", date(Y - 1, 1, 15))
    await seed.credits(met, "30", "provider_transfer")  # verified on arrival
    waiting = await seed.person("Bo Pending", "ARDMS", "RDMS", date(Y - 1, 1, 15))
    await seed.credits(waiting, "30", "self_reported")  # awaiting a certificate check
    await seed.person("Cy Ontrack", "ARDMS", "RDMS", date(Y - 1, 1, 15))  # due in 2+ years
    near = await seed.person("Dee Atrisk", "ARDMS", "RDMS", date(Y - 3, 3, 1))  # due Dec 31
    # CCI's first period needs no CEUs [C1]: compliant with CCI, at risk with ARDMS
    await seed.credential(near, "CCI", "RCS", TODAY - timedelta(days=30))
    await seed.person("Eli Overdue", "ARDMS", "RDMS", date(Y - 6, 3, 1))  # previous period short
    # ARRT: the biennium ended on the last day of the month before the birth month; on CE
    # probation the 6 months after it are a grace period [R4], [R7]
    ended = date(Y, M, 1) - timedelta(days=1)
    await seed.person(
        "Fay Ingrace",
        "ARRT",
        "S",
        date(Y - 4, M, 1),
        birth_month=M,
        status=("probation", ended + timedelta(days=1)),
    )
    await seed.person("Gus Lapsed", "ARDMS", "RDMS", date(Y - 2, 5, 1), status=("lapsed", TODAY))
    return {
        "compliant": 2,
        "compliant_pending_verification": 1,
        "on_track": 1,
        "at_risk": 1,
        "overdue": 1,
        "in_grace": 1,
        "lapsed": 1,
    }


async def _json(client: AsyncTestClient[Any], url: str) -> Any:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


async def _html(client: AsyncTestClient[Any], url: str) -> str:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response.text


def _tiles(html: str) -> dict[str, int]:
    found = re.findall(
        r'href="/staff\?status=(\w+)" data-status="\w+"><span class="tile__count">(\d+)</span>',
        html,
    )
    return {status: int(count) for status, count in found}


def _listed(html: str) -> list[str]:
    """The names in the portal staff list's rows."""
    return re.findall(r'<th scope="row"><a href="/staff/[0-9a-f-]+">([^<]+)</a>', html)


async def test_every_status_counts_the_same_on_every_view(org: Org, database: Database) -> None:
    tenant = UUID(org.owner_info["organisation_id"])
    expected = await seed_every_status(database, tenant)
    assert set(expected) == set(STATUSES), "the seed covers every status"
    owner = org.owner

    tiles = _tiles(await _html(owner, "/organisation"))
    summary = (await _json(owner, "/api/v1/organisation/summary"))["by_status"]
    report = await _json(owner, "/api/v1/reports/compliance")
    for status in STATUSES:
        portal_rows = _listed(await _html(owner, f"/staff?status={status}"))
        api_rows = (await _json(owner, f"/api/v1/staff?status={status}&limit=100"))["items"]
        filtered = await _json(owner, f"/api/v1/reports/compliance?status={status}")
        counts = {
            "tile": tiles[status],
            "portal list": len(portal_rows),
            "API list": len(api_rows),
            "API summary": summary.get(status, 0),
            "report": report["by_status"].get(status, 0),
            "filtered report": len(filtered["people"]),
        }
        assert set(counts.values()) == {expected[status]}, (status, counts)
        assert sorted(portal_rows) == sorted(p["full_name"] for p in api_rows)
        assert sorted(portal_rows) == sorted(p["full_name"] for p in filtered["people"])
        # the badge shown on each listed row is the status it was listed for
        shown = Counter(o["status"] for p in api_rows for o in p["obligations"])
        assert shown[status] >= len(api_rows)


async def test_the_organisation_chooses_whether_pending_credits_count(
    org: Org, database: Database
) -> None:
    tenant = UUID(org.owner_info["organisation_id"])
    await seed_every_status(database, tenant)
    owner = org.owner
    admin, _ = await org.member("admin")
    before = (await _json(owner, "/api/v1/organisation/summary"))["by_status"]
    assert (before["compliant_pending_verification"], before["compliant"]) == (1, 2)

    refused = await admin.put("/api/v1/organisation/pending-credits", json={"count_pending": True})
    assert refused.status_code == 403, refused.text
    chosen = await owner.put("/api/v1/organisation/pending-credits", json={"count_pending": True})
    assert chosen.status_code == 204, chosen.text
    after = (await _json(owner, "/api/v1/organisation/summary"))["by_status"]
    assert "compliant_pending_verification" not in after
    assert after["compliant"] == 3
    settings = await _html(owner, "/settings")
    assert 'value="count" selected' in settings

    back = await owner.put("/api/v1/organisation/pending-credits", json={"count_pending": False})
    assert back.status_code == 204, back.text
    assert (await _json(owner, "/api/v1/organisation/summary"))["by_status"] == before
