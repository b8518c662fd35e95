"""The API's request metrics, scraped from the metrics port after real requests: a latency
histogram per route template (never per raw path, which would be one series per person)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Org
from tests.metrics_support import label_values, scrape

pytestmark = pytest.mark.e2e
HISTOGRAM = "cmeledger_request_duration_seconds"


async def test_request_latency_is_recorded_by_route_template(org: Org, metrics_url: str) -> None:
    created = await org.owner.post("/api/v1/people", json={"full_name": "Ada Byrne"})
    assert created.status_code == 201, created.text
    person_id = created.json()["person_id"]
    template = "/api/v1/people/{person_id}"
    before = scrape(
        metrics_url, f"{HISTOGRAM}_count", method="GET", path=template, status_code="200"
    )

    for _ in range(2):
        assert (await org.owner.get(f"/api/v1/people/{person_id}")).status_code == 200

    paths = label_values(metrics_url, f"{HISTOGRAM}_count", "path")
    assert template in paths
    assert not any(person_id in path for path in paths)
    assert (
        scrape(metrics_url, f"{HISTOGRAM}_count", method="GET", path=template, status_code="200")
        - before
        == 2
    )
    # Buckets, not just a count: the histogram can answer "how many under 250 ms".
    assert scrape(metrics_url, f"{HISTOGRAM}_bucket", method="GET", path=template, le="+Inf") >= 2
    assert scrape(metrics_url, f"{HISTOGRAM}_count", method="POST", path="/api/v1/people") >= 1
