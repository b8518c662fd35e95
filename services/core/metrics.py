"""Prometheus metrics of every process, and the server that exposes them on their own port.

The metrics port (``CMELEDGER_METRICS_PORT``, off by default, 9100 in the image) is never the
public one: the load balancer routes only the API port, and the tasks' security group opens the
metrics port to the private network alone (docs/decisions.md, "Metrics on a port of their own").
The API's request histograms come from Litestar's Prometheus middleware (``services.api.app``);
these are the background processes' own:

- ``cmeledger_job_duration_seconds{actor, outcome}``: each job attempt, done or failed;
- ``cmeledger_job_failures_total{actor}``: failed attempts (retried or dead-lettered);
- ``cmeledger_relay_lag_seconds{tenant}``: from an event's append to its publication (summary);
- ``cmeledger_outbox_backlog_events{tenant}``: events appended and not yet relayed;
- ``cmeledger_queue_depth_messages{queue, kind}``: messages waiting on the broker (ready,
  delayed, dead).

And of every process that reads standings (``StandingsCacheMetrics``):
``cmeledger_standings_cache_hits_total``, ``..._misses_total`` and ``..._evictions_total``.
"""

from __future__ import annotations

from collections.abc import Iterator
from wsgiref.simple_server import WSGIServer

from prometheus_client import Counter, Gauge, Histogram, Summary, start_http_server
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from services.core.people.standings_cache import StandingsCache
from services.core.settings import Settings

JOB_DURATION = Histogram(
    "cmeledger_job_duration_seconds",
    "Duration of one job attempt, by actor and outcome (done, failed)",
    ["actor", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
JOB_FAILURES = Counter("cmeledger_job_failures", "Job attempts that raised, by actor", ["actor"])
RELAY_LAG = Summary(
    "cmeledger_relay_lag_seconds",
    "Time from an event's append to its publication on the broker, by tenant",
    ["tenant"],
)
OUTBOX_BACKLOG = Gauge(
    "cmeledger_outbox_backlog_events",
    "Events appended but not yet relayed to the broker, by tenant (as of the relay's last pass)",
    ["tenant"],
)
QUEUE_DEPTH = Gauge(
    "cmeledger_queue_depth_messages",
    "Messages waiting on the broker, by queue and kind (ready, delayed, dead)",
    ["queue", "kind"],
)


class StandingsCacheMetrics(Collector):
    """A standings cache's hits, misses and evictions as counters, read when scraped."""

    def __init__(self, cache: StandingsCache) -> None:
        self.cache = cache

    def collect(self) -> Iterator[CounterMetricFamily]:
        cache = self.cache
        yield CounterMetricFamily(
            "cmeledger_standings_cache_hits",
            "Reads of a tenant's standings answered from this process's cache",
            value=cache.hits,
        )
        yield CounterMetricFamily(
            "cmeledger_standings_cache_misses",
            "Reads of a tenant's standings computed (no entry for the tenant's current key)",
            value=cache.misses,
        )
        yield CounterMetricFamily(
            "cmeledger_standings_cache_evictions",
            "Tenants' cached standings dropped for room (least recently used first)",
            value=cache.evictions,
        )


def serve_metrics(settings: Settings) -> WSGIServer | None:
    """Serve this process's metrics on ``metrics_host:metrics_port`` in a daemon thread (None
    when the port is 0)."""
    if not settings.metrics_port:
        return None
    server, _thread = start_http_server(settings.metrics_port, settings.metrics_host)
    return server
