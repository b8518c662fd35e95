"""Reading this process's metrics the way Prometheus does: over HTTP from the metrics server
(``services.core.metrics.serve_metrics``) on a free port."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import msgspec
import pytest
from prometheus_client.parser import text_string_to_metric_families

from services.core.metrics import serve_metrics
from services.core.settings import Settings
from tests.live_server import free_port


@pytest.fixture(scope="session")
def metrics_url(settings: Settings) -> Iterator[str]:
    server = serve_metrics(msgspec.structs.replace(settings, metrics_port=free_port()))
    assert server is not None
    yield f"http://127.0.0.1:{server.server_port}/metrics"
    server.shutdown()
    server.server_close()


def scrape(url: str, name: str, /, **labels: str) -> float:
    """The value of sample ``name`` whose labels include ``labels`` (summed over the rest; 0 when
    there is none yet)."""
    text = httpx.get(url, timeout=5).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def label_values(url: str, name: str, label: str) -> set[str]:
    """Every value of ``label`` among the samples of ``name``."""
    text = httpx.get(url, timeout=5).text
    return {
        sample.labels[label]
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and label in sample.labels
    }
