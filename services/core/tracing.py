"""OpenTelemetry tracing, off unless ``CMELEDGER_OTEL_TRACES_ENDPOINT`` names an OTLP/HTTP
traces endpoint (a collector, e.g. ``http://otel-collector:4318/v1/traces``).

Only the API is traced: one server span per request, named after the route template, from
Litestar's OpenTelemetry middleware (``services.api.app``). Spans are batched and sent in the
background; a collector that is down loses spans, never requests.
"""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from services.core.settings import Settings


def build_tracer_provider(settings: Settings, process: str) -> TracerProvider | None:
    """A tracer provider exporting to the configured endpoint (None: tracing is off). It is
    not installed globally: the caller hands it to what it instruments and shuts it down."""
    if settings.otel_traces_endpoint is None:
        return None
    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": "cmeledger",
                "service.namespace": "cmeledger",
                "deployment.environment": settings.environment,
                "process.command": process,
            }
        )
    )
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otel_traces_endpoint, timeout=5))
    )
    return provider
